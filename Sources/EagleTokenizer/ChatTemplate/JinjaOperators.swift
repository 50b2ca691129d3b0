import Foundation

/// Python's operators, iteration, member and item access and slicing on template values.
enum JinjaOperators {
    /// What `for x in value` iterates: list items, dict keys, string characters (code points).
    static func elements(of value: JinjaValue) throws -> [JinjaValue] {
        switch value {
        case .list(let elements), .tuple(let elements): return elements
        case .dictionary(let dictionary): return dictionary.keys.map { .string($0) }
        case .string(let string): return string.unicodeScalars.map { .string(String($0)) }
        case .undefined: return []
        default: throw JinjaRuntimeError("'\(value.typeName)' object is not iterable")
        }
    }

    /// `value.name`: a dict entry or namespace attribute (undefined when missing).
    static func member(_ name: String, of value: JinjaValue) throws -> JinjaValue {
        switch value {
        case .undefined(let undefinedName): throw JinjaRuntimeError("'\(undefinedName)' is undefined")
        case .dictionary(let dictionary): return dictionary[name] ?? .undefined("'dict object' has no attribute '\(name)'")
        case .namespace(let namespace): return namespace.attributes[name] ?? .undefined("namespace has no attribute '\(name)'")
        default: return .undefined("'\(value.typeName) object' has no attribute '\(name)'")
        }
    }

    /// `value[key]`: dict entries, list/tuple/string positions (negative from the end).
    static func item(_ key: JinjaValue, of value: JinjaValue) throws -> JinjaValue {
        let missing = JinjaValue.undefined("'\(value.typeName) object' has no item \(key.representation)")
        switch (value, key) {
        case (.undefined(let name), _):
            throw JinjaRuntimeError("'\(name)' is undefined")
        case (.dictionary, .string(let name)), (.namespace, .string(let name)):
            return try member(name, of: value)
        case (.list(let elements), _), (.tuple(let elements), _):
            guard let index = key.integer.flatMap({ position($0, count: elements.count) }) else { return missing }
            return elements[index]
        case (.string(let string), _):
            let scalars = Array(string.unicodeScalars)
            guard let index = key.integer.flatMap({ position($0, count: scalars.count) }) else { return missing }
            return .string(String(scalars[index]))
        default:
            return missing
        }
    }

    private static func position(_ index: Int, count: Int) -> Int? {
        let position = index < 0 ? index + count : index
        return (0..<count).contains(position) ? position : nil
    }

    /// `value[start:stop:step]` with Python's clamping of out-of-range bounds.
    static func slice(_ value: JinjaValue, start: JinjaValue?, stop: JinjaValue?, step: JinjaValue?) throws -> JinjaValue {
        func bound(_ bound: JinjaValue?) throws -> Int? {
            guard let bound, !bound.isUndefined, !bound.isNone else { return nil }
            guard let integer = bound.integer else { throw JinjaRuntimeError("slice indices must be integers") }
            return integer
        }
        let stride = try bound(step) ?? 1
        guard stride != 0 else { throw JinjaRuntimeError("slice step cannot be zero") }
        func indices(count: Int) throws -> [Int] {
            func adjust(_ index: Int?, default defaultIndex: Int) -> Int {
                guard var index else { return defaultIndex }
                if index < 0 {
                    index += count
                    if index < 0 { index = stride < 0 ? -1 : 0 }
                } else if index >= count {
                    index = stride < 0 ? count - 1 : count
                }
                return index
            }
            let first = adjust(try bound(start), default: stride < 0 ? count - 1 : 0)
            let end = adjust(try bound(stop), default: stride < 0 ? -1 : count)
            return Array(Swift.stride(from: first, to: end, by: stride))
        }
        switch value {
        case .list(let elements): return .list(try indices(count: elements.count).map { elements[$0] })
        case .tuple(let elements): return .tuple(try indices(count: elements.count).map { elements[$0] })
        case .string(let string):
            let scalars = Array(string.unicodeScalars)
            return .string(String(scalars: try indices(count: scalars.count).map { scalars[$0] }))
        case .undefined(let name): throw JinjaRuntimeError("'\(name)' is undefined")
        default: throw JinjaRuntimeError("'\(value.typeName)' object is not subscriptable")
        }
    }

    static func apply(_ unaryOperator: JinjaUnaryOperator, to value: JinjaValue) throws -> JinjaValue {
        switch (unaryOperator, value) {
        case (.not, _): return .boolean(!value.isTruthy)
        case (.negate, .float(let number)): return .float(-number)
        case (.negate, _):
            guard let integer = value.integer else { throw unsupported("unary -", value) }
            return .integer(-integer)
        case (.plus, .float): return value
        case (.plus, _):
            guard let integer = value.integer else { throw unsupported("unary +", value) }
            return .integer(integer)
        }
    }

    static func apply(_ binaryOperator: JinjaBinaryOperator, _ left: JinjaValue, _ right: JinjaValue) throws -> JinjaValue {
        switch binaryOperator {
        case .and: return left.isTruthy ? right : left
        case .or: return left.isTruthy ? left : right
        case .equal: return .boolean(areEqual(left, right))
        case .notEqual: return .boolean(!areEqual(left, right))
        case .less: return .boolean(try compare(left, right, binaryOperator) < 0)
        case .lessOrEqual: return .boolean(try compare(left, right, binaryOperator) <= 0)
        case .greater: return .boolean(try compare(left, right, binaryOperator) > 0)
        case .greaterOrEqual: return .boolean(try compare(left, right, binaryOperator) >= 0)
        case .in: return .boolean(try contains(right, left))
        case .notIn: return .boolean(try !contains(right, left))
        case .concatenate: return .string(left.text + right.text)
        default: return try arithmetic(binaryOperator, left, right)
        }
    }

