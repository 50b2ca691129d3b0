import ArgumentParser
import EagleEngine
import EagleLoading
import Foundation

/// `eagle distill`: self-distillation data for training an EAGLE-3 head. The target answers
/// every prompt of a file (all in flight together) while the engine records its hidden states
/// (`EngineOptions.recordHiddenStates`), so no second forward pass is needed; shards are
/// written in the head recipe's format (`DistillShard`) as their prompts finish. Existing
/// shards are kept, so an interrupted run continues where it stopped. Greedy by default; with
/// sampling flags and `--seed S`, prompt i samples with seed S + i (its tokens do not depend
/// on what else is in flight).
struct DistillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distill",
        abstract: "Generate responses with their hidden states: training data for an EAGLE-3 head.")

    @OptionGroup var model: ModelOptions

    @Option(name: .long, help: "JSONL file of prompts ({\"prompt\": \"…\", \"chat\": true|false}; chat by default).")
    var prompts: String

    @Option(name: .long, help: "Output directory (shard_XXXXX.safetensors + .jsonl, gen_config.json).")
    var out: String

    @Option(name: .long, help: "Use only the first N prompts.")
    var limit: Int?

    @Option(name: .long, help: "Leave out the first N prompts (a multiple of --shard-size; shard numbers stay those of the whole file).")
    var skip = 0

    @Option(name: .long, help: "Added to the stored prompt indices (keeps the prompts of different files apart).")
    var indexOffset = 0

    @Option(name: .long, help: "Prompts per shard.")
    var shardSize = 64

    @Option(name: .long, help: "Longer prompts keep their last N tokens.")
    var maxPromptTokens = 768

    @Option(name: .long, parsing: .upToNextOption, help: "Aux layers whose input states are recorded (default: EAGLE-3's 2, L/2, L-3).")
    var auxLayers: [Int] = []

    @Option(name: .customLong("stop-token-id"), help: "Token id that also ends a response (repeatable; the model's EOS ids always do).")
    var stopTokenIDs: [Int] = []

    @OptionGroup var sampling: SamplingOptions

    @Option(name: .long, help: "Requests in flight at once.")
    var concurrency = 64

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be ≥ 1") }
        if indexOffset < 0 { throw ValidationError("--index-offset must be ≥ 0") }
        if shardSize < 1 { throw ValidationError("--shard-size must be ≥ 1") }
        if skip < 0 || skip % max(shardSize, 1) != 0 { throw ValidationError("--skip must be a multiple of --shard-size") }
        if maxPromptTokens < 1 { throw ValidationError("--max-prompt-tokens must be ≥ 1") }
        if concurrency < 1 { throw ValidationError("--concurrency must be ≥ 1") }
    }

    func run() throws {
        var items = try PromptLine.load(prompts)
        if let limit { items = Array(items.prefix(limit)) }
        let modelDirectory = try model.resolveDirectory()
        let config = try LlamaConfig(directory: modelDirectory)
        let aux = auxLayers.isEmpty ? config.defaultAuxLayers : auxLayers
        let stops = Array(Set(config.eosTokenIDs + stopTokenIDs)).sorted()
        let directory = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try checkSettings(in: directory, auxLayers: aux, stops: stops)

        let shardCount = (items.count + shardSize - 1) / shardSize
        let pending = ((skip / shardSize)..<max(shardCount, skip / shardSize)).filter {
            !FileManager.default.fileExists(atPath: DistillShard.url(directory, $0).path)
        }
        Console.status("\(items.count) prompts, \(shardCount) shards of \(shardSize) in \(out): \(pending.count) to make")
        guard !pending.isEmpty else { return }
        let llm = try LLM(model: modelDirectory, options: EngineOptions(
            threads: model.threads, scheduler: SchedulerConfig.cli(concurrency: concurrency, speculative: nil),
            weightDType: model.dtype, recordHiddenStates: aux + [config.layerCount]))

        // Every pending prompt in one engine run; a shard is written when its last prompt finishes.
        let maxTokens = sampling.maxTokens
        var indices: [Int] = [], ids: [[Int]] = [], params: [SamplingParams] = []
        for shard in pending {
            for i in promptRange(ofShard: shard, promptCount: items.count) {
                indices.append(i)
                ids.append(Array(try renderedIDs(items[i], llm).suffix(maxPromptTokens)))
                // One token past the limit, so the last kept token has run through the model too;
                // a seeded request's tokens depend on its prompt index only.
                var request = sampling.params
                request.maxTokens = maxTokens + 1
                request.seed = sampling.seed.map { $0 &+ UInt64(indexOffset + i) }
                request.stopTokenIDs = stopTokenIDs
                params.append(request)
            }
        }
        var shards: [Int: DistillShard] = [:]
        var written = 0, tokens = 0, responseTokens = 0
        let start = ContinuousClock.now
        try llm.generate(promptTokenIDs: ids, params) { output in
            let i = indices[Int(output.requestID)!]
            let shard = i / shardSize
            var response = output.outputs[0].tokenIDs
            if response.count > maxTokens { response.removeLast(response.count - maxTokens) }
            let sequence = output.promptTokenIDs + response
            let states = output.hiddenStates!
            shards[shard, default: DistillShard(hiddenSize: config.hiddenSize, auxLayerCount: aux.count)].samples.append(.init(
                promptIndex: indexOffset + i, chat: items[i].chat ?? true, promptTokens: output.promptTokenIDs.count,
                tokens: sequence, states: Array(states.values.prefix(min(states.positions, sequence.count) * states.width)),
                stopped: response.last.map(stops.contains) ?? false, responseText: llm.tokenizer.decode(response)))
            let expected = promptRange(ofShard: shard, promptCount: items.count).count
            guard var done = shards[shard], done.samples.count == expected else { return }
            shards[shard] = nil
            done.samples.sort { $0.promptIndex < $1.promptIndex }
            try done.write(to: directory, index: shard)
            written += 1
            tokens += done.samples.reduce(0) { $0 + $1.tokens.count }
            responseTokens += done.samples.reduce(0) { $0 + $1.tokens.count - $1.promptTokens }
            let seconds = (ContinuousClock.now - start).seconds
            Console.status(String(format: "shard %d: %d prompts | %d/%d shards, %d tokens (%d response) in %.1f min, %.1f response tok/s",
                                  shard, expected, written, pending.count, tokens, responseTokens, seconds / 60,
                                  Double(responseTokens) / seconds))
        }
    }

    /// The prompt indices shard `shard` holds.
    private func promptRange(ofShard shard: Int, promptCount: Int) -> Range<Int> {
        (shard * shardSize)..<min(promptCount, (shard + 1) * shardSize)
    }

    /// The prompt's ids as the recipe renders them: the chat template unless the line says
    /// `"chat": false`, then the text raw, without special tokens.
    private func renderedIDs(_ item: PromptLine, _ llm: LLM) throws -> [Int] {
        guard item.chat ?? true else { return llm.tokenizer.encode(item.prompt, addSpecialTokens: false) }
        return try item.tokenIDs(llm, chat: true)
    }

    /// `gen_config.json` records the settings the shards were made with; another run into the
    /// same directory must use the same ones (shards are keyed by index).
    private func checkSettings(in directory: URL, auxLayers: [Int], stops: [Int]) throws {
        let params = try JSONSerialization.jsonObject(with: JSONEncoder().encode(sampling.params))
        var settings: [String: Any] = [
            "generator": "eagle distill", "prompts_fnv1a64": try fingerprint(of: prompts), "shard_size": shardSize,
            "sampling": params, "aux_layers": auxLayers, "stop_ids": stops, "max_prompt_tokens": maxPromptTokens,
            "store_dtype": "bfloat16",
        ]
        if indexOffset != 0 { settings["index_offset"] = indexOffset }
        let url = directory.appendingPathComponent("gen_config.json")
        let options: JSONSerialization.WritingOptions = [.prettyPrinted, .sortedKeys]
        let data = try JSONSerialization.data(withJSONObject: settings, options: options)
        if let existing = try? Data(contentsOf: url) {
            // Compared as written, so that number types do not matter.
            let written = (try? JSONSerialization.jsonObject(with: existing))
                .flatMap { try? JSONSerialization.data(withJSONObject: $0, options: options) }
            guard written == data else {
                throw CLIError("\(out) holds shards made with different settings (\(url.path)); use another --out")
            }
            return
        }
        try data.write(to: url, options: .atomic)
    }
}

/// FNV-1a (64-bit) of a file's bytes, in hex: identifies the prompt file a data directory was made from.
func fingerprint(of path: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("\(path): cannot read file") }
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in data { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
    return String(hash, radix: 16)
}
