/// Scheduler and KV-cache counters of an engine (since it was created or `LLM.resetStats()`).
public struct EngineStats: Sendable, Equatable {
    /// Steps run (one batched target forward each).
    public var steps = 0
    /// Σ over steps of the tokens scheduled (prompt chunks, last tokens and drafts).
    public var scheduledTokens = 0
    /// Σ over steps of the requests scheduled.
    public var scheduledRequests = 0
    public var maxScheduledTokens = 0
    public var maxBatchSize = 0
    /// Requests preempted (blocks freed, recomputed later).
    public var preemptions = 0
    /// Most target KV blocks held at once, and the pool size.
    public var peakKVBlocks = 0
    public var kvBlocks = 0
    /// Target forward passes by the number of tokens in their step, whatever the step held
    /// (with one request: 1 is a plain decode step, k + 1 a verify step of k drafts, and a
    /// prompt's prefill counts under its length).
    public var forwards: [Int: ForwardTime] = [:]

    /// How many forwards of one size ran, and their seconds in total.
    public struct ForwardTime: Sendable, Equatable {
        public var count = 0
        public var seconds = 0.0

        public var meanSeconds: Double { count > 0 ? seconds / Double(count) : 0 }
    }

    public init() {}

    public var meanScheduledTokens: Double { steps > 0 ? Double(scheduledTokens) / Double(steps) : 0 }
    public var meanBatchSize: Double { steps > 0 ? Double(scheduledRequests) / Double(steps) : 0 }
    /// `peakKVBlocks / kvBlocks`.
    public var peakKVUsage: Double { kvBlocks > 0 ? Double(peakKVBlocks) / Double(kvBlocks) : 0 }

    mutating func record(_ step: SchedulerStep, usedBlocks: Int) {
        steps += 1
        scheduledTokens += step.tokenCount
        scheduledRequests += step.work.count
        maxScheduledTokens = max(maxScheduledTokens, step.tokenCount)
        maxBatchSize = max(maxBatchSize, step.work.count)
        preemptions += step.preempted.count
        peakKVBlocks = max(peakKVBlocks, usedBlocks)
    }

    mutating func recordForward(tokens: Int, seconds: Double) {
        forwards[tokens, default: ForwardTime()].count += 1
        forwards[tokens, default: ForwardTime()].seconds += seconds
    }
}
