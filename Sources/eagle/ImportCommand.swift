import ArgumentParser
import EagleLoading
import Foundation

/// `eagle import`: converts a llama.cpp GGUF into an HF-layout model directory.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert a Llama GGUF (F32/F16/BF16/Q8_0/Q4_0/Q4_1) into an HF-layout directory.")

    @Option(name: .long, help: "The .gguf file to import.")
    var gguf: String

    @Option(name: .long, help: "Output directory (must not exist).")
    var output: String

    func run() throws {
        let importer = try GGUFLlamaImporter(gguf: URL(fileURLWithPath: gguf))
        try importer.write(to: URL(fileURLWithPath: output)) { message in
            FileHandle.standardError.write(Data("\r\u{1B}[K\(message)".utf8))
        }
        FileHandle.standardError.write(Data("\nimported \(gguf) → \(output)\n".utf8))
    }
}
