/// A GGUF metadata value (all GGUF value types).
public enum GGUFValue: Sendable, Equatable {
    case unsigned(UInt64)
    case signed(Int64)
    case float(Double)
    case bool(Bool)
    case string(String)
    case array([GGUFValue])

    public var int: Int? {
        switch self {
        case .unsigned(let v): Int(exactly: v)
        case .signed(let v): Int(exactly: v)
        default: nil
        }
    }

    public var double: Double? {
        switch self {
        case .float(let v): v
        case .unsigned(let v): Double(v)
        case .signed(let v): Double(v)
        default: nil
        }
    }

    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var bool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var array: [GGUFValue]? {
        if case .array(let a) = self { return a }
        return nil
    }
}
