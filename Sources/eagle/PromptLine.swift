import EagleEngine
import EagleTokenizer
import Foundation

/// One line of a JSONL prompt file (`eagle bench --prompts`, `eagle generate --prompts`).
struct PromptLine: Decodable {
    var prompt: String
    var chat: Bool?

    static func load(_ path: String) throws -> [PromptLine] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw CLIError("\(path): cannot read file") }
        var items: [PromptLine] = []
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            do {
                items.append(try JSONDecoder().decode(PromptLine.self, from: Data(line.utf8)))
            } catch {
                throw CLIError("\(path):\(n + 1): expected {\"prompt\": \"…\", \"chat\": true|false}")
            }
        }
        guard !items.isEmpty else { throw CLIError("\(path): no prompts") }
        return items
    }

    /// The prompt's ids: rendered with the chat template when the line says `"chat": true`
    /// (or, when it says nothing, when `chat` is set).
    func tokenIDs(_ llm: LLM, chat defaultChat: Bool = false) throws -> [Int] {
        if chat ?? defaultChat {
            let rendered = try llm.chatPrompt([ChatMessage(role: "user", content: prompt)])
            return llm.tokenizer.encode(rendered, addSpecialTokens: false)
        }
        return llm.tokenizer.encode(prompt)
    }
}
