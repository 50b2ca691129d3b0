import EagleKernels
import EagleLoading
import EagleModels
import EagleTokenizer
import Foundation

/// Options fixed when an `LLM` is created.
public struct EngineOptions: Sendable {
    /// Longest sequence (prompt + completion) the KV cache holds; nil = the model's maximum.
    public var maxModelLength: Int?
    /// Threads for the matmul kernels; nil = all cores.
    public var threads: Int?
    /// Speculative decoding with a draft head; nil = plain decoding.
    public var speculative: SpeculativeConfig?
    /// Token budget and concurrency of each step.
    public var scheduler: SchedulerConfig
    /// Positions in the KV block pool shared by all running requests (nil: enough for
    /// `scheduler.maxNumSeqs` requests of 1024 positions, and at least one of the full length).
    /// When the pool runs out, the newest request is preempted and recomputed later.
    public var kvCacheTokens: Int?
    /// How the target's matmul weights are kept: as stored (`.auto`, exact) or rounded to
    /// BF16 (`.bfloat16`: faster decoding, different numerics). Draft heads load as stored.
    public var weightDType: WeightDType
    /// Layers whose hidden states every request records at each of its positions, returned in
    /// the final `RequestOutput.hiddenStates` (empty: none). Id `k` is the residual stream
    /// entering layer `k`; the layer count is the stream after the last layer, before the
    /// final norm (EAGLE-3's aux and verifier states, e.g. `[2, 15, 27, 30]` for SmolLM2).
    public var recordHiddenStates: [Int]

    public init(maxModelLength: Int? = nil, threads: Int? = nil, speculative: SpeculativeConfig? = nil,
                scheduler: SchedulerConfig = SchedulerConfig(), kvCacheTokens: Int? = nil,
                weightDType: WeightDType = .auto, recordHiddenStates: [Int] = []) {
        self.maxModelLength = maxModelLength
        self.threads = threads
        self.speculative = speculative
        self.scheduler = scheduler
        self.kvCacheTokens = kvCacheTokens
        self.weightDType = weightDType
        self.recordHiddenStates = recordHiddenStates
    }
}

/// Offline inference in the spirit of vLLM's `LLM`: load once, generate many.
///
///     let llm = try LLM(model: URL(fileURLWithPath: "Models/SmolLM2-135M-Instruct"))
///     let outputs = try llm.generate(["The capital of France is"], SamplingParams(temperature: 0, maxTokens: 16))
///     print(outputs[0].outputs[0].text)
///
/// Thread-safe: calls from several threads or tasks run one at a time.
public final class LLM: Sendable {
    public let model: LlamaModel
    public let tokenizer: Tokenizer
    /// The draft head when speculative decoding is configured.
    public let draft: Eagle3Draft?
    /// Drafts per verify step.
    public let numSpeculativeTokens: Int
    let core: SerializedCore

    /// Rows one request alone verifies per step with the head's drafts (k + 1, plus its
    /// draft-tree leaves when greedy): the forward `eagle bench` compares with decoding.
    public func verifyRows(greedy: Bool) -> Int { core.withCore { $0.loneVerifyRows(greedy: greedy) } }

    /// Loads the model and tokenizer from an HF-layout directory.
    public init(model directory: URL, options: EngineOptions = EngineOptions()) throws {
        Linear.setThreadCount(options.threads ?? ProcessInfo.processInfo.activeProcessorCount)
        let model = try LlamaModel(directory: directory, weightDType: options.weightDType)
        let tokenizer = try Tokenizer(directory: directory)
        let length = min(options.maxModelLength ?? model.config.maxPositionEmbeddings, model.config.maxPositionEmbeddings)
        var draft: Eagle3Draft?
        var k = 0
        if let speculative = options.speculative {
            try speculative.validate()
            let head = try Eagle3Draft(directory: URL(fileURLWithPath: speculative.model), target: model)
            draft = head
            k = speculative.numSpeculativeTokens ?? head.config.numSpeculativeTokens
        }
        self.model = model
        self.tokenizer = tokenizer
        self.draft = draft
        numSpeculativeTokens = k
        let pool = options.kvCacheTokens ?? max(options.scheduler.maxNumSeqs * 1024, length + k)
        let rows = options.speculative?.verifyRowBudget ?? SpeculativeConfig.defaultVerifyRowBudget
        core = SerializedCore(try EngineCore(model: model, tokenizer: tokenizer, maxModelLength: length, kvCacheTokens: pool,
                                             draft: draft, speculativeTokens: k, verifyRowBudget: rows,
                                             promptLookup: options.speculative?.promptLookup,
                                             draftSiblings: options.speculative?.draftSiblings
                                                 ?? SpeculativeConfig.defaultDraftSiblings(k: k),
                                             scheduler: options.scheduler,
                                             recordHiddenStates: options.recordHiddenStates))
    }

