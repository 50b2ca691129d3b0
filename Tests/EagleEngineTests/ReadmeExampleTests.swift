import EagleEngine
import EagleTestSupport
import Foundation
import Testing

/// README.md's library example, compiled and run here; a second test checks that the README
/// shows exactly this code.
@Suite(.serialized) struct ReadmeExampleTests {
    static func example() async throws -> [String] {
        var printed: [String] = []
        func print(_ items: Any..., terminator: String = "\n") { printed.append(items.map { "\($0)" }.joined() + terminator) }
        // README example begin
        let llm = try LLM(model: URL(fileURLWithPath: "Models/SmolLM2-135M-Instruct"))

        // Raw completion prompts, greedy, outputs in input order.
        let outputs = try llm.generate(["The capital of France is", "def fibonacci(n):"],
                                       SamplingParams(temperature: 0, maxTokens: 24))
        for output in outputs { print(output.outputs[0].text) }

        // A chat turn, streamed as it is decoded (seeded sampling: same seed, same text).
        let chat = [ChatMessage(role: "user", content: "Name three colors.")]
        for try await (_, delta) in llm.stream(chat: chat, SamplingParams(temperature: 0.7, topP: 0.9, maxTokens: 32, seed: 1)) {
            print(delta, terminator: "")
        }
        // README example end
        return printed
    }

    @Test func exampleRuns() async throws {
        _ = try TestPaths.smolLM2
        try #require(FileManager.default.changeCurrentDirectoryPath(TestPaths.packageRoot.path))
        let printed = try await Self.example()
        #expect(printed.count >= 3)
        #expect(printed[0].contains("Paris"))
        let again = try await Self.example()
        #expect(again == printed, "seeded sampling must reproduce the same text")
    }

    @Test func readmeShowsThisCode() throws {
        func block(_ text: String, from start: String, to end: String) -> [String] {
            guard let a = text.range(of: start), let b = text.range(of: end, range: a.upperBound..<text.endIndex) else { return [] }
            return text[a.upperBound..<b.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("```") }
        }
        let source = try String(contentsOfFile: #filePath, encoding: .utf8)
        let readme = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let code = block(source, from: "// README example begin", to: "// README example end")
        let shown = block(readme, from: "<!-- library-example:begin -->", to: "<!-- library-example:end -->")
            .filter { !$0.hasPrefix("import ") }
        #expect(!code.isEmpty)
        #expect(shown == code)
    }
}
