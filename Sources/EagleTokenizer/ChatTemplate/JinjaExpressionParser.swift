/// Expressions, with Jinja2's precedence (lowest first): `x if c else y`, `or`, `and`, `not`,
/// comparisons and `in`, `+ -`, `~`, `* / // %`, `**`, unary `- +`, then primaries with their
/// postfixes (`.name`, `[key]`, `[a:b]`, calls) and filters and tests (`| f`, `is t`).
extension JinjaParser {
    mutating func parseExpression(allowingConditional: Bool = true) throws -> JinjaExpression {
        var expression = try parseOr()
        while allowingConditional, case .name("if") = peek.kind {
            advance()
            let condition = try parseOr()
            var otherwise: JinjaExpression?
            if case .name("else") = peek.kind {
                advance()
                otherwise = try parseExpression()
            }
            expression = JinjaExpression(kind: .conditional(condition: condition, then: expression, otherwise: otherwise),
                                         location: expression.location)
        }
        return expression
    }

    private mutating func parseOr() throws -> JinjaExpression {
        try parseLeftAssociative(operators: ["or": .or], operand: { try $0.parseAnd() })
    }

    private mutating func parseAnd() throws -> JinjaExpression {
        try parseLeftAssociative(operators: ["and": .and], operand: { try $0.parseNot() })
    }

    private mutating func parseNot() throws -> JinjaExpression {
        guard case .name("not") = peek.kind else { return try parseComparison() }
        let location = advance().location
        return JinjaExpression(kind: .unary(.not, try parseNot()), location: location)
    }

    /// `a < b < c` means `a < b and b < c`.
    private mutating func parseComparison() throws -> JinjaExpression {
        let first = try parseAdditive()
        var result: JinjaExpression?
        var left = first
        while let comparison = comparisonOperator() {
            let right = try parseAdditive()
            let pair = JinjaExpression(kind: .binary(comparison, left, right), location: left.location)
            result = result.map { JinjaExpression(kind: .binary(.and, $0, pair), location: first.location) } ?? pair
            left = right
        }
        return result ?? first
    }

    private mutating func comparisonOperator() -> JinjaBinaryOperator? {
        switch peek.kind {
        case .symbol(let symbol):
            guard let comparison = JinjaBinaryOperator(rawValue: symbol),
                  [.equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual].contains(comparison) else { return nil }
            advance()
            return comparison
        case .name("in"):
            advance()
            return .in
        case .name("not") where peekKind(after: 1) == .name("in"):
            advance()
            advance()
            return .notIn
        default:
            return nil
        }
    }

    private mutating func parseAdditive() throws -> JinjaExpression {
        try parseLeftAssociative(operators: ["+": .add, "-": .subtract], operand: { try $0.parseConcatenation() })
    }

    private mutating func parseConcatenation() throws -> JinjaExpression {
        try parseLeftAssociative(operators: ["~": .concatenate], operand: { try $0.parseMultiplicative() })
    }

    private mutating func parseMultiplicative() throws -> JinjaExpression {
        try parseLeftAssociative(operators: ["*": .multiply, "/": .divide, "//": .floorDivide, "%": .modulo],
                                 operand: { try $0.parsePower() })
    }

    private mutating func parsePower() throws -> JinjaExpression {
        try parseLeftAssociative(operators: ["**": .power], operand: { try $0.parseUnary() })
    }

    /// `operand (operator operand)*`, operators being symbols or the names `and`/`or`.
    private mutating func parseLeftAssociative(operators: [String: JinjaBinaryOperator],
                                               operand: (inout JinjaParser) throws -> JinjaExpression) throws -> JinjaExpression {
        var left = try operand(&self)
        while true {
            let text: String
            switch peek.kind {
            case .symbol(let symbol): text = symbol
            case .name(let name): text = name
            default: return left
            }
            guard let binary = operators[text] else { return left }
            advance()
            left = JinjaExpression(kind: .binary(binary, left, try operand(&self)), location: left.location)
        }
    }

    /// `-x` negates `x` without its filters: `-x | abs` is `(-x) | abs`, as in Jinja2.
    private mutating func parseUnary(withFilters: Bool = true) throws -> JinjaExpression {
        var expression: JinjaExpression
        if case .symbol(let symbol) = peek.kind, symbol == "-" || symbol == "+" {
            let location = advance().location
            expression = JinjaExpression(kind: .unary(symbol == "-" ? .negate : .plus, try parseUnary(withFilters: false)),
                                         location: location)
        } else {
            expression = try parsePrimary()
        }
        expression = try parsePostfix(expression)
        return withFilters ? try parseFiltersAndTests(expression) : expression
    }

    private mutating func parsePrimary() throws -> JinjaExpression {
        let token = advance()
        let kind: JinjaExpression.Kind
        switch token.kind {
        case .name("true"), .name("True"): kind = .literal(.boolean(true))
        case .name("false"), .name("False"): kind = .literal(.boolean(false))
        case .name("none"), .name("None"): kind = .literal(.none)
        case .name(let name): kind = .variable(name)
        case .string(var string):
            while case .string(let next) = peek.kind {
                string += next
                advance()
            }
            kind = .literal(.string(string))
        case .integer(let value): kind = .literal(.integer(value))
        case .float(let value): kind = .literal(.float(value))
        case .symbol("("):
            let items = try parseSequence(closing: ")")
            kind = items.elements.count == 1 && !items.hadTrailingComma ? items.elements[0].kind : .tuple(items.elements)
        case .symbol("["):
            kind = .list(try parseSequence(closing: "]").elements)
        case .symbol("{"):
            var entries: [(key: JinjaExpression, value: JinjaExpression)] = []
            while peek.kind != .symbol("}") {
                let key = try parseExpression()
                try expect(.symbol(":"), "':'")
                entries.append((key, try parseExpression()))
                guard peek.kind == .symbol(",") else { break }
                advance()
            }
            try expect(.symbol("}"), "'}'")
            kind = .dictionary(entries)
        default:
            throw syntaxError(expected: "an expression", found: token)
        }
        return JinjaExpression(kind: kind, location: token.location)
    }

