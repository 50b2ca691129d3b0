/// Parses template tokens into statements: text, `{{ }}` and the tags `if`/`elif`/`else`,
/// `for` (with `else` and an `if` filter), `set` (including namespace attributes), `break`,
/// `continue` and transformers' `generation`.
struct JinjaParser {
    private let tokens: [JinjaToken]
    private var index = 0
    private var loopDepth = 0

    /// The statements of `template`.
    static func parse(_ template: String) throws -> [JinjaStatement] {
        var parser = JinjaParser(tokens: try JinjaLexer.tokenize(template))
        return try parser.parseBody(closing: nil).statements
    }

    private init(tokens: [JinjaToken]) {
        self.tokens = tokens
    }

    // MARK: Statements

    /// Tags that only continue a block (`endif`, `endfor`... are recognized by their prefix).
    private static let continuationTags: Set<String> = ["elif", "else"]

    /// A tag that opened a block: its name, where it is, and the tags that may continue it.
    private struct OpenBlock {
        let name: String
        let location: SourceLocation
        let terminators: Set<String>
    }

    /// Statements up to one of `block`'s terminators (whose `{%` and name are consumed) or, at the
    /// top level, the end of the template.
    private mutating func parseBody(closing block: OpenBlock?) throws -> (statements: [JinjaStatement], terminator: String) {
        var statements: [JinjaStatement] = []
        while true {
            let token = advance()
            switch token.kind {
            case .text(let text):
                statements.append(.text(text))
            case .expressionStart:
                statements.append(.output(try parseExpression()))
                try expect(.expressionEnd, "'}}'")
            case .statementStart:
                let name = try expectName()
                if let block, block.terminators.contains(name.text) { return (statements, name.text) }
                if Self.continuationTags.contains(name.text) || name.text.hasPrefix("end") {
                    let expected = block.map {
                        " (expected " + $0.terminators.sorted().map { "'\($0)'" }.joined(separator: " or ") + ")"
                    }
                    throw ChatTemplateError.syntax("unexpected '\(name.text)'" + (expected ?? ""), at: name.location)
                }
                statements += try parseTag(name.text, at: name.location)
            case .endOfTemplate:
                guard let block else { return (statements, "") }
                throw ChatTemplateError.syntax(
                    "unexpected end of template: '\(block.name)' at \(block.location) is never closed (expected "
                        + block.terminators.sorted().map { "'\($0)'" }.joined(separator: " or ") + ")",
                    at: token.location)
            default:
                throw ChatTemplateError.syntax("unexpected token", at: token.location)
            }
        }
    }

    private mutating func parseTag(_ name: String, at location: SourceLocation) throws -> [JinjaStatement] {
        switch name {
        case "if":
            return [try parseConditional(at: location)]
        case "for":
            return [try parseLoop(at: location)]
        case "set":
            return [try parseAssignment()]
        case "break", "continue":
            guard loopDepth > 0 else { throw ChatTemplateError.syntax("'\(name)' outside of a loop", at: location) }
            try expect(.statementEnd, "'%}'")
            return [name == "break" ? .breakLoop(location) : .continueLoop(location)]
        case "generation":
            try expect(.statementEnd, "'%}'")
            let block = OpenBlock(name: name, location: location, terminators: ["endgeneration"])
            let body = try parseBody(closing: block).statements
            try expect(.statementEnd, "'%}'")
            return body
        default:
            throw ChatTemplateError.syntax("unknown tag '\(name)'", at: location)
        }
    }

    private mutating func parseConditional(at location: SourceLocation) throws -> JinjaStatement {
        var branches: [(condition: JinjaExpression, body: [JinjaStatement])] = []
        let block = OpenBlock(name: "if", location: location, terminators: ["elif", "else", "endif"])
        var terminator = "elif"
        while terminator == "elif" {
            let condition = try parseExpression()
            try expect(.statementEnd, "'%}'")
            let body: [JinjaStatement]
            (body, terminator) = try parseBody(closing: block)
            branches.append((condition, body))
        }
        var otherwise: [JinjaStatement] = []
        if terminator == "else" {
            try expect(.statementEnd, "'%}'")
            otherwise = try parseBody(closing: OpenBlock(name: "if", location: location, terminators: ["endif"])).statements
        }
        try expect(.statementEnd, "'%}'")
        return .conditional(branches: branches, otherwise: otherwise)
    }

