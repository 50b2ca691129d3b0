import EagleTestSupport
import EagleTokenizer
import Foundation
import Testing
@testable import EagleEngine

/// Stop conditions inside a multi-token (speculative) step: nothing past a stop is emitted.
@Suite struct CompletionTrackerTests {
    static let tokenizer = Result { try Tokenizer(directory: TestPaths.smolLM2) }

    func tracker(_ params: SamplingParams, eos: [Int] = [2]) throws -> CompletionTracker {
        CompletionTracker(params: params, eosTokenIDs: eos, tokenizer: try Self.tokenizer.get())
    }

    func ids(_ text: String) throws -> [Int] { try Self.tokenizer.get().encode(text, addSpecialTokens: false) }

    @Test func eosInsideChainEndsTheCompletion() throws {
        var t = try tracker(SamplingParams(temperature: 0, maxTokens: 50))
        let chain = try ids("Hello world") + [2] + ids(" more text")
        let accepted = chain.map { t.append($0) }
        #expect(t.output.tokenIDs == Array(chain.prefix(through: chain.firstIndex(of: 2)!)))
        #expect(accepted.filter { $0 }.count == t.output.tokenIDs.count)
        #expect(t.output.finishReason == .stop)
        #expect(t.output.stopReason == .token(2))
        #expect(t.output.text == "Hello world")   // special tokens are skipped by default
    }

    @Test func maxTokensInsideChain() throws {
        var t = try tracker(SamplingParams(temperature: 0, maxTokens: 3))
        for id in try ids("one two three four five six") { t.append(id) }
        #expect(t.output.tokenIDs.count == 3)
        #expect(t.output.finishReason == .length)
    }

    @Test func stopStringSpanningTokensIsCutFromTheText() throws {
        var t = try tracker(SamplingParams(temperature: 0, maxTokens: 50, stop: ["STOP here"]))
        let chain = try ids("Answer: 42. STOP here and more")
        for id in chain { t.append(id) }
        #expect(t.output.text == "Answer: 42. ")
        #expect(t.output.finishReason == .stop)
        #expect(t.output.stopReason == .string("STOP here"))
        #expect(t.output.tokenIDs.count < chain.count)
    }

    @Test func streamingHoldsBackPossibleStopPrefixes() throws {
        var t = try tracker(SamplingParams(temperature: 0, maxTokens: 50, stop: ["<END>"]))
        var streamed = ""
        for id in try ids("abc <EN") {
            t.append(id)
            streamed += t.takeDelta()
        }
        #expect(!streamed.contains("<EN"))
        for id in try ids("D> tail") {
            t.append(id)
            streamed += t.takeDelta()
        }
        #expect(streamed == "abc ")
        #expect(t.output.text == "abc ")
    }

    @Test func emptyStopStringIsRejected() {
        #expect(throws: EngineError.invalidSamplingParams(field: "stop", reason: "stop strings must not be empty")) {
            try SamplingParams(stop: [""]).validate()
        }
    }
}