    /// Generates one completion per prompt (raw completion prompts), all prompts in flight
    /// together (continuous batching); outputs come back in input order.
    public func generate(_ prompts: [String], _ params: SamplingParams = SamplingParams()) throws -> [RequestOutput] {
        try generate(prompts, Array(repeating: params, count: prompts.count))
    }

    /// Like `generate(_:_:)` with one `SamplingParams` per prompt.
    public func generate(_ prompts: [String], _ params: [SamplingParams]) throws -> [RequestOutput] {
        try runBatch(prompts.map { ($0, tokenizer.encode($0)) }, params)
    }

    /// Generates from already tokenized prompts, all in flight together, in input order.
    public func generate(promptTokenIDs: [[Int]], _ params: SamplingParams = SamplingParams()) throws -> [RequestOutput] {
        try runBatch(promptTokenIDs.map { (nil, $0) }, Array(repeating: params, count: promptTokenIDs.count))
    }

    /// Like `generate(promptTokenIDs:_:)` with one `SamplingParams` per prompt.
    public func generate(promptTokenIDs: [[Int]], _ params: [SamplingParams]) throws -> [RequestOutput] {
        try runBatch(promptTokenIDs.map { (nil, $0) }, params)
    }

    /// Generates like `generate(promptTokenIDs:_:)`, but hands each output to `onFinished` as soon
    /// as its request finishes (`requestID` is the prompt's index) and keeps none of them: for
    /// batches too large to hold every output at once, such as with recorded hidden states.
    public func generate(promptTokenIDs: [[Int]], _ params: [SamplingParams],
                         onFinished: (RequestOutput) throws -> Void) throws {
        try Self.checkOneParamsPerPrompt(prompts: promptTokenIDs.count, params: params.count)
        // The requests hold the callback only until they finish or are aborted, both below.
        try withoutActuallyEscaping(onFinished) { onFinished in
            try core.withCore { core in
                var callbackError: Error?
                try core.add(batch: zip(promptTokenIDs, params).map { (nil, $0, $1) }) { output, _ in
                    guard output.finished, callbackError == nil else { return }
                    do { try onFinished(output) } catch { callbackError = error }
                }
                while core.hasUnfinished, callbackError == nil { try core.step() }
                if let callbackError {
                    core.abortAll()
                    throw callbackError
                }
            }
        }
    }

    /// Renders `messages` with the model's chat template (adding the assistant prompt) and generates.
    public func chat(_ messages: [ChatMessage], _ params: SamplingParams = SamplingParams()) throws -> RequestOutput {
        let prompt = try chatPrompt(messages)
        return try run(id: "0", prompt: prompt, tokens: tokenizer.encode(prompt, addSpecialTokens: false), params: params, onUpdate: nil)
    }

    /// The chat template rendering of `messages` with the generation prompt appended.
    public func chatPrompt(_ messages: [ChatMessage]) throws -> String {
        guard let template = tokenizer.chatTemplate else {
            throw EngineError.noChatTemplate(model: model.config.architecture)
        }
        return try template.render(messages: messages, addGenerationPrompt: true)
    }

