import ArgumentParser
import EagleEngine
import Foundation

/// `--model DIR`, defaulting to the imported SmolLM2-135M-Instruct (imported on first use).
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: "HF-layout model directory (default: SmolLM2-135M-Instruct, imported if missing).")
    var model: String?

    @Option(name: .long, help: "Matmul threads (default: all cores).")
    var threads: Int?

    @Option(name: .long, help: "Matmul weights in memory: auto (as stored: BF16 stays BF16, F32/F16 are F32; exact) or bfloat16 (rounded at load: faster decoding, different numerics).")
    var dtype: WeightDType = .auto

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be ≥ 1") }
    }

    /// Whether the default model is used (no `--model`).
    var isDefault: Bool { model == nil }

    func resolveDirectory() throws -> URL {
        if let model {
            let url = URL(fileURLWithPath: model)
            guard FileManager.default.fileExists(atPath: url.appendingPathComponent("config.json").path) else {
                throw CLIError("\(model): no config.json (not an HF-layout model directory)")
            }
            return url
        }
        return try DefaultModel.ensure()
    }
}

extension WeightDType: ExpressibleByArgument {}

/// Sampling flags shared by `generate`, `bench` and `distill`.
struct SamplingOptions: ParsableArguments {
    @Option(name: .long, help: "Maximum number of generated tokens.")
    var maxTokens = 128

    @Option(name: .long, help: "Sampling temperature (0 = greedy).")
    var temperature = 0.0

    @Option(name: .long, help: "Top-k (0 = off).")
    var topK = 0

    @Option(name: .long, help: "Top-p (1 = off).")
    var topP = 1.0

    @Option(name: .long, help: "Min-p (0 = off).")
    var minP = 0.0

    @Option(name: .long, help: "Random seed (same seed, same output).")
    var seed: UInt64?

    @Option(name: .long, help: "Stop string (repeatable).")
    var stop: [String] = []

    var params: SamplingParams {
        SamplingParams(temperature: temperature, topP: topP, topK: topK, minP: minP, maxTokens: maxTokens,
                       seed: seed, stop: stop)
    }

    func validate() throws {
        do { try params.validate() } catch let error as EngineError { throw ValidationError(error.description) }
    }
}

/// Speculative decoding flags: `--draft DIR --num-speculative-tokens K`, or vLLM's
/// `--speculative-config '{"method": "eagle3", "model": DIR, "num_speculative_tokens": K}'`.
/// With neither, the default model speculates with the head shipped beside it
/// (`Models/SmolLM2-135M-Instruct-EAGLE3`); `--no-speculation` turns speculation off.
struct SpeculationOptions: ParsableArguments {
    @Option(name: .long, help: "EAGLE-3 draft head directory (speculators or original EAGLE-3 format).")
    var draft: String?

    @Option(name: .long, help: "Draft tokens per step (default: the head's, else 5).")
    var numSpeculativeTokens: Int?

    @Option(name: .long, help: "vLLM-style speculative config JSON.")
    var speculativeConfig: String?

    @Option(name: .long, help: ArgumentHelp(
        "Prompt lookup beside the head: a request whose last N+ tokens recur earlier in it drafts what followed them (0: off).",
        valueName: "N"))
    var promptLookupMin: Int?

    @Option(name: .long, help: ArgumentHelp("Drafts per prompt-lookup match (default 8).", valueName: "N"))
    var promptLookupTokens: Int?

    @Option(name: .long, help: ArgumentHelp(
        "Greedy requests verify N of the head's runner-ups beside its drafts, where it rates them likeliest (a draft tree; 0: chains only).",
        valueName: "N"))
    var draftSiblings: Int?

    @Flag(name: .long, help: "Plain decoding, even for the default model and its shipped head.")
    var noSpeculation = false

    /// Whether a prompt-lookup or draft-tree flag was given.
    private var givesDraftingFlags: Bool { promptLookupMin != nil || promptLookupTokens != nil || draftSiblings != nil }

    func validate() throws {
        if draft != nil, speculativeConfig != nil { throw ValidationError("give --draft or --speculative-config, not both") }
        if noSpeculation, draft != nil || speculativeConfig != nil || numSpeculativeTokens != nil || givesDraftingFlags {
            throw ValidationError("--no-speculation cannot be combined with --draft, --speculative-config, "
                                  + "--num-speculative-tokens, --prompt-lookup-min, --prompt-lookup-tokens or --draft-siblings")
        }
        if speculativeConfig != nil, givesDraftingFlags {
            throw ValidationError(
                "with --speculative-config, give \"prompt_lookup_min\", \"prompt_lookup_tokens\" and \"draft_siblings\" in the JSON")
        }
        let drafts = SpeculativeConfig.draftTokenRange
        if let k = numSpeculativeTokens, !drafts.contains(k) {
            throw ValidationError("--num-speculative-tokens must be in \(drafts.lowerBound)…\(drafts.upperBound)")
        }
        if let n = promptLookupMin, !(0...SpeculativeConfig.longestPromptLookup).contains(n) {
            throw ValidationError("--prompt-lookup-min must be in 0…\(SpeculativeConfig.longestPromptLookup) (0: off)")
        }
        if let n = promptLookupTokens, !drafts.contains(n) {
            throw ValidationError("--prompt-lookup-tokens must be in \(drafts.lowerBound)…\(drafts.upperBound)")
        }
        if let n = draftSiblings, !SpeculativeConfig.draftSiblingRange.contains(n) {
            throw ValidationError("--draft-siblings must be in 0…\(SpeculativeConfig.draftSiblingRange.upperBound) (0: chains only)")
        }
    }

    /// The configured speculation, or nil. `defaultModel` says whether the target is the
    /// default model, whose shipped head is then used unless another head is named.
    func config(defaultModel: Bool) throws -> SpeculativeConfig? {
        if noSpeculation { return nil }
        if let json = speculativeConfig {
            do { return try SpeculativeConfig.parse(json: json) } catch let error as EngineError {
                throw ValidationError(error.description)
            }
        }
        let directory: String
        if let draft {
            guard FileManager.default.fileExists(atPath: URL(fileURLWithPath: draft).appendingPathComponent("config.json").path) else {
                throw CLIError("\(draft): no config.json (not a draft head directory)")
            }
            directory = draft
        } else if defaultModel, let shipped = DefaultModel.shippedDraft {
            directory = shipped.path
        } else if numSpeculativeTokens != nil || givesDraftingFlags {
            throw ValidationError(
                "--num-speculative-tokens, the prompt-lookup flags and --draft-siblings need --draft (or the default model with its shipped head)")
        } else {
            return nil
        }
        return SpeculativeConfig(method: "eagle3", model: directory, numSpeculativeTokens: numSpeculativeTokens,
                                 promptLookupMin: promptLookupMin, promptLookupTokens: promptLookupTokens,
                                 draftSiblings: draftSiblings)
    }
}

extension SchedulerConfig {
    /// The CLI's scheduler for `concurrency` requests in flight: a token budget of
    /// `maxNumBatchedTokens`, by default enough for every request to verify k + 1 tokens
    /// (and at least 512, for prompt chunks).
    static func cli(concurrency: Int, speculative: SpeculativeConfig?, maxNumBatchedTokens: Int? = nil) -> SchedulerConfig {
        let k = speculative?.numSpeculativeTokens ?? 5
        return SchedulerConfig(maxNumBatchedTokens: maxNumBatchedTokens ?? max(512, concurrency * (k + 1)), maxNumSeqs: concurrency)
    }
}
