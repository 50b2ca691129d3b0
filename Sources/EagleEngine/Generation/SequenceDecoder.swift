import EagleModels
import Foundation

/// Decodes one sequence on the target model, optionally speculating with an EAGLE-3 head:
/// `prefill` returns the first token, each `step` returns the next one or more tokens.
///
/// With a proposer and greedy sampling, a step drafts k tokens, verifies `[last, d₁…d_k]` in
/// one target forward, keeps the accepted prefix plus the correction or bonus token
/// (`GreedyVerifier`) and rolls the target's KV cache back past the rejected tail. The verify
/// rows go through the same per-row kernels as single-token decoding, so the output is
/// token-identical to plain greedy decoding.
public final class SequenceDecoder {
    private let target: LlamaContext
    private let proposer: Eagle3Proposer?
    private let speculativeTokens: Int
    private let sampler: Sampler
    private let params: SamplingParams
    private var rng: RandomGenerator
    private let sequence: KVCache.SequenceID
    private var batch = ForwardBatch()
    /// Tokens in the target's KV cache.
    private var length = 0
    /// The last emitted token, not yet in the target's cache.
    private var pending = 0
    private var drafts: [Int] = []
    /// Scratch rows (`[pending, d₁…d_k]` to verify, then the draft's shifted inputs), reused.
    private var rows: [Int] = []
    private(set) var metrics = SpeculationMetrics()

    public init(target: LlamaContext, proposer: Eagle3Proposer?, speculativeTokens: Int, sampler: Sampler,
         params: SamplingParams, rng: RandomGenerator) {
        self.target = target
        self.proposer = params.isGreedy ? proposer : nil
        self.speculativeTokens = speculativeTokens
        self.sampler = sampler
        self.params = params
        self.rng = rng
        sequence = target.cache.addSequence()
    }

    deinit { target.cache.removeSequence(sequence) }

    /// Whether steps speculate.
    public var isSpeculative: Bool { proposer != nil }

    /// Runs the prompt and returns the first generated token.
    public func prefill(_ prompt: [Int]) throws -> Int {
        try timed(\.targetSeconds) {
            batch.removeAll()
            batch.append(sequence: sequence, tokens: prompt, startPosition: 0)
            batch.requestLogits(rows: CollectionOfOne(prompt.count - 1))
            try target.forward(batch)
        }
        length = prompt.count
        pending = sample(row: 0)
        if let proposer {
            rows.removeAll(keepingCapacity: true)
            rows.append(contentsOf: prompt.dropFirst())
            rows.append(pending)
            drafts.removeAll(keepingCapacity: true)
            drafts.append(try proposer.firstPass(tokens: rows, startPosition: 0, target: target))
        }
        return pending
    }

    /// Appends the next tokens (at least one) to `tokens`, never running past `maxLength`
    /// positions; appends nothing when the context is full. (Appending into a reused buffer
    /// keeps the decode loop free of allocations.)
    public func step(maxLength: Int, into tokens: inout [Int]) throws {
        guard length + 1 < maxLength else { return }
        let k = min(speculativeTokens, maxLength - length - 2)
        guard let proposer, k > 0 else {
            tokens.append(try plainStep())
            return
        }
        if drafts.count > k { drafts.removeLast(drafts.count - k) }
        if drafts.count < k { try proposer.propose(count: k - drafts.count, into: &drafts) }

        let start = length
        rows.removeAll(keepingCapacity: true)
        rows.append(pending)
        rows.append(contentsOf: drafts)
        try timed(\.targetSeconds) {
            batch.removeAll()
            batch.append(sequence: sequence, tokens: rows, startPosition: start)
            batch.requestLogits(rows: 0...k)
            try target.forward(batch)
        }
        let emittedStart = tokens.count
        let accepted = GreedyVerifier.verify(drafts: drafts, into: &tokens) { target.argmax(row: $0) }
        metrics.observe(proposed: k, accepted: accepted)
        // Keep [pending, d₁…d_a]; the rejected tail is rewritten by later forwards.
        target.cache.truncate(sequence, to: start + accepted + 1)
        length = start + accepted + 1
        pending = tokens[emittedStart + accepted]
        // The draft's first pass pairs verified rows 0…a with the tokens that follow them.
        rows.removeAll(keepingCapacity: true)
        rows.append(contentsOf: drafts.prefix(accepted))
        rows.append(pending)
        drafts.removeAll(keepingCapacity: true)
        drafts.append(try proposer.firstPass(tokens: rows, startPosition: start, target: target))
    }

    private func plainStep() throws -> Int {
        try timed(\.targetSeconds) {
            batch.removeAll()
            batch.append(sequence: sequence, tokens: CollectionOfOne(pending), startPosition: length)
            batch.requestLogits(rows: CollectionOfOne(0))
            try target.forward(batch)
        }
        length += 1
        pending = sample(row: 0)
        return pending
    }

    private func sample(row: Int) -> Int {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { metrics.samplingSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        return sampler.sample(target.logits(row: row), params: params, using: &rng)
    }

    private func timed<R>(_ field: WritableKeyPath<SpeculationMetrics, Double>, _ body: () throws -> R) rethrows -> R {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { metrics[keyPath: field] += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        return try body()
    }

    /// Counters of this sequence, draft time included.
    public var finalMetrics: SpeculationMetrics {
        var m = metrics
        m.draftSeconds = proposer?.seconds ?? 0
        return m
    }
}
