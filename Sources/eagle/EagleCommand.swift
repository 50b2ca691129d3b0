import ArgumentParser

@main
struct EagleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eagle",
        abstract: "EAGLE-3 speculative decoding on CPU.",
        subcommands: [ImportCommand.self])
}