    private static func arithmetic(_ binaryOperator: JinjaBinaryOperator, _ left: JinjaValue,
                                   _ right: JinjaValue) throws -> JinjaValue {
        for case .undefined(let name) in [left, right] { throw JinjaRuntimeError("'\(name)' is undefined") }
        switch (binaryOperator, left, right) {
        case (.add, .string(let a), .string(let b)): return .string(a + b)
        case (.add, .list(let a), .list(let b)): return .list(a + b)
        case (.add, .tuple(let a), .tuple(let b)): return .tuple(a + b)
        case (.multiply, .string(let text), _) where right.integer != nil:
            return .string(String(repeating: text, count: max(0, right.integer ?? 0)))
        case (.multiply, .list(let elements), _) where right.integer != nil:
            return .list(Array(repeatElement(elements, count: max(0, right.integer ?? 0)).joined()))
        default: break
        }
        guard let a = left.number, let b = right.number else { throw unsupported(binaryOperator.rawValue, left, right) }
        if let x = left.integer, let y = right.integer {
            switch binaryOperator {
            case .add: return try integerResult(x.addingReportingOverflow(y))
            case .subtract: return try integerResult(x.subtractingReportingOverflow(y))
            case .multiply: return try integerResult(x.multipliedReportingOverflow(by: y))
            case .floorDivide, .modulo:
                guard y != 0 else { throw JinjaRuntimeError("integer division or modulo by zero") }
                // Python rounds the quotient down, so the remainder has the divisor's sign.
                let floored = x % y != 0 && (x < 0) != (y < 0) ? x / y - 1 : x / y
                return .integer(binaryOperator == .modulo ? x - floored * y : floored)
            case .power where y >= 0:
                let power = pow(Double(x), Double(y))
                guard abs(power) < 9.2e18 else { throw JinjaRuntimeError("integer result too large") }
                return .integer(Int(power))
            default: break
            }
        }
        switch binaryOperator {
        case .add: return .float(a + b)
        case .subtract: return .float(a - b)
        case .multiply: return .float(a * b)
        case .power: return .float(pow(a, b))
        default:
            guard b != 0 else { throw JinjaRuntimeError("division by zero") }
            switch binaryOperator {
            case .divide: return .float(a / b)
            case .floorDivide: return .float((a / b).rounded(.down))
            default: return .float(a - (a / b).rounded(.down) * b)
            }
        }
    }

    private static func integerResult(_ result: (partialValue: Int, overflow: Bool)) throws -> JinjaValue {
        guard !result.overflow else { throw JinjaRuntimeError("integer result too large") }
        return .integer(result.partialValue)
    }

    /// Python's `==`: numbers across types, strings by code points, containers element-wise.
    static func areEqual(_ left: JinjaValue, _ right: JinjaValue) -> Bool {
        switch (left, right) {
        case (.undefined, .undefined), (.none, .none): return true
        case (.string(let a), .string(let b)): return a.unicodeScalars.elementsEqual(b.unicodeScalars)
        case (.list(let a), .list(let b)), (.tuple(let a), .tuple(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { areEqual($0, $1) }
        case (.dictionary(let a), .dictionary(let b)):
            return a.count == b.count && a.entries.allSatisfy { entry in b[entry.key].map { areEqual(entry.value, $0) } ?? false }
        case (.namespace(let a), .namespace(let b)): return a === b
        case (.function(let a), .function(let b)): return a == b
        default:
            guard let a = left.number, let b = right.number else { return false }
            return a == b
        }
    }

    /// Python's ordering: numbers, strings (by code points), lists and tuples (lexicographic).
    static func compare(_ left: JinjaValue, _ right: JinjaValue, _ comparison: JinjaBinaryOperator) throws -> Int {
        switch (left, right) {
        case (.string(let a), .string(let b)):
            return a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) ? -1 : areEqual(left, right) ? 0 : 1
        case (.list(let a), .list(let b)), (.tuple(let a), .tuple(let b)):
            for (x, y) in zip(a, b) where !areEqual(x, y) { return try compare(x, y, comparison) }
            return a.count < b.count ? -1 : a.count == b.count ? 0 : 1
        default:
            guard let a = left.number, let b = right.number else { throw unsupported(comparison.rawValue, left, right) }
            return a < b ? -1 : a == b ? 0 : 1
        }
    }

    /// Python's `element in container`.
    static func contains(_ container: JinjaValue, _ element: JinjaValue) throws -> Bool {
        switch (container, element) {
        case (.string(let text), .string(let part)):
            let scalars = Array(text.unicodeScalars), partScalars = Array(part.unicodeScalars)
            guard !partScalars.isEmpty else { return true }
            guard partScalars.count <= scalars.count else { return false }
            return (0...(scalars.count - partScalars.count)).contains {
                scalars[$0..<($0 + partScalars.count)].elementsEqual(partScalars)
            }
        case (.string, _):
            throw JinjaRuntimeError("'in <string>' requires string as left operand, not \(element.typeName)")
        case (.dictionary(let dictionary), .string(let key)):
            return dictionary[key] != nil
        case (.dictionary, _):
            return false
        default:
            return try elements(of: container).contains { areEqual($0, element) }
        }
    }

    private static func unsupported(_ operation: String, _ values: JinjaValue...) -> JinjaRuntimeError {
        JinjaRuntimeError("unsupported operand type(s) for \(operation): "
                              + values.map { "'\($0.typeName)'" }.joined(separator: " and "))
    }
}
