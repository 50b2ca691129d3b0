import ArgumentParser
import EagleEngine
import EagleTokenizer
import Foundation

/// `eagle generate`: streams a completion to stdout and a summary line to stderr.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate text from a prompt (argument or stdin), streaming it to stdout.")

    @Argument(help: "The prompt (read from stdin when omitted).")
    var prompt: String?

    @OptionGroup var model: ModelOptions
    @OptionGroup var sampling: SamplingOptions
    @OptionGroup var speculation: SpeculationOptions

    @Flag(name: .long, inversion: .prefixedNo, help: "Render the prompt with the model's chat template.")
    var chat = true

    @Option(name: .long, help: "System prompt (chat mode).")
    var system: String?

    @Flag(name: .long, help: "Print one JSON object instead of streaming text.")
    var json = false

    func validate() throws {
        if system != nil, !chat { throw ValidationError("--system needs chat mode (drop --no-chat)") }
    }

    func run() throws {
        let text = try prompt ?? readStandardInput()
        let llm = try LLM(model: model.resolveDirectory(),
                          options: EngineOptions(threads: model.threads, speculative: try speculation.config(defaultModel: model.isDefault)))
        let rendered: String
        let ids: [Int]
        if chat {
            var messages: [ChatMessage] = []
            if let system { messages.append(ChatMessage(role: "system", content: system)) }
            messages.append(ChatMessage(role: "user", content: text))
            rendered = try llm.chatPrompt(messages)
            ids = llm.tokenizer.encode(rendered, addSpecialTokens: false)
        } else {
            rendered = text
            ids = llm.tokenizer.encode(text)
        }
        let output = try llm.generate(promptTokenIDs: ids, prompt: rendered, sampling.params) { _, delta in
            if !json { Console.write(delta) }
        }
        let completion = output.outputs[0]
        if json {
            try printJSON(output, completion)
        } else {
            Console.write("\n")
            let m = output.metrics
            var summary = String(format: "prompt %d tokens, generated %d tokens, prefill %.1f tok/s, decode %.1f tok/s, finish %@",
                                 m.promptTokens, m.generatedTokens, m.prefillTokensPerSecond, m.decodeTokensPerSecond,
                                 completion.finishReason?.rawValue ?? "?")
            if m.speculation.numDrafts > 0 {
                summary += String(format: ", mean acceptance length %.2f", m.speculation.meanAcceptanceLength)
            }
            Console.status(summary)
        }
    }

    private func printJSON(_ output: RequestOutput, _ completion: CompletionOutput) throws {
        let m = output.metrics
        let object: [String: Any] = [
            "prompt_token_ids": output.promptTokenIDs,
            "token_ids": completion.tokenIDs,
            "text": completion.text,
            "finish_reason": completion.finishReason?.rawValue ?? NSNull(),
            "prompt_tokens": m.promptTokens,
            "generated_tokens": m.generatedTokens,
            "prefill_seconds": m.prefillSeconds,
            "decode_seconds": m.decodeSeconds,
            "prefill_tokens_per_second": m.prefillTokensPerSecond,
            "decode_tokens_per_second": m.decodeTokensPerSecond,
            "mean_acceptance_length": m.speculation.meanAcceptanceLength,
            "num_drafts": m.speculation.numDrafts,
            "num_accepted_tokens": m.speculation.numAcceptedTokens,
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        Console.write(String(decoding: data, as: UTF8.self) + "\n")
    }
}

/// All of stdin as text; an error when it is empty.
func readStandardInput() throws -> String {
    let data = FileHandle.standardInput.readDataToEndOfFile()
    guard let text = String(data: data, encoding: .utf8), !text.isEmpty else {
        throw CLIError("no prompt: pass one as an argument or on stdin")
    }
    return text.hasSuffix("\n") ? String(text.dropLast()) : text
}
