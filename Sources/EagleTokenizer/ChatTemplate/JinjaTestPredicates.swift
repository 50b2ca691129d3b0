/// The predicates of `value is name(arguments)` (Jinja2 calls them tests).
enum JinjaTestPredicates {
    static let names: Set<String> = [
        "defined", "undefined", "none", "string", "number", "integer", "float", "boolean", "true", "false",
        "mapping", "iterable", "sequence", "callable", "odd", "even", "divisibleby", "equalto", "eq", "ne",
        "lt", "le", "gt", "ge", "in", "lower", "upper",
    ]

    static func apply(_ name: String, to value: JinjaValue, arguments: [JinjaValue]) throws -> Bool {
        func argument() throws -> JinjaValue {
            guard let first = arguments.first else { throw JinjaRuntimeError("the test '\(name)' needs an argument") }
            return first
        }
        func integer() throws -> Int {
            guard let integer = value.integer else { throw JinjaRuntimeError("the test '\(name)' needs an integer") }
            return integer
        }
        switch (name, value) {
        case ("defined", _): return !value.isUndefined
        case ("undefined", _): return value.isUndefined
        case ("none", .none), ("string", .string), ("integer", .integer), ("float", .float), ("boolean", .boolean),
             ("mapping", .dictionary), ("callable", .function):
            return true
        case ("number", _): return value.number != nil
        case ("true", .boolean(let flag)): return flag
        case ("false", .boolean(let flag)): return !flag
        case ("iterable", .string), ("iterable", .list), ("iterable", .tuple), ("iterable", .dictionary),
             ("iterable", .undefined), ("sequence", .string), ("sequence", .list), ("sequence", .tuple),
             ("sequence", .dictionary), ("sequence", .undefined):
            return true
        case ("odd", _): return try integer() % 2 != 0
        case ("even", _): return try integer() % 2 == 0
        case ("divisibleby", _):
            guard let divisor = try argument().integer, divisor != 0 else {
                throw JinjaRuntimeError("divisibleby needs a non-zero integer")
            }
            return try integer() % divisor == 0
        case ("equalto", _), ("eq", _): return JinjaOperators.areEqual(value, try argument())
        case ("ne", _): return !JinjaOperators.areEqual(value, try argument())
        case ("lt", _): return try JinjaOperators.compare(value, try argument(), .less) < 0
        case ("le", _): return try JinjaOperators.compare(value, try argument(), .lessOrEqual) <= 0
        case ("gt", _): return try JinjaOperators.compare(value, try argument(), .greater) > 0
        case ("ge", _): return try JinjaOperators.compare(value, try argument(), .greaterOrEqual) >= 0
        case ("in", _): return try JinjaOperators.contains(try argument(), value)
        case ("lower", .string(let text)): return hasCasedLetters(text, allMatching: \.isLowercase)
        case ("upper", .string(let text)): return hasCasedLetters(text, allMatching: \.isUppercase)
        default: return false
        }
    }

    /// Python's `str.islower()` / `str.isupper()`: some cased letter, and every one matches.
    private static func hasCasedLetters(_ text: String, allMatching matches: (Unicode.Scalar.Properties) -> Bool) -> Bool {
        let cased = text.unicodeScalars.map(\.properties).filter(\.isCased)
        return !cased.isEmpty && cased.allSatisfy(matches)
    }
}
