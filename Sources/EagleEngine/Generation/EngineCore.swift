import EagleModels
import EagleTokenizer
import Foundation

/// Runs requests through the scheduler (vLLM V1's `EngineCore`): requests are added at any
/// time; each `step()` schedules tokens for the running requests under the token budget,
/// runs one batched target forward (`ModelRunner`), hands out the emitted tokens, retires
/// finished requests, and drafts for the next step (`Eagle3Proposer`).
/// Not thread-safe; `LLM` serialises access.
final class EngineCore {
    let model: LlamaModel
    let tokenizer: Tokenizer
    /// Positions one request may occupy (prompt + generated).
    let maxModelLength: Int
    let speculativeTokens: Int
    /// See `greedyDraftLimit`.
    let verifyRowBudget: Int
    let eosTokenIDs: [Int]
    let runner: ModelRunner
    let proposer: Eagle3Proposer?
    let scheduler: Scheduler
    /// Counters since creation or `resetStats()`.
    private(set) var stats = EngineStats()
    /// Unfinished requests.
    private var requests: [ObjectIdentifier: EngineRequest] = [:]

    /// - Parameters:
    ///   - kvCacheTokens: positions in the target's (and the draft's) KV block pool, shared by
    ///     all running requests; at least `maxModelLength + speculativeTokens`.
    ///   - promptLookup: drafts from a request's own recurring tokens, beside `draft`.
    ///   - draftSiblings: draft-tree leaves a greedy request may verify beside the head's drafts.
    init(model: LlamaModel, tokenizer: Tokenizer, maxModelLength: Int, kvCacheTokens: Int, draft: Eagle3Draft?,
         speculativeTokens: Int, verifyRowBudget: Int, promptLookup: PromptLookup? = nil, draftSiblings: Int = 0,
         scheduler config: SchedulerConfig,
         recordHiddenStates recorded: [Int] = []) throws {
        try config.validate(speculativeTokens: speculativeTokens)
        if let layer = recorded.first(where: { $0 < 0 || $0 > model.config.layerCount }) {
            throw EngineError.invalidHiddenStateLayers("layer \(layer) is outside 0…\(model.config.layerCount)")
        }
        guard Set(recorded).count == recorded.count else {
            throw EngineError.invalidHiddenStateLayers("\(recorded) names a layer twice")
        }
        let poolTokens = max(kvCacheTokens, maxModelLength + speculativeTokens + 16)
        self.model = model
        self.tokenizer = tokenizer
        self.maxModelLength = maxModelLength
        self.speculativeTokens = speculativeTokens
        self.verifyRowBudget = verifyRowBudget
        eosTokenIDs = model.config.eosTokenIDs
        let target = LlamaContext(model: model, cacheCapacity: poolTokens)
        try target.captureHiddenStates(enteringLayers: recorded + (draft?.auxLayers ?? []))
        runner = ModelRunner(target: target, recordedLayers: recorded)
        var draftCache: KVCache?
        if let draft {
            let cache = draft.makeCache(capacity: poolTokens)
            draftCache = cache
            proposer = Eagle3Proposer(context: Eagle3Context(draft: draft, cache: cache, maxPositions: maxModelLength + speculativeTokens),
                                      lookup: promptLookup, siblingLimit: draftSiblings)
        } else {
            proposer = nil
        }
        scheduler = Scheduler(config: config, allocator: KVBlockAllocator(target: target.cache, draft: draftCache),
                              lookahead: draft == nil ? 0 : speculativeTokens, maxModelLength: maxModelLength)
        resetStats()
    }

    var hasUnfinished: Bool { !requests.isEmpty }

    /// Validates and queues a request. `speculate: false` decodes it plainly even with a head.
    @discardableResult
    func add(requestID: String, prompt: String?, promptTokenIDs: [Int], params: SamplingParams, speculate: Bool = true,
             onUpdate: ((RequestOutput, String) -> Void)? = nil) throws -> EngineRequest {
        try validate(promptTokenIDs: promptTokenIDs, params: params)
        return enqueue(requestID: requestID, prompt: prompt, promptTokenIDs: promptTokenIDs, params: params,
                       speculate: speculate, onUpdate: onUpdate)
    }

    /// Validates every request first, then queues them all, so a bad one leaves nothing queued.
    /// Request IDs are the indices in `batch`.
    @discardableResult
    func add(batch: [(prompt: String?, tokens: [Int], params: SamplingParams)],
             onUpdate: ((RequestOutput, String) -> Void)? = nil) throws -> [EngineRequest] {
        for item in batch { try validate(promptTokenIDs: item.tokens, params: item.params) }
        return batch.enumerated().map { i, item in
            enqueue(requestID: "\(i)", prompt: item.prompt, promptTokenIDs: item.tokens, params: item.params,
                    speculate: true, onUpdate: onUpdate)
        }
    }

