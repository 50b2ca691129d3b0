import Foundation

/// A value of a parsed JSON file that remembers where it came from, so that every loading error
/// names the file and the key path.
struct JSONNode {
    let value: Any
    let file: String
    /// The path of the containing value and this value's key or index in it; the full path is
    /// only put together when an error needs it (vocabularies have 100,000s of entries).
    private let parentPath: String
    private let key: Key

    private enum Key {
        case root
        case member(String)
        case index(Int)
    }

    private init(value: Any, file: String, parentPath: String, key: Key) {
        self.value = value
        self.file = file
        self.parentPath = parentPath
        self.key = key
    }

    /// Dotted key path from the root, e.g. `model.merges[3]`; empty for the root.
    var path: String {
        switch key {
        case .root: return ""
        case .member(let name): return Self.path(parentPath, name)
        case .index(let index): return "\(parentPath)[\(index)]"
        }
    }

    /// Parses the JSON object stored at `url`.
    static func load(_ url: URL) throws -> JSONNode {
        let file = url.lastPathComponent
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw TokenizerError.unreadableFile(file: url.path, reason: error.localizedDescription)
        }
        let value: Any
        do {
            value = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw TokenizerError.malformedJSON(file: file, reason: error.localizedDescription)
        }
        guard value is [String: Any] else {
            throw TokenizerError.malformedJSON(file: file, reason: "the top level is not an object")
        }
        return JSONNode(value: value, file: file, parentPath: "", key: .root)
    }

    /// The member `key`, or nil when it is absent or `null`.
    func optional(_ key: String) -> JSONNode? {
        guard let object = value as? [String: Any], let member = object[key], !(member is NSNull) else {
            return nil
        }
        return JSONNode(value: member, file: file, parentPath: path, key: .member(key))
    }

    /// The member `key`; throws `missingKey` when it is absent or `null`.
    func required(_ key: String) throws -> JSONNode {
        guard let member = optional(key) else {
            throw TokenizerError.missingKey(file: file, key: Self.path(path, key))
        }
        return member
    }

    func string() throws -> String {
        guard let string = value as? String else { throw invalid("a string") }
        return string
    }

    func int() throws -> Int {
        guard let number = value as? NSNumber, !isBoolean(number),
              let int = Int(exactly: number.doubleValue) else { throw invalid("an integer") }
        return int
    }

    func number() throws -> Double {
        guard let number = value as? NSNumber, !isBoolean(number) else { throw invalid("a number") }
        return number.doubleValue
    }

    func bool() throws -> Bool {
        guard let number = value as? NSNumber, isBoolean(number) else { throw invalid("true or false") }
        return number.boolValue
    }

    func array() throws -> [JSONNode] {
        guard let array = value as? [Any] else { throw invalid("an array") }
        let path = self.path
        return array.enumerated().map { JSONNode(value: $1, file: file, parentPath: path, key: .index($0)) }
    }

    /// The members of an object, in no particular order.
    func members() throws -> [(key: String, value: JSONNode)] {
        guard let object = value as? [String: Any] else { throw invalid("an object") }
        let path = self.path
        return object.map { ($0.key, JSONNode(value: $0.value, file: file, parentPath: path, key: .member($0.key))) }
    }

    /// The `type` member of a tokenizer component.
    func componentType() throws -> String {
        try required("type").string()
    }

    /// An `invalidValue` error for this node.
    func invalid(_ expected: String) -> TokenizerError {
        .invalidValue(file: file, key: path, expected: expected)
    }

    /// An `unsupportedType` error for this component.
    func unsupported(type: String, supported: [String]) -> TokenizerError {
        .unsupportedType(file: file, key: Self.path(path, "type"), type: type, supported: supported)
    }

    /// `parent.name` (`name` at the root).
    private static func path(_ parent: String, _ name: String) -> String {
        parent.isEmpty ? name : "\(parent).\(name)"
    }

    /// JSONSerialization returns booleans as NSNumbers of Objective-C type `char` (on every platform).
    private func isBoolean(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }
}
