import Foundation
@testable import EagleTokenizer

/// The fixtures written by Scripts/fixtures/make_tokenizer_fixtures.py.
enum TestFixtures {
    static let directory = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

    /// The committed Llama-3-style tokenizer directory.
    static let llama3StyleDirectory = directory.appendingPathComponent("llama3-style")

    /// The imported SmolLM2-135M-Instruct: `$EAGLE_TEST_SMOLLM2_DIR`, else `Models/SmolLM2-135M-Instruct`.
    static var smolLM2Directory: URL {
        get throws {
            let packageRoot = URL(fileURLWithPath: #filePath)
                .deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent()
            let directory = ProcessInfo.processInfo.environment["EAGLE_TEST_SMOLLM2_DIR"].map(URL.init(fileURLWithPath:))
                ?? packageRoot.appendingPathComponent("Models/SmolLM2-135M-Instruct")
            guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("tokenizer.json").path) else {
                throw FixtureError("\(directory.path)/tokenizer.json is missing: run Models/import-smollm2.sh")
            }
            return directory
        }
    }

    /// Loaded once and shared by all tests (a `Tokenizer` is immutable and thread-safe).
    private static let loadedLlama3Style = Result { try Tokenizer(directory: llama3StyleDirectory) }
    private static let loadedSmolLM2 = Result { try Tokenizer(directory: smolLM2Directory) }

    static func llama3Style() throws -> Tokenizer { try loadedLlama3Style.get() }

    static func smolLM2() throws -> Tokenizer { try loadedSmolLM2.get() }

    /// The tokenizer named like the fixture files (`smollm2`, `llama3-style`).
    static func tokenizer(named name: String) throws -> Tokenizer {
        name == "smollm2" ? try smolLM2() : try llama3Style()
    }

    static func load<Value: Decodable>(_ type: Value.Type, from file: String) throws -> Value {
        let data = try Data(contentsOf: directory.appendingPathComponent(file))
        return try JSONDecoder().decode(type, from: data)
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// `<name>-encode.json`.
struct EncodeFixture: Decodable {
    struct Case: Decodable {
        let text: String
        let ids: [Int]
    }

    /// What `addSpecialTokens: true` puts before every text's ids.
    let specialTokensPrefix: [Int]
    let cases: [Case]

    enum CodingKeys: String, CodingKey {
        case specialTokensPrefix = "special_tokens_prefix", cases
    }
}

/// One entry of `<name>-decode.json`.
struct DecodeCase: Decodable {
    let ids: [Int]
    let text: String
    let textSkippingSpecialTokens: String

    enum CodingKeys: String, CodingKey {
        case ids, text, textSkippingSpecialTokens = "text_skipping_special_tokens"
    }
}

/// The tokenizers whose fixtures exist.
let tokenizerNames = ["smollm2", "llama3-style"]
