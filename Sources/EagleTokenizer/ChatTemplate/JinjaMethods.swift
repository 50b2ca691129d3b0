import Foundation

/// The methods of strings and dicts templates call (`content.strip()`, `message.items()`) and the
/// global functions of transformers' environment (`range`, `namespace`, `dict`, `strftime_now`).
enum JinjaMethods {
    private static let stringMethods: Set<String> = [
        "strip", "lstrip", "rstrip", "upper", "lower", "title", "capitalize", "startswith", "endswith",
        "split", "replace",
    ]
    private static let dictionaryMethods: Set<String> = ["items", "keys", "values", "get"]

    /// Whether `value.name(...)` is a method call this interpreter implements.
    static func has(_ name: String, on value: JinjaValue) -> Bool {
        switch value {
        case .string: return stringMethods.contains(name)
        case .dictionary: return dictionaryMethods.contains(name)
        default: return false
        }
    }

    static func call(_ name: String, on value: JinjaValue, positional: [JinjaValue],
                     keyword: [(name: String, value: JinjaValue)]) throws -> JinjaValue {
        let arguments = JinjaArgumentList(positional: positional, keyword: keyword, function: name)
        switch value {
        case .string(let string): return try call(name, on: string, arguments)
        case .dictionary(let dictionary): return try call(name, on: dictionary, arguments)
        default: throw JinjaRuntimeError("'\(value.typeName)' object has no method '\(name)'")
        }
    }

    private static func call(_ name: String, on string: String, _ arguments: JinjaArgumentList) throws -> JinjaValue {
        switch name {
        case "strip", "lstrip", "rstrip":
            let characters = try arguments.optionalString(0, "chars")
            return .string(string.pythonStripped(characters, leading: name != "rstrip", trailing: name != "lstrip"))
        case "upper": return .string(string.uppercased())
        case "lower": return .string(string.lowercased())
        case "title": return .string(string.pythonTitleCased())
        case "capitalize": return .string(string.pythonCapitalized())
        case "startswith", "endswith":
            let affixes: [JinjaValue]
            switch try arguments.required(0, "prefix") {
            case .tuple(let elements), .list(let elements): affixes = elements
            case let single: affixes = [single]
            }
            let scalars = Array(string.unicodeScalars)
            return .boolean(try affixes.contains { affix in
                guard case .string(let text) = affix else { throw JinjaRuntimeError("\(name) needs strings") }
                let affixScalars = Array(text.unicodeScalars)
                return name == "startswith" ? scalars.starts(with: affixScalars)
                    : scalars.reversed().starts(with: affixScalars.reversed())
            })
        case "split":
            let parts = try string.pythonSplit(separator: try arguments.optionalString(0, "sep"),
                                               maxSplits: try arguments.optionalInteger(1, "maxsplit") ?? -1)
            return .list(parts.map { .string($0) })
        default:  // replace
            let old = try arguments.string(0, "old"), new = try arguments.string(1, "new")
            return .string(string.pythonReplacing(old, with: new, count: try arguments.optionalInteger(2, "count") ?? -1))
        }
    }

    private static func call(_ name: String, on dictionary: JinjaDictionary, _ arguments: JinjaArgumentList) throws -> JinjaValue {
        switch name {
        case "items": return .list(dictionary.entries.map { .tuple([.string($0.key), $0.value]) })
        case "keys": return .list(dictionary.keys.map { .string($0) })
        case "values": return .list(dictionary.entries.map(\.value))
        default:  // get
            let key = try arguments.string(0, "key")
            return dictionary[key] ?? arguments.optional(1, "default") ?? .none
        }
    }

    static func call(_ function: JinjaFunction, positional: [JinjaValue], keyword: [(name: String, value: JinjaValue)]) throws -> JinjaValue {
        let arguments = JinjaArgumentList(positional: positional, keyword: keyword, function: function.rawValue)
        switch function {
        case .range:
            let numbers = try positional.map { value -> Int in
                guard let integer = value.integer else { throw JinjaRuntimeError("range() needs integers") }
                return integer
            }
            guard (1...3).contains(numbers.count) else { throw JinjaRuntimeError("range() takes 1 to 3 arguments") }
            let step = numbers.count == 3 ? numbers[2] : 1
            guard step != 0 else { throw JinjaRuntimeError("range() step must not be zero") }
            let (start, stop) = numbers.count == 1 ? (0, numbers[0]) : (numbers[0], numbers[1])
            return .list(stride(from: start, to: stop, by: step).map { .integer($0) })
        case .namespace, .dict:
            var attributes = JinjaDictionary()
            if case .dictionary(let initial)? = positional.first { attributes = initial }
            for (key, value) in keyword { attributes[key] = value }
            return function == .dict ? .dictionary(attributes) : .namespace(JinjaNamespace(attributes))
        case .strftimeNow:
            return .string(formatCurrentTime(try arguments.string(0, "format")))
        case .raiseException:
            throw JinjaRuntimeError(positional.first?.text ?? "")
        }
    }

    /// The local time formatted like Python's `datetime.now().strftime(format)` (C `strftime`).
    private static func formatCurrentTime(_ format: String) -> String {
        var now = time(nil)
        var components = tm()
        localtime_r(&now, &components)
        var buffer = [CChar](repeating: 0, count: 256)
        let length = strftime(&buffer, buffer.count, format, &components)
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// The arguments of a call, read by position or keyword like Python parameters.
struct JinjaArgumentList {
    let positional: [JinjaValue]
    let keyword: [(name: String, value: JinjaValue)]
    /// The function called, for error messages.
    let function: String

    func optional(_ position: Int, _ name: String) -> JinjaValue? {
        position < positional.count ? positional[position] : self.keyword(name)
    }

    /// A keyword-only argument.
    func keyword(_ name: String) -> JinjaValue? {
        keyword.first { $0.name == name }?.value
    }

    func required(_ position: Int, _ name: String) throws -> JinjaValue {
        guard let value = optional(position, name) else { throw JinjaRuntimeError("\(function)() needs '\(name)'") }
        return value
    }

    func string(_ position: Int, _ name: String) throws -> String {
        guard case .string(let string) = try required(position, name) else {
            throw JinjaRuntimeError("\(function)(): '\(name)' must be a string")
        }
        return string
    }

    /// A string argument that may be absent or `none`.
    func optionalString(_ position: Int, _ name: String) throws -> String? {
        switch optional(position, name) {
        case nil, .none?: return nil
        case .string(let string)?: return string
        default: throw JinjaRuntimeError("\(function)(): '\(name)' must be a string")
        }
    }

    func optionalInteger(_ position: Int, _ name: String) throws -> Int? {
        switch optional(position, name) {
        case nil, .none?: return nil
        case let value?:
            guard let integer = value.integer else { throw JinjaRuntimeError("\(function)(): '\(name)' must be an integer") }
            return integer
        }
    }

    func optionalBoolean(_ position: Int, _ name: String) -> Bool? {
        optional(position, name).map(\.isTruthy)
    }
}
