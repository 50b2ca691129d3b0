/// An error of a filter, test, method or operator; the evaluator adds the template position.
struct JinjaRuntimeError: Error {
    let message: String

    init(_ message: String) {
        self.message = message
    }
}

/// Renders template statements. Scoping follows Jinja2: every loop iteration gets its own scope,
/// so `{% set %}` inside a loop is not seen after it (use a namespace for that).
struct JinjaEvaluator {
    /// Whether statements ran to their end or hit `{% break %}` / `{% continue %}`.
    enum Flow {
        case normal, breakLoop, continueLoop
    }

    private var scopes: [[String: JinjaValue]]
    private(set) var output = ""

    init(variables: [String: JinjaValue]) {
        scopes = [variables]
    }

    mutating func execute(_ statements: [JinjaStatement]) throws -> Flow {
        for statement in statements {
            switch statement {
            case .text(let text):
                output += text
            case .output(let expression):
                output += try evaluate(expression).text
            case let .conditional(branches, otherwise):
                let body = try branches.first { try evaluate($0.condition).isTruthy }?.body ?? otherwise
                let flow = try execute(body)
                if flow != .normal { return flow }
            case .loop(let loop):
                try execute(loop)
            case let .assignment(target, expression):
                try assign(try evaluate(expression), to: target, at: expression.location)
            case .breakLoop:
                return .breakLoop
            case .continueLoop:
                return .continueLoop
            }
        }
        return .normal
    }

    private mutating func execute(_ loop: JinjaLoop) throws {
        let iterable = try evaluate(loop.iterable)
        var items = try Self.locating(loop.iterable.location) { try JinjaOperators.elements(of: iterable) }
        if let filter = loop.filter {
            items = try items.filter { item in
                try withScope(binding: loop.targets, to: item, at: loop.iterable.location, extra: [:]) {
                    try $0.evaluate(filter).isTruthy
                }
            }
        }
        guard !items.isEmpty else {
            _ = try execute(loop.otherwise)
            return
        }
        for (index, item) in items.enumerated() {
            let loopVariable = JinjaDictionary([
                ("index", .integer(index + 1)), ("index0", .integer(index)),
                ("revindex", .integer(items.count - index)), ("revindex0", .integer(items.count - index - 1)),
                ("first", .boolean(index == 0)), ("last", .boolean(index == items.count - 1)),
                ("length", .integer(items.count)),
                ("previtem", index > 0 ? items[index - 1] : .undefined("loop.previtem")),
                ("nextitem", index + 1 < items.count ? items[index + 1] : .undefined("loop.nextitem")),
            ])
            let flow = try withScope(binding: loop.targets, to: item, at: loop.iterable.location,
                                     extra: ["loop": .dictionary(loopVariable)]) { try $0.execute(loop.body) }
            if flow == .breakLoop { break }
        }
    }

    /// Runs `body` in a new innermost scope holding `targets` (unpacked from `item`) and `extra`.
    private mutating func withScope<Result>(binding targets: [String], to item: JinjaValue, at location: SourceLocation,
                                            extra: [String: JinjaValue],
                                            _ body: (inout JinjaEvaluator) throws -> Result) throws -> Result {
        var scope = extra
        for (name, value) in try Self.locating(location, { try Self.unpack(item, into: targets) }) { scope[name] = value }
        scopes.append(scope)
        defer { scopes.removeLast() }
        return try body(&self)
    }

    private mutating func assign(_ value: JinjaValue, to target: JinjaAssignmentTarget, at location: SourceLocation) throws {
        switch target {
        case .variable(let name):
            scopes[scopes.count - 1][name] = value
        case .tuple(let names):
            for (name, element) in try Self.locating(location, { try Self.unpack(value, into: names) }) {
                scopes[scopes.count - 1][name] = element
            }
        case let .namespaceAttribute(name, attribute):
            guard case .namespace(let namespace) = lookUp(name) else {
                throw ChatTemplateError.evaluation("'\(name)' is not a namespace; only namespace attributes can be set",
                                                   at: location)
            }
            namespace.attributes[attribute] = value
        }
    }

    /// `[(name, value)]` for `for a, b in ...` / `set a, b = ...`; a single name takes the item whole.
    private static func unpack(_ item: JinjaValue, into names: [String]) throws -> [(String, JinjaValue)] {
        guard names.count > 1 else { return [(names[0], item)] }
        let elements = try JinjaOperators.elements(of: item)
        guard elements.count == names.count else {
            throw JinjaRuntimeError("cannot unpack \(elements.count) values into \(names.count) names")
        }
        return Array(zip(names, elements))
    }

    private func lookUp(_ name: String) -> JinjaValue {
        for scope in scopes.reversed() {
            if let value = scope[name] { return value }
        }
        return .undefined(name)
    }