    /// Comma-separated expressions up to `closing` (consumed).
    private mutating func parseSequence(closing: String) throws -> (elements: [JinjaExpression], hadTrailingComma: Bool) {
        var elements: [JinjaExpression] = []
        var hadTrailingComma = false
        while peek.kind != .symbol(closing) {
            elements.append(try parseExpression())
            hadTrailingComma = peek.kind == .symbol(",")
            guard hadTrailingComma else { break }
            advance()
        }
        try expect(.symbol(closing), "'\(closing)'")
        return (elements, hadTrailingComma)
    }

    private mutating func parsePostfix(_ expression: JinjaExpression) throws -> JinjaExpression {
        var expression = expression
        while true {
            let location = peek.location
            switch peek.kind {
            case .symbol("."):
                advance()
                let member = advance()
                switch member.kind {
                case .name(let name): expression = JinjaExpression(kind: .attribute(expression, name: name), location: location)
                case .integer(let value):
                    let key = JinjaExpression(kind: .literal(.integer(value)), location: location)
                    expression = JinjaExpression(kind: .item(expression, key: key), location: location)
                default:
                    throw syntaxError(expected: "an attribute name", found: member)
                }
            case .symbol("["):
                advance()
                expression = try parseSubscript(of: expression, at: location)
            case .symbol("("):
                advance()
                expression = JinjaExpression(kind: .call(expression, try parseArguments()), location: location)
            default:
                return expression
            }
        }
    }

    /// After `[`: `key]` or a slice `start:stop:step]` with every part optional.
    private mutating func parseSubscript(of object: JinjaExpression, at location: SourceLocation) throws -> JinjaExpression {
        func optionalPart(_ parser: inout JinjaParser) throws -> JinjaExpression? {
            [.symbol(":"), .symbol("]")].contains(parser.peek.kind) ? nil : try parser.parseExpression()
        }
        let start = try optionalPart(&self)
        guard peek.kind == .symbol(":") else {
            try expect(.symbol("]"), "']'")
            guard let start else { throw syntaxError(expected: "a subscript") }
            return JinjaExpression(kind: .item(object, key: start), location: location)
        }
        advance()
        let stop = try optionalPart(&self)
        var step: JinjaExpression?
        if peek.kind == .symbol(":") {
            advance()
            step = try optionalPart(&self)
        }
        try expect(.symbol("]"), "']'")
        return JinjaExpression(kind: .slice(object, start: start, stop: stop, step: step), location: location)
    }

    /// After `(`: positional and `name=value` arguments up to `)`.
    private mutating func parseArguments() throws -> JinjaArguments {
        var arguments = JinjaArguments()
        while peek.kind != .symbol(")") {
            if case .name(let name) = peek.kind, peekKind(after: 1) == .symbol("=") {
                advance()
                advance()
                arguments.keyword.append((name, try parseExpression()))
            } else {
                arguments.positional.append(try parseExpression())
            }
            guard peek.kind == .symbol(",") else { break }
            advance()
        }
        try expect(.symbol(")"), "')'")
        return arguments
    }

    private mutating func parseFiltersAndTests(_ expression: JinjaExpression) throws -> JinjaExpression {
        var expression = expression
        while true {
            let location = peek.location
            if peek.kind == .symbol("|") {
                advance()
                let name = try expectName()
                guard JinjaFilters.names.contains(name.text) else {
                    throw ChatTemplateError.syntax("no filter named '\(name.text)'", at: name.location)
                }
                var arguments = JinjaArguments()
                if peek.kind == .symbol("(") {
                    advance()
                    arguments = try parseArguments()
                }
                expression = JinjaExpression(kind: .filter(expression, name: name.text, arguments), location: location)
            } else if case .name("is") = peek.kind {
                advance()
                let negated = peek.kind == .name("not")
                if negated { advance() }
                let name = try expectName()
                guard JinjaTestPredicates.names.contains(name.text) else {
                    throw ChatTemplateError.syntax("no test named '\(name.text)'", at: name.location)
                }
                var arguments = JinjaArguments()
                if peek.kind == .symbol("(") {
                    advance()
                    arguments = try parseArguments()
                } else if startsTestArgument {
                    arguments.positional = [try parsePostfix(try parsePrimary())]
                }
                expression = JinjaExpression(kind: .test(expression, name: name.text, arguments, negated: negated),
                                             location: location)
            } else if peek.kind == .symbol("(") {
                advance()
                expression = JinjaExpression(kind: .call(expression, try parseArguments()), location: location)
            } else {
                return expression
            }
        }
    }

    /// Whether a test's single argument without parentheses follows (`x is equalto 3`).
    private var startsTestArgument: Bool {
        switch peek.kind {
        case .name(let name): return !["else", "or", "and", "if", "in", "not", "is"].contains(name)
        case .string, .integer, .float, .symbol("["), .symbol("{"): return true
        default: return false
        }
    }

}