    /// Generates one completion, calling `onUpdate` (if given) with the output so far and the
    /// newly decoded text after every step (streaming by callback). `speculate: false` runs
    /// plain decoding even when a draft is loaded. Returns the final output.
    public func generate(promptTokenIDs: [Int], prompt: String? = nil, _ params: SamplingParams, speculate: Bool = true,
                         onUpdate: ((RequestOutput, String) -> Void)? = nil) throws -> RequestOutput {
        try run(id: "0", prompt: prompt, tokens: promptTokenIDs, params: params, speculate: speculate, onUpdate: onUpdate)
    }

    /// Streams the output of one raw prompt: each element is the output so far plus the new text.
    public func stream(_ prompt: String, _ params: SamplingParams = SamplingParams())
        -> AsyncThrowingStream<(output: RequestOutput, delta: String), Error> {
        stream({ [(prompt, $0.tokenizer.encode(prompt))] }, params)
    }

    /// Streams many raw prompts generated together: each element is one request's output so
    /// far (`requestID` is the prompt's index) and its new text, as the steps produce them.
    public func stream(_ prompts: [String], _ params: SamplingParams = SamplingParams())
        -> AsyncThrowingStream<(output: RequestOutput, delta: String), Error> {
        stream({ llm in prompts.map { ($0, llm.tokenizer.encode($0)) } }, params)
    }

    /// Streams the reply to a chat conversation (rendered with the model's chat template).
    public func stream(chat messages: [ChatMessage], _ params: SamplingParams = SamplingParams())
        -> AsyncThrowingStream<(output: RequestOutput, delta: String), Error> {
        stream({ llm in [(nil, llm.tokenizer.encode(try llm.chatPrompt(messages), addSpecialTokens: false))] }, params)
    }

    private func stream(_ requests: @escaping @Sendable (LLM) throws -> [(prompt: String?, tokens: [Int])],
                        _ params: SamplingParams) -> AsyncThrowingStream<(output: RequestOutput, delta: String), Error> {
        AsyncThrowingStream { continuation in
            let thread = Thread { [self] in
                do {
                    let items = try requests(self)
                    try core.withCore { core in
                        try core.add(batch: items.map { ($0.prompt, $0.tokens, params) }) { continuation.yield(($0, $1)) }
                        try core.runToCompletion()
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            thread.start()
        }
    }

    /// Scheduler and KV-cache counters since the engine was created or `resetStats()`.
    public var stats: EngineStats { core.withCore { $0.stats } }

    /// Zeroes `stats`.
    public func resetStats() { core.withCore { $0.resetStats() } }

    /// Blocks held in the target's and the draft's KV pools (both 0 when no request runs).
    var usedKVBlocks: (target: Int, draft: Int) {
        core.withCore { ($0.runner.target.cache.usedBlockCount, $0.proposer?.context.cache.usedBlockCount ?? 0) }
    }

    private func run(id: String, prompt: String?, tokens: [Int], params: SamplingParams, speculate: Bool = true,
                     onUpdate: ((RequestOutput, String) -> Void)?) throws -> RequestOutput {
        try core.withCore { core in
            let request = try core.add(requestID: id, prompt: prompt, promptTokenIDs: tokens, params: params,
                                       speculate: speculate, onUpdate: onUpdate)
            try core.runToCompletion()
            return request.output
        }
    }

    private func runBatch(_ prompts: [(String?, [Int])], _ params: [SamplingParams]) throws -> [RequestOutput] {
        try Self.checkOneParamsPerPrompt(prompts: prompts.count, params: params.count)
        return try core.withCore { core in
            let requests = try core.add(batch: zip(prompts, params).map { ($0.0, $0.1, $1) })
            try core.runToCompletion()
            return requests.map(\.output)
        }
    }

    private static func checkOneParamsPerPrompt(prompts: Int, params: Int) throws {
        guard prompts == params else {
            throw EngineError.invalidSamplingParams(field: "params", reason: "\(params) given for \(prompts) prompts")
        }
    }
}

/// The engine core behind a lock: requests run one at a time, on the caller's thread.
/// `@unchecked Sendable` is sound because `core` is only reached inside `withCore`.
final class SerializedCore: @unchecked Sendable {
    private let lock = NSLock()
    private let core: EngineCore

    init(_ core: EngineCore) { self.core = core }

    func withCore<R>(_ body: (EngineCore) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(core)
    }
}
