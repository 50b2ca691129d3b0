/// A value while rendering a template. Templates are written for Jinja2 on Python, so values
/// follow Python's semantics: truthiness, `str()`/`repr()`, `==` across numbers, code-point strings.
enum JinjaValue {
    /// A name or member that does not exist (renders as "", is falsy, iterates as empty).
    case undefined(String)
    case none
    case boolean(Bool)
    case integer(Int)
    case float(Double)
    case string(String)
    case list([JinjaValue])
    case tuple([JinjaValue])
    case dictionary(JinjaDictionary)
    /// `namespace(...)`: the one mutable object, assigned with `{% set ns.name = ... %}`.
    case namespace(JinjaNamespace)
    /// A global function (`range`, `namespace`, `raise_exception`, ...).
    case function(JinjaFunction)

    init(_ literal: JinjaLiteral) {
        switch literal {
        case .none: self = .none
        case .boolean(let value): self = .boolean(value)
        case .integer(let value): self = .integer(value)
        case .float(let value): self = .float(value)
        case .string(let value): self = .string(value)
        }
    }

    var isUndefined: Bool {
        if case .undefined = self { return true }
        return false
    }

    var isNone: Bool {
        if case .none = self { return true }
        return false
    }

    /// Python's `bool(value)`.
    var isTruthy: Bool {
        switch self {
        case .undefined, .none: return false
        case .boolean(let value): return value
        case .integer(let value): return value != 0
        case .float(let value): return value != 0
        case .string(let value): return !value.isEmpty
        case .list(let elements), .tuple(let elements): return !elements.isEmpty
        case .dictionary(let dictionary): return !dictionary.isEmpty
        case .namespace, .function: return true
        }
    }

    /// Python's type name, for error messages.
    var typeName: String {
        switch self {
        case .undefined: return "undefined"
        case .none: return "NoneType"
        case .boolean: return "bool"
        case .integer: return "int"
        case .float: return "float"
        case .string: return "str"
        case .list: return "list"
        case .tuple: return "tuple"
        case .dictionary: return "dict"
        case .namespace: return "Namespace"
        case .function: return "function"
        }
    }

    /// The number, for arithmetic (`bool` counts as an integer, as in Python).
    var number: Double? {
        switch self {
        case .boolean(let value): return value ? 1 : 0
        case .integer(let value): return Double(value)
        case .float(let value): return value
        default: return nil
        }
    }

    /// The integer, for integer arithmetic and indexing (`bool` included).
    var integer: Int? {
        switch self {
        case .boolean(let value): return value ? 1 : 0
        case .integer(let value): return value
        default: return nil
        }
    }

    /// What `{{ value }}` prints: Python's `str(value)`, and "" for undefined.
    var text: String {
        switch self {
        case .undefined: return ""
        case .string(let value): return value
        default: return representation
        }
    }

    /// Python's `repr(value)` (`str()` too, except for strings).
    var representation: String {
        switch self {
        case .undefined: return ""
        case .none: return "None"
        case .boolean(let value): return value ? "True" : "False"
        case .integer(let value): return String(value)
        case .float(let value): return Self.pythonRepresentation(of: value)
        case .string(let value): return Self.pythonRepresentation(of: value)
        case .list(let elements): return "[" + elements.map(\.representation).joined(separator: ", ") + "]"
        case .tuple(let elements):
            return "(" + elements.map(\.representation).joined(separator: ", ") + (elements.count == 1 ? ",)" : ")")
        case .dictionary(let dictionary):
            return "{" + dictionary.entries.map { "\(Self.pythonRepresentation(of: $0.key)): \($0.value.representation)" }
                .joined(separator: ", ") + "}"
        case .namespace(let namespace): return "<Namespace \(JinjaValue.dictionary(namespace.attributes).representation)>"
        case .function(let function): return "<function \(function.rawValue)>"
        }
    }

    /// Python's `repr(float)`: shortest round-trip digits, positional below 1e16.
    static func pythonRepresentation(of value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if value == value.rounded(), abs(value) < 1e16 { return String(Int64(value)) + ".0" }
        return "\(value)"
    }

    /// Python's `repr(str)`: single quotes unless the text contains only single ones.
    static func pythonRepresentation(of string: String) -> String {
        let quote: Unicode.Scalar = string.unicodeScalars.contains("'") && !string.unicodeScalars.contains("\"") ? "\"" : "'"
        var result = String.UnicodeScalarView([quote])
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\\": result.append(contentsOf: #"\\"#.unicodeScalars)
            case "\n": result.append(contentsOf: #"\n"#.unicodeScalars)
            case "\r": result.append(contentsOf: #"\r"#.unicodeScalars)
            case "\t": result.append(contentsOf: #"\t"#.unicodeScalars)
            case quote: result.append(contentsOf: ["\\", quote])
            case _ where scalar.value < 0x20 || (0x7F...0xA0).contains(scalar.value):
                let hex = String(scalar.value, radix: 16)
                result.append(contentsOf: ("\\x" + String(repeating: "0", count: 2 - hex.count) + hex).unicodeScalars)
            default: result.append(scalar)
            }
        }
        result.append(quote)
        return String(result)
    }
}

/// A Python `dict` with string keys, keeping insertion order.
struct JinjaDictionary {
    private(set) var keys: [String] = []
    private var values: [String: JinjaValue] = [:]

    init(_ entries: [(key: String, value: JinjaValue)] = []) {
        for (key, value) in entries { self[key] = value }
    }

    var isEmpty: Bool { keys.isEmpty }
    var count: Int { keys.count }
    var entries: [(key: String, value: JinjaValue)] { keys.compactMap { key in values[key].map { (key, $0) } } }

    subscript(key: String) -> JinjaValue? {
        get { values[key] }
        set {
            if values[key] == nil, newValue != nil { keys.append(key) }
            if newValue == nil { keys.removeAll { $0 == key } }
            values[key] = newValue
        }
    }
}

/// The object `namespace(...)` creates; shared by reference, so loops can update it.
final class JinjaNamespace {
    var attributes: JinjaDictionary

    init(_ attributes: JinjaDictionary) {
        self.attributes = attributes
    }
}

/// The global functions of transformers' template environment.
enum JinjaFunction: String, CaseIterable {
    case range, namespace, dict
    case raiseException = "raise_exception"
    case strftimeNow = "strftime_now"
}
