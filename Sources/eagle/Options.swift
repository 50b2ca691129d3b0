import ArgumentParser
import EagleEngine
import Foundation

/// `--model DIR`, defaulting to the imported SmolLM2-135M-Instruct (imported on first use).
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: "HF-layout model directory (default: SmolLM2-135M-Instruct, imported if missing).")
    var model: String?

    @Option(name: .long, help: "Matmul threads (default: all cores).")
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be ≥ 1") }
    }

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

/// Sampling flags shared by `generate` and `bench`.
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
struct SpeculationOptions: ParsableArguments {
    @Option(name: .long, help: "EAGLE-3 draft head directory (speculators or original EAGLE-3 format).")
    var draft: String?

    @Option(name: .long, help: "Draft tokens per step (default: the head's, else 5).")
    var numSpeculativeTokens: Int?

    @Option(name: .long, help: "vLLM-style speculative config JSON.")
    var speculativeConfig: String?

    func validate() throws {
        if draft != nil, speculativeConfig != nil { throw ValidationError("give --draft or --speculative-config, not both") }
        if let k = numSpeculativeTokens, !(1...15).contains(k) { throw ValidationError("--num-speculative-tokens must be in 1…15") }
        if numSpeculativeTokens != nil, draft == nil, speculativeConfig == nil {
            throw ValidationError("--num-speculative-tokens needs --draft")
        }
    }

    /// The configured speculation, or nil.
    func config() throws -> SpeculativeConfig? {
        if let json = speculativeConfig {
            do { return try SpeculativeConfig.parse(json: json) } catch let error as EngineError {
                throw ValidationError(error.description)
            }
        }
        guard let draft else { return nil }
        guard FileManager.default.fileExists(atPath: URL(fileURLWithPath: draft).appendingPathComponent("config.json").path) else {
            throw CLIError("\(draft): no config.json (not a draft head directory)")
        }
        return SpeculativeConfig(method: "eagle3", model: draft, numSpeculativeTokens: numSpeculativeTokens)
    }
}
