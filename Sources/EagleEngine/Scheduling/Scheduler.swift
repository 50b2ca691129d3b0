import DequeModule

/// Plans each engine step the way vLLM's V1 scheduler does (EAGLE3_SPEC.md §6): every
/// request has tokens the target has computed and tokens it has not (a prompt, or the last
/// generated token plus its drafts); a step hands each request a number of tokens to compute
/// under one token budget, running requests first (in arrival order), then waiting ones.
///
/// - A decoding request costs `1 + k` tokens, plus its draft-tree leaves (when the budget is
///   short, leaves are cut first, then drafts).
/// - A prompt is prefilled in chunks that share steps with decoding requests.
/// - Blocks are reserved for the scheduled tokens plus `lookahead` positions (the draft
///   writes ahead of the verified range). When the pool runs out, the newest running request
///   is preempted: its blocks are freed and it is recomputed later from its tokens.
final class Scheduler {
    let config: SchedulerConfig
    let allocator: BlockAllocator
    /// Draft positions reserved past the scheduled tokens (k when speculating, else 0).
    let lookahead: Int
    /// Positions a request may occupy (prompt + generated).
    let maxModelLength: Int
    private(set) var waiting: Deque<ScheduledSequence> = []
    private(set) var running: [ScheduledSequence] = []
    private var arrivals = 0
    /// The plan `schedule()` fills: its arrays keep their capacity from step to step, so a
    /// step allocates nothing once the caller has dropped the previous plan. (It keeps the last
    /// plan's sequences alive until the next call.)
    private var plan = SchedulerStep()

    init(config: SchedulerConfig, allocator: BlockAllocator, lookahead: Int, maxModelLength: Int) {
        self.config = config
        self.allocator = allocator
        self.lookahead = lookahead
        self.maxModelLength = maxModelLength
    }

    var hasUnfinished: Bool { !waiting.isEmpty || !running.isEmpty }

    /// Queues a new request (its prompt must fit in `maxModelLength − 1` positions).
    func add(prompt: [Int], params: SamplingParams = SamplingParams(temperature: 0), speculates: Bool = false)
        -> ScheduledSequence {
        precondition(prompt.count < maxModelLength)
        let sequence = ScheduledSequence(arrival: arrivals, prompt: prompt, params: params, speculates: speculates)
        arrivals += 1
        waiting.append(sequence)
        return sequence
    }

    /// Plans the next step. Never exceeds the token budget or `maxNumSeqs` running requests.
    func schedule() -> SchedulerStep {
        plan.work.removeAll(keepingCapacity: true)
        plan.preempted.removeAll(keepingCapacity: true)
        var budget = config.maxNumBatchedTokens
        var index = 0
        while index < running.count, budget > 0 {
            let sequence = running[index]
            let count = tokensToSchedule(sequence, budget: budget, others: running.count + waiting.count > 1)
            guard count > 0 else { index += 1; continue }
            var scheduled = true
            while !allocator.allocate(sequence, positions: reservation(sequence, count)) {
                let victim = running.removeLast()
                preempt(victim)
                plan.preempted.append(victim)
                if victim === sequence { scheduled = false; break }
            }
            guard scheduled else { break }
            plan.work.append(work(sequence, count))
            budget -= count
            index += 1
        }
        // New requests only join in steps without preemption (as vLLM).
        while plan.preempted.isEmpty, let sequence = waiting.first, budget > 0, running.count < config.maxNumSeqs {
            let count = tokensToSchedule(sequence, budget: budget, others: running.count + waiting.count > 1)
            guard count > 0, allocator.allocate(sequence, positions: reservation(sequence, count)) else { break }
            waiting.removeFirst()
            sequence.status = .running
            running.append(sequence)
            plan.work.append(work(sequence, count))
            budget -= count
        }
        return plan
    }

    /// Removes a finished (or aborted) request and frees its blocks; it leaves in the step it
    /// finished.
    func finish(_ sequence: ScheduledSequence) {
        switch sequence.status {
        case .running: running.removeAll { $0 === sequence }
        case .waiting: if let index = waiting.firstIndex(where: { $0 === sequence }) { waiting.remove(at: index) }
        case .finished: return
        }
        allocator.free(sequence)
        sequence.status = .finished
    }

    private func tokensToSchedule(_ sequence: ScheduledSequence, budget: Int, others: Bool) -> Int {
        var count = sequence.uncomputedCount + sequence.drafts.count + sequence.siblings.count
        if sequence.isPrefilling, config.longPrefillTokenThreshold > 0, others {
            count = min(count, config.longPrefillTokenThreshold)
        }
        // The last input position must stay below the model's maximum length.
        return max(0, min(count, budget, maxModelLength - 1 - sequence.numComputed))
    }

    private func reservation(_ sequence: ScheduledSequence, _ count: Int) -> Int {
        min(sequence.numComputed + count + lookahead, maxModelLength + lookahead)
    }

    private func work(_ sequence: ScheduledSequence, _ count: Int) -> ScheduledWork {
        let extra = max(0, sequence.numComputed + count - sequence.tokens.count)   // drafts and leaves that fit
        let drafts = min(sequence.drafts.count, extra)
        let siblings = extra - drafts   // the least likely go first; none unless every draft fits
        sequence.drafts.removeLast(sequence.drafts.count - drafts)
        sequence.siblings.removeLast(sequence.siblings.count - siblings)
        return ScheduledWork(sequence: sequence, startPosition: sequence.numComputed, count: count,
                             draftCount: drafts, siblingCount: siblings)
    }

    private func preempt(_ sequence: ScheduledSequence) {
        allocator.free(sequence)
        sequence.resetForRecompute()
        waiting.prepend(sequence)
    }
}
