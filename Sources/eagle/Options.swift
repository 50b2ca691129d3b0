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