    private func enqueue(requestID: String, prompt: String?, promptTokenIDs: [Int], params: SamplingParams,
                         speculate: Bool, onUpdate: ((RequestOutput, String) -> Void)?) -> EngineRequest {
        let speculates = speculate && proposer != nil && speculativeTokens > 0
        let sequence = scheduler.add(prompt: promptTokenIDs, params: params, speculates: speculates)
        let request = EngineRequest(
            requestID: requestID, prompt: prompt, promptTokenIDs: promptTokenIDs, sequence: sequence,
            tracker: CompletionTracker(params: params, eosTokenIDs: eosTokenIDs, tokenizer: tokenizer),
            recordedLayers: runner.recordedLayers, hiddenSize: model.config.hiddenSize, onUpdate: onUpdate)
        requests[ObjectIdentifier(sequence)] = request
        return request
    }

    /// Throws the error `add` would throw for this request.
    private func validate(promptTokenIDs: [Int], params: SamplingParams) throws {
        try params.validate()
        guard !promptTokenIDs.isEmpty else { throw EngineError.emptyPrompt }
        for id in promptTokenIDs where id < 0 || id >= model.config.vocabSize {
            throw EngineError.invalidTokenID(id, vocabularySize: model.config.vocabSize)
        }
        guard promptTokenIDs.count < maxModelLength else {
            throw EngineError.promptTooLong(tokens: promptTokenIDs.count, maximum: maxModelLength - 1)
        }
    }

    /// Runs one step; returns the requests that finished in it.
    @discardableResult
    func step() throws -> [EngineRequest] {
        let step = scheduler.schedule()
        guard !step.work.isEmpty else {
            // The pool holds a full-length request, so a step can always run someone.
            precondition(!hasUnfinished, "scheduler made no progress")
            return []
        }
        stats.record(step, usedBlocks: runner.target.cache.usedBlockCount)
        do {
            try runner.execute(step)
        } catch {
            abortAll()
            throw error
        }
        stats.recordForward(tokens: step.tokenCount, seconds: runner.forwardSeconds)
        var finished: [EngineRequest] = []
        for (i, work) in step.work.enumerated() {
            let request = requests[ObjectIdentifier(work.sequence)]!
            work.sequence.metrics.targetSeconds += runner.forwardSeconds
            work.sequence.metrics.samplingSeconds += runner.samplingSeconds
            guard work.samples else { continue }
            request.accept(runner.emitted[runner.emittedRanges[i]], maxModelLength: maxModelLength)
            if request.isFinished { finished.append(request) }
        }
        for request in finished { retire(request) }
        if let proposer {
            do {
                try proposer.propose(after: step, runner: runner, isRunning: { $0.status == .running },
                                     k: speculativeTokens, greedyLimit: greedyDraftLimit, maxModelLength: maxModelLength)
            } catch {
                abortAll()
                throw error
            }
            for work in step.work where work.sequence.speculates && work.sequence.status == .running {
                work.sequence.metrics.draftSeconds += proposer.seconds
            }
        }
        for work in step.work where work.samples {
            requests[ObjectIdentifier(work.sequence)]?.report()
        }
        for request in finished { request.report() }
        return finished
    }

    func resetStats() {
        stats = EngineStats()
        stats.kvBlocks = runner.target.cache.blockCount
    }

    /// The most drafts a greedy request gets for the next step (k from the head, or prompt
    /// lookup's count, cut to this): the step verifies at most `verifyRowBudget` rows (drafts
    /// + 1 per request) while requests are running — beyond a few rows per weight pass,
    /// verifying costs real compute, and batching already fills the pass (speculation pauses
    /// when there are more running requests than the budget). Sampled requests are never cut,
    /// so that a seeded request's tokens never depend on its batch.
    var greedyDraftLimit: Int { greedyDraftLimit(running: scheduler.running.count) }

    /// `greedyDraftLimit` with `running` requests running.
    private func greedyDraftLimit(running: Int) -> Int { max(0, verifyRowBudget / max(1, running) - 1) }

    /// Rows a lone request verifies in a step with the head's drafts: the last token, its
    /// drafts, and (greedy) its leaves.
    func loneVerifyRows(greedy: Bool) -> Int {
        guard let proposer, speculativeTokens > 0 else { return 1 }
        let limit = greedyDraftLimit(running: 1)
        let drafts = greedy ? min(speculativeTokens, limit) : speculativeTokens
        return 1 + drafts + proposer.leafCount(greedy: greedy, drafts: drafts, greedyLimit: limit)
    }

    /// Steps until every queued request has finished.
    func runToCompletion() throws {
        while hasUnfinished { try step() }
    }

    private func retire(_ request: EngineRequest) {
        scheduler.finish(request.sequence)
        requests[ObjectIdentifier(request.sequence)] = nil
    }

    /// Drops every request (after an error), returning their blocks.
    func abortAll() {
        for request in requests.values { scheduler.finish(request.sequence) }
        requests.removeAll()
    }
}
