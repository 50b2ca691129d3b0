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

    @Option(name: .long, help: "JSONL file of prompts ({\"prompt\": \"…\", \"chat\": true|false} per line), generated together.")
    var prompts: String?

    @Option(name: .long, help: "With --prompts: requests in flight at once.")
    var concurrency = 16

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
        if prompts != nil, prompt != nil { throw ValidationError("give a prompt or --prompts FILE, not both") }
        if concurrency < 1 { throw ValidationError("--concurrency must be ≥ 1") }
    }

    func run() throws {
        if let prompts { return try runFile(prompts) }
        let text = try prompt ?? readStandardInput()
        let llm = try LLM(model: model.resolveDirectory(),
                          options: EngineOptions(threads: model.threads, speculative: try speculation.config(defaultModel: model.isDefault),
                                                 weightDType: model.dtype))
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

    /// Every prompt of the file in flight together; completions printed in file order.
    private func runFile(_ path: String) throws {
        let items = try PromptLine.load(path)
        let speculative = try speculation.config(defaultModel: model.isDefault)
        let llm = try LLM(model: model.resolveDirectory(), options: EngineOptions(
            threads: model.threads, speculative: speculative,
            scheduler: SchedulerConfig.cli(concurrency: concurrency, speculative: speculative), weightDType: model.dtype))
        let ids = try items.map { item in
            guard item.chat ?? chat, let system else { return try item.tokenIDs(llm, chat: chat) }
            let rendered = try llm.chatPrompt([ChatMessage(role: "system", content: system), ChatMessage(role: "user", content: item.prompt)])
            return llm.tokenizer.encode(rendered, addSpecialTokens: false)
        }
        let start = ContinuousClock.now
        let outputs = try llm.generate(promptTokenIDs: ids, sampling.params)
        let seconds = (ContinuousClock.now - start).seconds
        for (i, output) in outputs.enumerated() {
            if json {
                try printJSON(output, output.outputs[0])
            } else {
                Console.write("=== \(i + 1)/\(outputs.count) ===\n\(output.outputs[0].text)\n")
            }
        }
        let generated = outputs.reduce(0) { $0 + $1.outputs[0].tokenIDs.count }
        Console.status(String(format: "%d prompts, %d generated tokens in %.1f s (%.1f tok/s), %d in flight",
                              outputs.count, generated, seconds, Double(generated) / seconds, concurrency))
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
            "num_lookup_drafts": m.speculation.numLookupDrafts,
            "num_accepted_siblings": m.speculation.numAcceptedSiblings,
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
