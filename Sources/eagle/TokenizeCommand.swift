import ArgumentParser
import EagleTokenizer
import Foundation

/// `eagle tokenize`: prints the token ids of a text.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tokenize", abstract: "Print the token ids of a text.")

    @Argument(help: "Text to tokenize (stdin when omitted).")
    var text: String?

    @OptionGroup var model: ModelOptions

    @Flag(name: .long, help: "Print JSON with ids and token strings.")
    var json = false

    @Flag(name: .long, help: "Add the tokenizer's special tokens (e.g. BOS).")
    var addSpecialTokens = false

    func run() throws {
        let text = try self.text ?? readStandardInput()
        let tokenizer = try Tokenizer(directory: model.resolveDirectory())
        let ids = tokenizer.encode(text, addSpecialTokens: addSpecialTokens)
        if json {
            let object: [String: Any] = ["ids": ids, "tokens": ids.map { tokenizer.tokenString(for: $0) ?? "" }]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes])
            Console.write(String(decoding: data, as: UTF8.self) + "\n")
        } else {
            Console.write(ids.map(String.init).joined(separator: " ") + "\n")
        }
    }
}

/// `eagle detokenize`: prints the text of token ids.
struct DetokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "detokenize", abstract: "Print the text of token ids.")

    @Argument(help: "Token ids (stdin when omitted; separated by spaces, commas or newlines).")
    var ids: [String] = []

    @OptionGroup var model: ModelOptions

    @Flag(name: .long, help: "Leave special tokens out of the text.")
    var skipSpecialTokens = false

    func run() throws {
        let words = ids.isEmpty ? try readStandardInput().split(whereSeparator: { " ,\n\t[]".contains($0) }).map(String.init) : ids
        let tokenizer = try Tokenizer(directory: model.resolveDirectory())
        let values = try words.flatMap { $0.split(separator: ",") }.map { word -> Int in
            guard let id = Int(word), id >= 0, id < tokenizer.vocabularySize else {
                throw ValidationError("'\(word)' is not a token id (0..<\(tokenizer.vocabularySize))")
            }
            return id
        }
        Console.write(tokenizer.decode(values, skipSpecialTokens: skipSpecialTokens) + "\n")
    }
}
