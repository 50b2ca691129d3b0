import Foundation
import Testing
@testable import EagleTokenizer

/// `chat-templates.json`: conversations rendered by transformers' `apply_chat_template`.
private struct ChatTemplateFixture: Decodable {
    struct Case: Decodable {
        let template: String
        let messages: [ChatMessage]
        let addGenerationPrompt: Bool
        let expected: String

        enum CodingKeys: String, CodingKey {
            case template, messages, expected, addGenerationPrompt = "add_generation_prompt"
        }
    }

    /// Sources of the templates that are not in a tokenizer directory.
    let templates: [String: String]
    let cases: [Case]
}

/// `jinja.json`: one small template per Jinja feature, rendered by transformers' environment.
private struct JinjaFixture: Decodable {
    struct Case: Decodable {
        let template: String
        let expected: String
    }

    /// The variables, as a Python literal (which is also a Jinja expression).
    let context: String
    let cases: [Case]
}

@Suite("Chat templates")
struct ChatTemplateTests {
    @Test("SmolLM2, Llama-3 and Llama-3.1 templates render like transformers")
    func rendersLikeTransformers() throws {
        let fixture = try TestFixtures.load(ChatTemplateFixture.self, from: "chat-templates.json")
        let templates: [String: ChatTemplate] = [
            "smollm2": try #require(try TestFixtures.smolLM2().chatTemplate),
            "llama3.1": try #require(try TestFixtures.llama3Style().chatTemplate),
            "llama3": try ChatTemplate(try #require(fixture.templates["llama3"]),
                                       bosToken: "<|begin_of_text|>", eosToken: "<|eot_id|>"),
        ]
        #expect(Set(fixture.cases.map(\.template)) == Set(templates.keys))
        for testCase in fixture.cases {
            let template = try #require(templates[testCase.template])
            let rendered = try template.render(messages: testCase.messages, addGenerationPrompt: testCase.addGenerationPrompt)
            #expect(rendered == testCase.expected, "\(testCase.template): \(testCase.messages)")
        }
    }

    @Test("SmolLM2 adds its default system prompt")
    func smolLM2DefaultSystemPrompt() throws {
        let template = try #require(try TestFixtures.smolLM2().chatTemplate)
        let prompt = try template.render(messages: [ChatMessage(role: "user", content: "Hi")], addGenerationPrompt: true)
        #expect(prompt == "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
                    + "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
    }

    @Test("variables reach the template")
    func variables() throws {
        let template = try #require(try TestFixtures.llama3Style().chatTemplate)
        let prompt = try template.render(messages: [ChatMessage(role: "user", content: "Hi")], addGenerationPrompt: true,
                                         variables: ["date_string": "01 Jan 2030"])
        #expect(prompt.contains("Today Date: 01 Jan 2030\n"))
    }

    @Test("strftime_now formats the current local time")
    func strftimeNow() throws {
        let template = try ChatTemplate("{% if strftime_now is defined %}{{ strftime_now('%Y|%m|%d') }}{% endif %}")
        let before = Calendar.current.dateComponents([.year, .month, .day], from: Date())
        let rendered = try template.render(messages: [], addGenerationPrompt: false)
        let after = Calendar.current.dateComponents([.year, .month, .day], from: Date())
        let expected = [before, after].map { String(format: "%04d|%02d|%02d", $0.year ?? 0, $0.month ?? 0, $0.day ?? 0) }
        #expect(expected.contains(rendered))
    }

    @Test("every Jinja feature renders like Jinja2")
    func jinjaFeatures() throws {
        let fixture = try TestFixtures.load(JinjaFixture.self, from: "jinja.json")
        guard case .output(let expression) = try JinjaParser.parse("{{ \(fixture.context) }}").first,
              case .dictionary(let context) = try JinjaEvaluator(variables: [:]).evaluate(expression) else {
            throw FixtureError("the context is not a dictionary literal")
        }
        let variables = Dictionary(uniqueKeysWithValues: context.entries.map { ($0.key, $0.value) })
        for testCase in fixture.cases {
            let rendered = try ChatTemplate(testCase.template).render(variables)
            #expect(rendered == testCase.expected, "\(testCase.template.debugDescription)")
        }
    }
}

@Suite("Chat template errors")
struct ChatTemplateErrorTests {
    private func syntaxError(_ source: String) -> ChatTemplateError? {
        do {
            _ = try ChatTemplate(source)
            return nil
        } catch {
            return error as? ChatTemplateError
        }
    }

    @Test("an unknown tag is reported where it is")
    func unknownTag() {
        let error = syntaxError("Hello\n  {% macro greet(name) %}hi{% endmacro %}")
        #expect(error == .syntax("unknown tag 'macro'", line: 2, column: 6))
    }

    @Test("an unterminated block names the line where it was opened")
    func unterminatedBlock() throws {
        let error = try #require(syntaxError("{% for m in messages %}\n{% if m.role %}x{% endfor %}"))
        guard case let .syntax(message, line, column) = error else { throw FixtureError("not a syntax error: \(error)") }
        #expect(message == "unexpected 'endfor' (expected 'elif' or 'else' or 'endif')")
        #expect((line, column) == (2, 20))

        let unclosed = try #require(syntaxError("a\n{% if x %}\nb"))
        guard case let .syntax(unclosedMessage, unclosedLine, _) = unclosed else { throw FixtureError("\(unclosed)") }
        #expect(unclosedMessage.contains("'if' at line 2, column 4 is never closed"))
        #expect(unclosedLine == 3)
    }

    @Test("malformed syntax", arguments: [
        ("{{ x ", ChatTemplateError.syntax("unexpected end of template: this {{ is never closed", line: 1, column: 1)),
        ("{{ x | nosuchfilter }}", .syntax("no filter named 'nosuchfilter'", line: 1, column: 8)),
        ("{% if x is nosuchtest %}{% endif %}", .syntax("no test named 'nosuchtest'", line: 1, column: 12)),
        ("{{ 'unterminated }}", .syntax("unterminated string", line: 1, column: 4)),
        ("{{ (1, 2] }}", .syntax("unexpected ']'", line: 1, column: 9)),
        ("{# never closed", .syntax("missing end of comment tag", line: 1, column: 1)),
        ("{% break %}", .syntax("'break' outside of a loop", line: 1, column: 4)),
        ("{{ }}", .syntax("expected an expression, found '}}'", line: 1, column: 4)),
    ])
    func malformed(source: String, expected: ChatTemplateError) {
        #expect(syntaxError(source) == expected)
    }

    @Test("raise_exception and evaluation errors carry the position")
    func renderingErrors() throws {
        let raising = try ChatTemplate("{% if messages | length == 0 %}\n  {{ raise_exception('No messages!') }}\n{% endif %}")
        #expect(throws: ChatTemplateError.raised("No messages!", line: 2, column: 21)) {
            try raising.render(messages: [], addGenerationPrompt: false)
        }
        let undefinedAttribute = try ChatTemplate("{{ nothing.here }}")
        #expect(throws: ChatTemplateError.evaluation("'nothing' is undefined", line: 1, column: 11)) {
            try undefinedAttribute.render(messages: [], addGenerationPrompt: false)
        }
        let badOperands = try ChatTemplate("{{ 'a' + 1 }}")
        #expect(throws: ChatTemplateError.evaluation("unsupported operand type(s) for +: 'str' and 'int'", line: 1, column: 4)) {
            try badOperands.render(messages: [], addGenerationPrompt: false)
        }
    }
}
