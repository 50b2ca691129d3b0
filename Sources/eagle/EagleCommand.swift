import ArgumentParser

@main
struct EagleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eagle",
        abstract: "EAGLE-3 speculative decoding on CPU.",
        subcommands: [GenerateCommand.self, BenchCommand.self, DistillCommand.self, TokenizeCommand.self, DetokenizeCommand.self, ImportCommand.self])
}
