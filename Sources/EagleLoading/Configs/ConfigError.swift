/// Errors in `config.json`-style files. Each names the file and the key path.
public enum ConfigError: Error, Equatable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case missingField(file: String, path: String)
    case wrongType(file: String, path: String, expected: String)
    case invalidValue(file: String, path: String, reason: String)
    case unsupportedArchitecture(file: String, found: String, supported: [String])

    public var description: String {
        switch self {
        case .unreadable(let file, let reason): "\(file): \(reason)"
        case .missingField(let file, let path): "\(file): missing field '\(path)'"
        case .wrongType(let file, let path, let expected): "\(file): field '\(path)' must be \(expected)"
        case .invalidValue(let file, let path, let reason): "\(file): field '\(path)': \(reason)"
        case .unsupportedArchitecture(let file, let found, let supported):
            "\(file): unsupported architecture '\(found)' (supported: \(supported.joined(separator: ", ")))"
        }
    }
}

extension ConfigError {
    /// Throws `invalidValue` unless every value is positive; `fields` pairs each value with its key.
    static func requirePositive(_ fields: KeyValuePairs<String, Int>, file: String) throws {
        for (key, value) in fields where value <= 0 {
            throw ConfigError.invalidValue(file: file, path: key, reason: "must be positive, got \(value)")
        }
    }
}