    private mutating func parseLoop(at location: SourceLocation) throws -> JinjaStatement {
        let targets = try parseNames()
        guard case .name("in") = advance().kind else { throw syntaxError(expected: "'in'") }
        let iterable = try parseExpression(allowingConditional: false)
        var filter: JinjaExpression?
        if case .name("if") = peek.kind {
            advance()
            filter = try parseExpression(allowingConditional: false)
        }
        try expect(.statementEnd, "'%}'")
        loopDepth += 1
        let (body, terminator) = try parseBody(
            closing: OpenBlock(name: "for", location: location, terminators: ["else", "endfor"]))
        loopDepth -= 1
        var otherwise: [JinjaStatement] = []
        if terminator == "else" {
            try expect(.statementEnd, "'%}'")
            otherwise = try parseBody(closing: OpenBlock(name: "for", location: location, terminators: ["endfor"])).statements
        }
        try expect(.statementEnd, "'%}'")
        return .loop(JinjaLoop(targets: targets, iterable: iterable, filter: filter, body: body, otherwise: otherwise))
    }

    private mutating func parseAssignment() throws -> JinjaStatement {
        let names = try parseNames()
        var target = names.count == 1 ? JinjaAssignmentTarget.variable(names[0]) : .tuple(names)
        if names.count == 1, case .symbol(".") = peek.kind {
            advance()
            target = .namespaceAttribute(namespace: names[0], attribute: try expectName().text)
        }
        try expect(.symbol("="), "'='")
        let value = try parseExpression()
        try expect(.statementEnd, "'%}'")
        return .assignment(target, value)
    }

    /// `name` or `a, b` or `(a, b)`.
    private mutating func parseNames() throws -> [String] {
        let parenthesized = peek.kind == .symbol("(")
        if parenthesized { advance() }
        var names = [try expectName().text]
        while peek.kind == .symbol(",") {
            advance()
            names.append(try expectName().text)
        }
        if parenthesized { try expect(.symbol(")"), "')'") }
        return names
    }

    // MARK: Tokens

    var peek: JinjaToken { tokens[index] }

    /// The kind of the token `offset` places after `peek` (the end of the template at most).
    func peekKind(after offset: Int) -> JinjaToken.Kind {
        tokens[min(index + offset, tokens.count - 1)].kind
    }

    @discardableResult
    mutating func advance() -> JinjaToken {
        defer { if index < tokens.count - 1 { index += 1 } }
        return tokens[index]
    }

    mutating func expect(_ kind: JinjaToken.Kind, _ description: String) throws {
        guard peek.kind == kind else { throw syntaxError(expected: description) }
        advance()
    }

    mutating func expectName() throws -> (text: String, location: SourceLocation) {
        guard case .name(let name) = peek.kind else { throw syntaxError(expected: "a name") }
        return (name, advance().location)
    }

    /// "expected X, found Y" at `token` (by default the next one).
    func syntaxError(expected: String, found token: JinjaToken? = nil) -> ChatTemplateError {
        let token = token ?? peek
        return .syntax("expected \(expected), found \(Self.describe(token.kind))", at: token.location)
    }

    private static func describe(_ kind: JinjaToken.Kind) -> String {
        switch kind {
        case .text: return "template text"
        case .expressionStart: return "'{{'"
        case .expressionEnd: return "'}}'"
        case .statementStart: return "'{%'"
        case .statementEnd: return "'%}'"
        case .name(let name): return "'\(name)'"
        case .string(let string): return "the string \(string.debugDescription)"
        case .integer(let value): return "\(value)"
        case .float(let value): return "\(value)"
        case .symbol(let symbol): return "'\(symbol)'"
        case .endOfTemplate: return "the end of the template"
        }
    }
}