    /// Runs `body`, giving its `JinjaRuntimeError` the template position `location`.
    private static func locating<Result>(_ location: SourceLocation, _ body: () throws -> Result) throws -> Result {
        do {
            return try body()
        } catch let error as JinjaRuntimeError {
            throw ChatTemplateError.evaluation(error.message, at: location)
        }
    }

    // MARK: Expressions

    func evaluate(_ expression: JinjaExpression) throws -> JinjaValue {
        let location = expression.location
        switch expression.kind {
        case .literal(let literal):
            return JinjaValue(literal)
        case .variable(let name):
            return lookUp(name)
        case .list(let elements):
            return .list(try elements.map { try evaluate($0) })
        case .tuple(let elements):
            return .tuple(try elements.map { try evaluate($0) })
        case .dictionary(let entries):
            var dictionary = JinjaDictionary()
            for entry in entries {
                guard case .string(let key) = try evaluate(entry.key) else {
                    throw ChatTemplateError.evaluation("dictionary keys must be strings", at: entry.key.location)
                }
                dictionary[key] = try evaluate(entry.value)
            }
            return .dictionary(dictionary)
        case let .attribute(object, name):
            let value = try evaluate(object)
            return try Self.locating(location) { try JinjaOperators.member(name, of: value) }
        case let .item(object, key):
            let value = try evaluate(object), keyValue = try evaluate(key)
            return try Self.locating(location) { try JinjaOperators.item(keyValue, of: value) }
        case let .slice(object, start, stop, step):
            let value = try evaluate(object)
            let bounds = try [start, stop, step].map { try $0.map { try evaluate($0) } }
            return try Self.locating(location) { try JinjaOperators.slice(value, start: bounds[0], stop: bounds[1], step: bounds[2]) }
        case let .call(callee, arguments):
            return try call(callee, arguments, at: location)
        case let .filter(value, name, arguments):
            let input = try evaluate(value)
            let (positional, keyword) = try evaluate(arguments)
            return try Self.locating(location) {
                try JinjaFilters.apply(name, to: input, positional: positional, keyword: keyword)
            }
        case let .test(value, name, arguments, negated):
            let input = try evaluate(value)
            let (positional, _) = try evaluate(arguments)
            let result = try Self.locating(location) { try JinjaTestPredicates.apply(name, to: input, arguments: positional) }
            return .boolean(result != negated)
        case let .unary(unaryOperator, operand):
            let value = try evaluate(operand)
            return try Self.locating(location) { try JinjaOperators.apply(unaryOperator, to: value) }
        case let .binary(.and, left, right):
            let value = try evaluate(left)
            return value.isTruthy ? try evaluate(right) : value
        case let .binary(.or, left, right):
            let value = try evaluate(left)
            return value.isTruthy ? value : try evaluate(right)
        case let .binary(binaryOperator, left, right):
            let leftValue = try evaluate(left), rightValue = try evaluate(right)
            return try Self.locating(location) { try JinjaOperators.apply(binaryOperator, leftValue, rightValue) }
        case let .conditional(condition, then, otherwise):
            if try evaluate(condition).isTruthy { return try evaluate(then) }
            return try otherwise.map { try evaluate($0) } ?? .undefined("conditional without else")
        }
    }

    private func evaluate(_ arguments: JinjaArguments) throws -> ([JinjaValue], [(name: String, value: JinjaValue)]) {
        (try arguments.positional.map { try evaluate($0) }, try arguments.keyword.map { ($0.name, try evaluate($0.value)) })
    }

    /// A method (`text.strip()`, `message.items()`) or a global function.
    private func call(_ callee: JinjaExpression, _ arguments: JinjaArguments,
                               at location: SourceLocation) throws -> JinjaValue {
        if case let .attribute(objectExpression, name) = callee.kind {
            let object = try evaluate(objectExpression)
            if JinjaMethods.has(name, on: object) {
                let (positional, keyword) = try evaluate(arguments)
                return try Self.locating(location) {
                    try JinjaMethods.call(name, on: object, positional: positional, keyword: keyword)
                }
            }
        }
        let function = try evaluate(callee)
        let (positional, keyword) = try evaluate(arguments)
        guard case .function(let global) = function else {
            throw ChatTemplateError.evaluation("\(function.isUndefined ? "undefined" : "'\(function.typeName)'") "
                                                   + "object is not callable", at: location)
        }
        if global == .raiseException {
            throw ChatTemplateError.raised(positional.first?.text ?? "", line: location.line, column: location.column)
        }
        return try Self.locating(location) { try JinjaMethods.call(global, positional: positional, keyword: keyword) }
    }
}
