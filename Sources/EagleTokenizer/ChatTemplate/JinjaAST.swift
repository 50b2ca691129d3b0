/// A position in a template's source, 1-based.
struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    var line: Int
    var column: Int

    var description: String { "line \(line), column \(column)" }
}

/// A constant written in a template.
enum JinjaLiteral: Sendable {
    case none
    case boolean(Bool)
    case integer(Int)
    case float(Double)
    case string(String)
}

/// An expression of a template, with where it starts (for error messages).
struct JinjaExpression: Sendable {
    indirect enum Kind: Sendable {
        case literal(JinjaLiteral)
        case variable(String)
        case list([JinjaExpression])
        case tuple([JinjaExpression])
        case dictionary([(key: JinjaExpression, value: JinjaExpression)])
        /// `object.name`
        case attribute(JinjaExpression, name: String)
        /// `object[key]`
        case item(JinjaExpression, key: JinjaExpression)
        /// `object[start:stop:step]`
        case slice(JinjaExpression, start: JinjaExpression?, stop: JinjaExpression?, step: JinjaExpression?)
        /// `callee(arguments)`
        case call(JinjaExpression, JinjaArguments)
        /// `value | name(arguments)`
        case filter(JinjaExpression, name: String, JinjaArguments)
        /// `value is [not] name(arguments)`
        case test(JinjaExpression, name: String, JinjaArguments, negated: Bool)
        case unary(JinjaUnaryOperator, JinjaExpression)
        case binary(JinjaBinaryOperator, JinjaExpression, JinjaExpression)
        /// `then if condition else otherwise` (no `else`: undefined).
        case conditional(condition: JinjaExpression, then: JinjaExpression, otherwise: JinjaExpression?)
    }

    let kind: Kind
    let location: SourceLocation
}

/// The arguments of a call, filter or test.
struct JinjaArguments: Sendable {
    var positional: [JinjaExpression] = []
    var keyword: [(name: String, value: JinjaExpression)] = []
}

enum JinjaUnaryOperator: Sendable {
    case not, negate, plus
}

enum JinjaBinaryOperator: String, Sendable {
    case and, or
    case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case `in`, notIn = "not in"
    case add = "+", subtract = "-", multiply = "*", divide = "/", floorDivide = "//", modulo = "%", power = "**"
    /// `~`: string concatenation.
    case concatenate = "~"
}

/// A statement of a template: text, `{{ output }}` or a `{% tag %}`.
indirect enum JinjaStatement: Sendable {
    case text(String)
    case output(JinjaExpression)
    /// `{% if %}{% elif %}...{% else %}{% endif %}`
    case conditional(branches: [(condition: JinjaExpression, body: [JinjaStatement])], otherwise: [JinjaStatement])
    /// `{% for targets in iterable if filter %}...{% else %}...{% endfor %}`
    case loop(JinjaLoop)
    /// `{% set target = value %}`
    case assignment(JinjaAssignmentTarget, JinjaExpression)
    /// `{% break %}` / `{% continue %}`
    case breakLoop(SourceLocation)
    case continueLoop(SourceLocation)
}

struct JinjaLoop: Sendable {
    /// One name, or several to unpack each item into.
    let targets: [String]
    let iterable: JinjaExpression
    let filter: JinjaExpression?
    let body: [JinjaStatement]
    /// Rendered when there was nothing to iterate over.
    let otherwise: [JinjaStatement]
}

enum JinjaAssignmentTarget: Sendable {
    case variable(String)
    /// `{% set a, b = pair %}`
    case tuple([String])
    /// `{% set namespace.attribute = value %}`
    case namespaceAttribute(namespace: String, attribute: String)
}
