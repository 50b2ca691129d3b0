/// A token of a template.
struct JinjaToken: Equatable {
    enum Kind: Equatable {
        /// Template text outside the tags, after whitespace control.
        case text(String)
        case expressionStart, expressionEnd  // {{ }}
        case statementStart, statementEnd    // {% %}
        case name(String)
        case string(String)
        case integer(Int)
        case float(Double)
        /// An operator or punctuation: `+`, `==`, `(`, `|`, ...
        case symbol(String)
        case endOfTemplate
    }

    let kind: Kind
    let location: SourceLocation
}

/// Splits a template into tokens the way Jinja2 does in transformers' chat-template environment:
/// newlines normalized to `\n`, one trailing newline dropped, `-`/`+` whitespace control,
/// `trim_blocks` (the newline after a block or comment tag is removed) and `lstrip_blocks`
/// (spaces before a block or comment tag alone on its line are removed).
struct JinjaLexer {
    private let source: [Unicode.Scalar]
    private let lineStarts: [Int]
    private var position = 0
    /// Whether the last tag ended with a newline (Jinja's `line_starting`).
    private var lineStarting = true
    private var tokens: [JinjaToken] = []

    private static let symbols = ["//", "**", "==", "!=", ">=", "<=", "+", "-", "*", "/", "%", "~", "[", "]",
                                  "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";"]
    private static let closingBrackets: [String: String] = ["(": ")", "[": "]", "{": "}"]

    static func tokenize(_ template: String) throws -> [JinjaToken] {
        var lexer = JinjaLexer(template)
        try lexer.run()
        return lexer.tokens
    }

    private init(_ template: String) {
        var text = template.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        if text.hasSuffix("\n") { text.removeLast() }
        let source = Array(text.unicodeScalars)
        self.source = source
        lineStarts = [0] + source.indices.filter { source[$0] == "\n" }.map { $0 + 1 }
    }

    private mutating func run() throws {
        while position < source.count {
            guard let tagStart = nextTagStart() else {
                emitText(source[position...])
                break
            }
            let kind = source[tagStart + 1]
            var afterMarker = tagStart + 2
            let sign = afterMarker < source.count && (source[afterMarker] == "-" || source[afterMarker] == "+")
                ? source[afterMarker] : nil
            if sign != nil { afterMarker += 1 }
            var text = source[position..<tagStart]
            if sign == "-" {
                text = text[..<(text.lastIndex { !$0.isPythonWhitespace }.map { $0 + 1 } ?? text.startIndex)]
            } else if sign != "+" && kind != "{" {
                text = strippingBlockIndentation(text)
            }
            emitText(text)
            position = afterMarker
            if kind == "#" {
                try skipComment(openedAt: tagStart)
            } else {
                try lexTag(openedAt: tagStart, isStatement: kind == "%")
            }
        }
        tokens.append(JinjaToken(kind: .endOfTemplate, location: location(of: source.count)))
    }

    /// The next `{{`, `{%` or `{#` at or after `position`.
    private func nextTagStart() -> Int? {
        var index = position
        while index + 1 < source.count {
            if source[index] == "{" && (source[index + 1] == "{" || source[index + 1] == "%" || source[index + 1] == "#") {
                return index
            }
            index += 1
        }
        return nil
    }

    /// `lstrip_blocks`: drops the spaces between the line start and a tag alone on its line.
    private func strippingBlockIndentation(_ text: ArraySlice<Unicode.Scalar>) -> ArraySlice<Unicode.Scalar> {
        let lineStart = text.lastIndex(of: "\n").map { $0 + 1 }
        guard lineStart != nil || lineStarting else { return text }
        let indentation = text[(lineStart ?? text.startIndex)...]
        guard !indentation.isEmpty, indentation.allSatisfy(\.isPythonWhitespace) else { return text }
        return text[..<indentation.startIndex]
    }

    private mutating func emitText(_ text: ArraySlice<Unicode.Scalar>) {
        guard !text.isEmpty else { return }
        tokens.append(JinjaToken(kind: .text(String(scalars: text)), location: location(of: text.startIndex)))
    }

    private mutating func skipComment(openedAt start: Int) throws {
        var end = position
        while end + 1 < source.count && !(source[end] == "#" && source[end + 1] == "}") { end += 1 }
        guard end + 1 < source.count else {
            throw ChatTemplateError.syntax("missing end of comment tag", at: location(of: start))
        }
        let sign = end > position && (source[end - 1] == "-" || source[end - 1] == "+") ? source[end - 1] : nil
        position = end + 2
        finishTag(sign: sign)
    }

    /// After `%}`, `#}` or `}}`: `-` strips all following whitespace, `trim_blocks` one newline.
    private mutating func finishTag(sign: Unicode.Scalar?, trimsNewline: Bool = true) {
        let tagEnd = position
        if sign == "-" {
            while position < source.count && source[position].isPythonWhitespace { position += 1 }
        } else if sign != "+" && trimsNewline && position < source.count && source[position] == "\n" {
            position += 1
        }
        lineStarting = position > tagEnd ? source[position - 1] == "\n" : false
    }

    private mutating func lexTag(openedAt start: Int, isStatement: Bool) throws {
        tokens.append(JinjaToken(kind: isStatement ? .statementStart : .expressionStart, location: location(of: start)))
        var openBrackets: [(symbol: String, location: SourceLocation)] = []
        while true {
            while position < source.count && source[position].isPythonWhitespace { position += 1 }
            guard position < source.count else {
                throw ChatTemplateError.syntax("unexpected end of template: this \(isStatement ? "{%" : "{{") is never closed",
                                               at: location(of: start))
            }
            if openBrackets.isEmpty, let sign = tagEndSign(isStatement: isStatement) {
                tokens.append(JinjaToken(kind: isStatement ? .statementEnd : .expressionEnd, location: location(of: position)))
                position += sign == nil ? 2 : 3
                finishTag(sign: sign, trimsNewline: isStatement)
                return
            }
            let token = try lexToken()
            tokens.append(token)
            guard case .symbol(let symbol) = token.kind else { continue }
            if Self.closingBrackets[symbol] != nil {
                openBrackets.append((symbol, token.location))
            } else if Self.closingBrackets.values.contains(symbol) {
                guard let open = openBrackets.popLast(), Self.closingBrackets[open.symbol] == symbol else {
                    throw ChatTemplateError.syntax("unexpected '\(symbol)'", at: token.location)
                }
            }
        }
    }

    /// At a tag end (`%}`, `-%}`, `+%}` or `}}`, `-}}`): .some(sign) (sign nil for none); else nil.
    private func tagEndSign(isStatement: Bool) -> Unicode.Scalar?? {
        let closing: [Unicode.Scalar] = isStatement ? ["%", "}"] : ["}", "}"]
        if starts(with: closing, at: position) { return .some(nil) }
        let sign = source[position]
        if (sign == "-" || (sign == "+" && isStatement)) && starts(with: closing, at: position + 1) { return .some(sign) }
        return nil
    }

    private func starts(with scalars: [Unicode.Scalar], at index: Int) -> Bool {
        index + scalars.count <= source.count && source[index..<(index + scalars.count)].elementsEqual(scalars)
    }

    private mutating func lexToken() throws -> JinjaToken {
        let start = position
        let scalar = source[position]
        let kind: JinjaToken.Kind
        if scalar == "'" || scalar == "\"" {
            kind = .string(try lexString())
        } else if ("0"..."9").contains(scalar) {
            kind = lexNumber()
        } else if scalar == "_" || scalar.properties.isAlphabetic {
            while position < source.count
                    && (source[position] == "_" || source[position].properties.isAlphabetic
                        || ("0"..."9").contains(source[position])) {
                position += 1
            }
            kind = .name(String(scalars: source[start..<position]))
        } else if let symbol = Self.symbols.first(where: { starts(with: Array($0.unicodeScalars), at: position) }) {
            position += symbol.unicodeScalars.count
            kind = .symbol(symbol)
        } else {
            throw ChatTemplateError.syntax("unexpected character '\(scalar)'", at: location(of: start))
        }
        return JinjaToken(kind: kind, location: location(of: start))
    }

    /// `123`, `1_000`, `1.5`, `1e3`, `2.5e-3` (a number right after `.` is an integer: `x.0`).
    private mutating func lexNumber() -> JinjaToken.Kind {
        let start = position
        func skipDigits() { while position < source.count && (("0"..."9").contains(source[position]) || source[position] == "_") { position += 1 } }
        func isDigit(_ index: Int) -> Bool { index < source.count && ("0"..."9").contains(source[index]) }
        skipDigits()
        var isFloat = false
        let afterDot = start > 0 && source[start - 1] == "."
        if !afterDot && position < source.count && source[position] == "." && isDigit(position + 1) {
            position += 1
            skipDigits()
            isFloat = true
        }
        if !afterDot && position < source.count && source[position] == "e" {
            let exponentDigits = position + 1 < source.count && "+-".unicodeScalars.contains(source[position + 1])
                ? position + 2 : position + 1
            if isDigit(exponentDigits) {
                position = exponentDigits
                skipDigits()
                isFloat = true
            }
        }
        let text = String(scalars: source[start..<position]).replacingOccurrences(of: "_", with: "")
        return isFloat ? .float(Double(text) ?? .nan) : .integer(Int(text) ?? .max)
    }

    /// A quoted string with Python's escapes (`\n`, `\t`, `\\`, `\'`, `\xhh`, `\uhhhh`, ...).
    private mutating func lexString() throws -> String {
        let start = position
        let quote = source[position]
        position += 1
        var value = String.UnicodeScalarView()
        while position < source.count && source[position] != quote {
            guard source[position] == "\\", position + 1 < source.count else {
                value.append(source[position])
                position += 1
                continue
            }
            let escaped = source[position + 1]
            position += 2
            if let simple = Self.simpleEscapes[escaped] {
                value.append(simple)
            } else if let digits = ["x": 2, "u": 4, "U": 8][Character(escaped)],
                      position + digits <= source.count,
                      let code = UInt32(String(scalars: source[position..<(position + digits)]), radix: 16),
                      let unescaped = Unicode.Scalar(code) {
                value.append(unescaped)
                position += digits
            } else if escaped != "\n" {
                value.append(contentsOf: ["\\", escaped])
            }
        }
        guard position < source.count else {
            throw ChatTemplateError.syntax("unterminated string", at: location(of: start))
        }
        position += 1
        return String(value)
    }

    private static let simpleEscapes: [Unicode.Scalar: Unicode.Scalar] = [
        "n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", "\"": "\"", "0": "\0",
        "a": "\u{07}", "b": "\u{08}", "f": "\u{0C}", "v": "\u{0B}",
    ]

    private func location(of offset: Int) -> SourceLocation {
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return SourceLocation(line: low + 1, column: offset - lineStarts[low] + 1)
    }
}

extension Unicode.Scalar {
    /// Python's `str.isspace()` (and `\s` of its `re`): White_Space plus U+001C...U+001F.
    var isPythonWhitespace: Bool {
        properties.isWhitespace || (0x1C...0x1F).contains(value)
    }
}
