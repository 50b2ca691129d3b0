import EagleModels
import EagleTokenizer
import Foundation

/// Runs requests on one target context (and draft context when speculating): prefill, then
/// steps until the completion ends. Not thread-safe; `LLM` serialises access.
final class EngineCore {
    let model: LlamaModel
    let tokenizer: Tokenizer
    let context: LlamaContext
    let draft: Eagle3Context?
    let speculativeTokens: Int
    let eosTokenIDs: [Int]
    private let sampler: Sampler

    init(model: LlamaModel, tokenizer: Tokenizer, maxModelLength: Int, draft: Eagle3Draft?, speculativeTokens: Int) throws {
        self.model = model
        self.tokenizer = tokenizer
        context = LlamaContext(model: model, cacheCapacity: maxModelLength)
        if let draft {
            try context.captureHiddenStates(enteringLayers: draft.auxLayers)
            self.draft = Eagle3Context(draft: draft, cache: draft.makeCache(capacity: maxModelLength),
                                       maxPositions: maxModelLength)
        } else {
            self.draft = nil
        }
        self.speculativeTokens = speculativeTokens
        sampler = Sampler(vocabularySize: model.config.vocabSize)
        eosTokenIDs = model.config.eosTokenIDs
    }

    /// Total positions (prompt + generated) a request may occupy.
    var maxModelLength: Int { min(context.maxPositions, context.cache.blockCount * context.cache.blockSize) }

    /// Generates one completion. `onUpdate` receives the output so far and the new text.
    func run(requestID: String, prompt: String?, promptTokenIDs: [Int], params: SamplingParams, speculate: Bool = true,
             onUpdate: ((RequestOutput, String) -> Void)? = nil) throws -> RequestOutput {
        try params.validate()
        guard !promptTokenIDs.isEmpty else { throw EngineError.emptyPrompt }
        for id in promptTokenIDs where id < 0 || id >= model.config.vocabSize {
            throw EngineError.invalidTokenID(id, vocabularySize: model.config.vocabSize)
        }
        guard promptTokenIDs.count < maxModelLength else {
            throw EngineError.promptTooLong(tokens: promptTokenIDs.count, maximum: maxModelLength - 1)
        }
        var tracker = CompletionTracker(params: params, eosTokenIDs: eosTokenIDs, tokenizer: tokenizer)
        var metrics = RequestMetrics()
        metrics.promptTokens = promptTokenIDs.count
        let proposer = speculate ? draft.map(Eagle3Proposer.init(context:)) : nil
        let decoder = SequenceDecoder(target: context, proposer: proposer, speculativeTokens: speculativeTokens,
                                      sampler: sampler, params: params,
                                      rng: params.seed.map(RandomGenerator.init(seed:)) ?? RandomGenerator())
        func output() -> RequestOutput {
            metrics.speculation = decoder.finalMetrics
            return RequestOutput(requestID: requestID, prompt: prompt, promptTokenIDs: promptTokenIDs,
                                 outputs: [tracker.output], finished: tracker.isFinished, metrics: metrics)
        }
        func report() {
            guard let onUpdate else { return }
            let delta = tracker.takeDelta()
            onUpdate(output(), delta)
        }

        let start = DispatchTime.now().uptimeNanoseconds
        tracker.append(try decoder.prefill(promptTokenIDs))
        let firstToken = DispatchTime.now().uptimeNanoseconds
        metrics.prefillSeconds = Double(firstToken - start) / 1e9
        metrics.generatedTokens = 1
        report()
        var tokens: [Int] = []
        tokens.reserveCapacity(speculativeTokens + 1)
        while !tracker.isFinished {
            tokens.removeAll(keepingCapacity: true)
            try decoder.step(maxLength: maxModelLength, into: &tokens)
            if tokens.isEmpty { tracker.finish(.length, reason: nil) }
            for token in tokens where !tracker.isFinished { tracker.append(token) }
            metrics.generatedTokens = tracker.output.tokenIDs.count
            metrics.decodeSeconds = Double(DispatchTime.now().uptimeNanoseconds - firstToken) / 1e9
            report()
        }
        if onUpdate == nil { _ = tracker.takeDelta() }
        return output()
    }
}
