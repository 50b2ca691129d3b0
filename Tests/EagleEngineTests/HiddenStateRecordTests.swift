@testable import EagleEngine
import EagleModels
import EagleTestSupport
import Foundation
import Testing

/// Hidden states recorded while generating (`EngineOptions.recordHiddenStates`) must equal a
/// single forward over the finished sequence, whatever the batch did on the way: chunked
/// prefill, continuous batching, preemption, speculation with rejected drafts.
@Suite struct HiddenStateRecordTests {
    static let model = LosslessSpeculationTests.tinyModel
    /// Out of order on purpose: the record follows this order. 8 is past the last layer.
    static let layers = [8, 1, 5]

    static func engine(speculate: Bool, scheduler: SchedulerConfig, kvCacheTokens: Int? = nil, draftSiblings: Int = 0) throws -> LLM {
        var speculative: SpeculativeConfig?
        if speculate {
            let config = try LlamaModel(directory: model).config
            let head = try RandomEagle3Head.write(target: config, draftVocabSize: 64, seed: 11)
            speculative = SpeculativeConfig(model: head.path, numSpeculativeTokens: 3, draftSiblings: draftSiblings)
        }
        return try LLM(model: model, options: EngineOptions(maxModelLength: 128, speculative: speculative, scheduler: scheduler,
                                                            kvCacheTokens: kvCacheTokens, recordHiddenStates: layers))
    }

    static func check(_ llm: LLM, _ outputs: [RequestOutput]) throws {
        for output in outputs {
            let record = try #require(output.hiddenStates)
            let tokens = output.promptTokenIDs + output.outputs[0].tokenIDs
            #expect(record.layers == layers)
            #expect(record.hiddenSize == llm.model.config.hiddenSize)
            #expect(record.positions == tokens.count - 1)
            let expected = try capturedStates(llm.model, tokens: Array(tokens.dropLast()), layers: layers)
            // Decode rows and prefill chunks go through different kernels (rowwise vs sgemm).
            #expect(maxAbsDifference(record.values, expected) < 1e-4, "request \(output.requestID)")
        }
    }

    static var prompts: [[Int]] {
        LosslessSpeculationTests.prompts(vocabulary: 512, count: 8).enumerated().map { i, p in Array(p.prefix(2 + (i * 13) % 40)) }
    }

    /// Plain, speculative, and speculative with draft-tree leaves beside every draft.
    @Test(arguments: [(false, 0), (true, 0), (true, 3)])
    func recordEqualsOneForwardOverTheSequence(speculate: Bool, siblings: Int) throws {
        let llm = try Self.engine(speculate: speculate, scheduler: SchedulerConfig(maxNumBatchedTokens: 24, maxNumSeqs: 5),
                                  draftSiblings: siblings)
        let params = Self.prompts.indices.map { SamplingParams(temperature: 0, maxTokens: 4 + $0 * 5, ignoreEOS: true) }
        let outputs = try llm.generate(promptTokenIDs: Self.prompts, params)
        try Self.check(llm, outputs)
        if speculate { #expect(outputs.contains { $0.metrics.speculation.numDraftTokens > $0.metrics.speculation.numAcceptedTokens }) }
        if siblings > 0 { #expect(outputs.contains { $0.metrics.speculation.numSiblingTokens > 0 }) }
    }

    @Test func preemptedRequestsRecordTheirRecomputation() throws {
        let llm = try Self.engine(speculate: false, scheduler: SchedulerConfig(maxNumBatchedTokens: 32, maxNumSeqs: 8), kvCacheTokens: 144)
        let preemptions = try llm.core.withCore { core in
            let requests = try Self.prompts.enumerated().map { i, prompt in
                try core.add(requestID: "\(i)", prompt: nil, promptTokenIDs: prompt,
                             params: SamplingParams(temperature: 0, maxTokens: 30, ignoreEOS: true))
            }
            try core.runToCompletion()
            try Self.check(llm, requests.map(\.output))
            return requests.map(\.sequence.preemptions).reduce(0, +)
        }
        #expect(preemptions > 0)
    }

    @Test func onlyTheFinalOutputCarriesTheRecord() throws {
        let llm = try Self.engine(speculate: false, scheduler: SchedulerConfig())
        var partial = 0
        let output = try llm.generate(promptTokenIDs: [3, 4, 5], SamplingParams(temperature: 0, maxTokens: 5, ignoreEOS: true)) { out, _ in
            if !out.finished, out.hiddenStates != nil { partial += 1 }
        }
        #expect(partial == 0)
        #expect(output.hiddenStates?.positions == 3 + 5 - 1)
        let plain = try LLM(model: Self.model).generate(promptTokenIDs: [[3, 4, 5]], SamplingParams(temperature: 0, maxTokens: 5))
        #expect(plain[0].hiddenStates == nil)
    }

    @Test func invalidLayersAreRejected() throws {
        for (layers, reason) in [([9], "layer 9 is outside 0…8"), ([-1], "layer -1 is outside 0…8"), ([2, 2], "[2, 2] names a layer twice")] {
            #expect(throws: EngineError.invalidHiddenStateLayers(reason)) {
                try LLM(model: Self.model, options: EngineOptions(recordHiddenStates: layers))
            }
        }
    }
}
