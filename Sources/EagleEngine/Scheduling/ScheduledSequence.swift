import EagleModels

/// One request as the scheduler and the model runner see it (vLLM's `Request` bookkeeping):
/// all its tokens (prompt, then generated), how many of them the target has in its KV cache,
/// the drafts waiting to be verified, and how its tokens are sampled.
///
/// Invariants: `numComputed < tokens.count` while the request runs (the last generated
/// token is computed by the next step); drafts exist only when `numComputed == tokens.count − 1`.
final class ScheduledSequence {
    enum Status: Equatable { case waiting, running, finished }

    /// Position in arrival order (FCFS priority: lower runs first, higher is preempted first).
    let arrival: Int
    let promptCount: Int
    let params: SamplingParams
    /// Whether steps draft tokens for this request (a head is loaded and the request allows it).
    let speculates: Bool
    var rng: RandomGenerator
    var metrics = SpeculationMetrics()
    private(set) var tokens: [Int]
    var numComputed = 0
    /// Draft tokens proposed for the positions after `tokens`.
    var drafts: [Int] = []
    /// Draft-tree leaves verified beside `drafts` (greedy requests only; at most one per draft),
    /// most likely first.
    var siblings: [DraftSibling] = []
    /// Whether `drafts` came from prompt lookup rather than the head.
    var draftsFromLookup = false
    var status = Status.waiting
    /// How many times the request lost its KV blocks.
    private(set) var preemptions = 0
    /// KV sequences of the target and of the draft, while the request holds blocks.
    var targetSequence: KVCache.SequenceID?
    var draftSequence: KVCache.SequenceID?
    /// Hidden states recorded at each computed position, `[position, recorded width]`
    /// (empty unless the engine records; `ModelRunner` writes them).
    var hiddenStates: [Float] = []

    init(arrival: Int, prompt: [Int], params: SamplingParams = SamplingParams(temperature: 0), speculates: Bool = false) {
        precondition(!prompt.isEmpty)
        self.arrival = arrival
        promptCount = prompt.count
        tokens = prompt
        self.params = params
        self.speculates = speculates
        rng = params.seed.map(RandomGenerator.init(seed:)) ?? RandomGenerator()
        tokens.reserveCapacity(prompt.count + params.maxTokens + 16)
    }

    var generatedCount: Int { tokens.count - promptCount }

    /// Tokens the target still has to compute before the request can sample again.
    var uncomputedCount: Int { tokens.count - numComputed }

    /// Whether the next step that reaches the end of `tokens` samples (always, unless finished).
    var isPrefilling: Bool { uncomputedCount > 1 }

    func appendGenerated(_ token: Int) { tokens.append(token) }

    /// Forgets the KV state after a preemption; the request recomputes all its tokens later.
    func resetForRecompute() {
        numComputed = 0
        drafts.removeAll()
        siblings.removeAll()
        draftsFromLookup = false
        preemptions += 1
        status = .waiting
    }
}

/// One request's share of a step: `count` rows starting at position `numComputed` — the
/// uncomputed tokens (a prompt chunk, or the last generated token), then `draftCount` drafts,
/// then `siblingCount` draft-tree leaves (cached after the drafts).
struct ScheduledWork {
    let sequence: ScheduledSequence
    let startPosition: Int
    let count: Int
    let draftCount: Int
    let siblingCount: Int
    /// Whether the step reaches the end of the request's tokens (as they were when it was
    /// planned), so its last real row samples.
    let samples: Bool

    init(sequence: ScheduledSequence, startPosition: Int, count: Int, draftCount: Int, siblingCount: Int = 0) {
        self.sequence = sequence
        self.startPosition = startPosition
        self.count = count
        self.draftCount = draftCount
        self.siblingCount = siblingCount
        samples = startPosition + count - draftCount - siblingCount == sequence.tokens.count
    }

    /// Tokens of `sequence.tokens` in this step (the rest are drafts and leaves).
    var realCount: Int { count - draftCount - siblingCount }

    /// Position of the first draft.
    var firstDraftPosition: Int { startPosition + realCount }

    /// Row of leaf `i` among the work's rows (its key and value are cached at
    /// `startPosition` plus this).
    func leafRow(_ i: Int) -> Int { realCount + draftCount + i }
}

/// The plan of one step.
struct SchedulerStep {
    var work: [ScheduledWork] = []
    /// Requests preempted while planning this step (their blocks are already freed).
    var preempted: [ScheduledSequence] = []

    var tokenCount: Int { work.reduce(0) { $0 + $1.count } }
}
