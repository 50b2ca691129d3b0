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
}
