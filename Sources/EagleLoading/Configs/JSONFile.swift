import Foundation

/// Typed, path-aware access to a JSON object, so that a bad config names the exact key:
/// `try config.int("num_attention_heads")` throws "config.json: missing field 'num_attention_heads'".
public struct JSONFile: Sendable {
    public let file: String
    public let path: String
    public let storage: [String: JSONValue]

    /// Parses a JSON object from `url`.
    public init(_ url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ConfigError.unreadable(file: url.path, reason: "cannot read file")
        }
        try self.init(data: data, file: url.path)
    }

    /// Parses a JSON object from bytes; `file` is used in error messages.
    public init(data: Data, file: String) throws {
        guard case .object(let object)? = try? JSONValue.parse(data) else {
            throw ConfigError.unreadable(file: file, reason: "not a JSON object")
        }
        self.init(storage: object, file: file, path: "")
    }

    public init(storage: [String: JSONValue], file: String, path: String = "") {
        self.storage = storage
        self.file = file
        self.path = path
    }

    public var keys: [String] { Array(storage.keys) }

    public func has(_ key: String) -> Bool {
        if let value = storage[key] { return value != .null }
        return false
    }

    private func qualified(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private func value(_ key: String) throws -> JSONValue {
        guard let value = storage[key], value != .null else {
            throw ConfigError.missingField(file: file, path: qualified(key))
        }
        return value
    }

    public func int(_ key: String) throws -> Int {
        if case .int(let i) = try value(key) { return i }
        throw ConfigError.wrongType(file: file, path: qualified(key), expected: "an integer")
    }

    public func int(_ key: String, default fallback: Int) throws -> Int {
        has(key) ? try int(key) : fallback
    }

    public func optionalInt(_ key: String) throws -> Int? { has(key) ? try int(key) : nil }

    public func double(_ key: String) throws -> Double {
        switch try value(key) {
        case .double(let d): return d
        case .int(let i): return Double(i)
        default: break
        }
        throw ConfigError.wrongType(file: file, path: qualified(key), expected: "a number")
    }

    public func double(_ key: String, default fallback: Double) throws -> Double {
        has(key) ? try double(key) : fallback
    }

    public func bool(_ key: String, default fallback: Bool) throws -> Bool {
        guard has(key) else { return fallback }
        if case .bool(let b) = try value(key) { return b }
        throw ConfigError.wrongType(file: file, path: qualified(key), expected: "true or false")
    }

    public func string(_ key: String) throws -> String {
        if case .string(let s) = try value(key) { return s }
        throw ConfigError.wrongType(file: file, path: qualified(key), expected: "a string")
    }

    public func optionalString(_ key: String) throws -> String? { has(key) ? try string(key) : nil }

    public func object(_ key: String) throws -> JSONFile {
        if case .object(let o) = try value(key) { return JSONFile(storage: o, file: file, path: qualified(key)) }
        throw ConfigError.wrongType(file: file, path: qualified(key), expected: "an object")
    }

    public func optionalObject(_ key: String) throws -> JSONFile? { has(key) ? try object(key) : nil }

    public func strings(_ key: String) throws -> [String] {
        if case .array(let a) = try value(key) {
            return try a.map {
                guard case .string(let s) = $0 else {
                    throw ConfigError.wrongType(file: file, path: qualified(key), expected: "a list of strings")
                }
                return s
            }
        }
        throw ConfigError.wrongType(file: file, path: qualified(key), expected: "a list of strings")
    }

    /// An integer or a list of integers (e.g. `eos_token_id`), as a list.
    public func ints(_ key: String) throws -> [Int] {
        let v = try value(key)
        if case .int(let i) = v { return [i] }
        if case .array(let a) = v {
            return try a.map {
                guard case .int(let i) = $0 else {
                    throw ConfigError.wrongType(file: file, path: qualified(key), expected: "an integer or a list of integers")
                }
                return i
            }
        }
        throw ConfigError.wrongType(file: file, path: qualified(key), expected: "an integer or a list of integers")
    }
}
