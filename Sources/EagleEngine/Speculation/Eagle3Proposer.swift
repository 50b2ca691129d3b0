import EagleModels
import Foundation

/// Proposes draft tokens for every speculating request of a step with one EAGLE-3 head
/// (EAGLE3_SPEC.md §3.2–3.4, §3.9; vLLM's non-padded drafting).
///
/// Each step: one first pass of the head over all target rows the step verified — row i
/// pairs the target's aux states at position p with the token at p + 1, so prompt chunks keep
/// the draft's KV cache complete — drafting from each request's last verified row; then
/// `k − 1` batched single-token passes that feed back the head's own hidden states. The
/// head's KV entries for rejected positions are rewritten by the next first pass. With
/// `lookup`, a request whose last tokens recur earlier in it takes its drafts from there
/// (`PromptLookup`) and skips the head's drafting passes; the first pass still runs over its
/// verified rows. A greedy request also gets up to `siblingLimit` draft-tree leaves
/// (`ScheduledSequence.siblings`, while its drafts and leaves fit `greedyLimit`): of the head's
/// runner-ups for its drafts, those the head rates most likely to be accepted — its probability
/// of the drafts before, times the runner-up's (EAGLE-2's context-aware tree).
final class Eagle3Proposer {
    let context: Eagle3Context
    let lookup: PromptLookup?
    /// Leaves a greedy request may get (0: chains only).
    let siblingLimit: Int
    private var batch = ForwardBatch()
    private var targetRows: [Int] = []
    /// Requests drafting in the current pass, in batch row order.
    private var active: [ScheduledSequence] = []
    /// Hidden states fed to the next pass, one row per active request.
    private var feed: [Float] = []
    /// The head's probability of each active request's drafts so far.
    private var pathProbabilities: [Float] = []
    /// Seconds the last `propose` took.
    private(set) var seconds = 0.0

    init(context: Eagle3Context, lookup: PromptLookup?, siblingLimit: Int = 0) {
        self.context = context
        self.lookup = lookup
        self.siblingLimit = context.draft.config.draftVocabSize > 1 ? siblingLimit : 0
    }

    /// Runs the head after `runner` executed `step`. `isRunning` filters out requests that
    /// finished in the step; each request about to verify gets up to `k` new `drafts` from the
    /// head or `lookup.draftCount` from prompt lookup — greedy ones at most `greedyLimit`,
    /// drafts and leaves together — and fewer near `maxModelLength`.
    func propose(after step: SchedulerStep, runner: ModelRunner, isRunning: (ScheduledSequence) -> Bool,
                 k: Int, greedyLimit: Int, maxModelLength: Int) throws {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        func wanted(_ sequence: ScheduledSequence, _ count: Int) -> Int {
            max(0, min(sequence.params.isGreedy ? min(count, greedyLimit) : count, maxModelLength - 1 - sequence.tokens.count))
        }
        func wantedFromHead(_ sequence: ScheduledSequence) -> Int { wanted(sequence, k) }
        func leaves(_ sequence: ScheduledSequence) -> Int {
            leafCount(greedy: sequence.params.isGreedy, drafts: wantedFromHead(sequence), greedyLimit: greedyLimit)
        }

        batch.removeAll()
        targetRows.removeAll(keepingCapacity: true)
        active.removeAll(keepingCapacity: true)
        pathProbabilities.removeAll(keepingCapacity: true)
        for (i, work) in step.work.enumerated() where work.sequence.speculates && isRunning(work.sequence) {
            let sequence = work.sequence
            // Verified rows start…end−1, each followed by the token at the next position.
            let end = work.samples ? sequence.numComputed : work.startPosition + work.count
            let range = batch.append(sequence: sequence.draftSequence!, tokens: sequence.tokens[(work.startPosition + 1)...end],
                                     startPosition: work.startPosition)
            runner.appendKeptRows(work: i, to: &targetRows)
            sequence.drafts.removeAll(keepingCapacity: true)
            sequence.siblings.removeAll(keepingCapacity: true)
            sequence.draftsFromLookup = false
            guard work.samples else { continue }
            if let lookup, case let count = wanted(sequence, lookup.draftCount), count > 0,
               lookup.appendDrafts(after: sequence.tokens, count: count, to: &sequence.drafts) {
                sequence.draftsFromLookup = true
                continue
            }
            guard wantedFromHead(sequence) > 0 else { continue }
            batch.requestLogits(rows: CollectionOfOne(range.upperBound - 1))
            active.append(sequence)
            pathProbabilities.append(1)
        }
        guard !batch.segments.isEmpty else { return }
        try context.forward(batch, target: runner.target, targetRows: targetRows)
        collect(wanted: wantedFromHead, leaves: leaves)
        for pass in 1..<max(k, 1) where !active.isEmpty {
            batch.removeAll()
            for sequence in active {
                batch.append(sequence: sequence.draftSequence!, tokens: sequence.drafts[(sequence.drafts.count - 1)...],
                             startPosition: sequence.numComputed - 1 + pass)
            }
            batch.requestLogits(rows: 0..<active.count)
            try feed.withUnsafeBufferPointer { try context.forward(batch, hiddenStates: $0.baseAddress!) }
            collect(wanted: wantedFromHead, leaves: leaves)
        }
    }

    /// Leaves beside a request's `drafts` head drafts: greedy ones get up to `siblingLimit`,
    /// one per draft at most, drafts and leaves together at most `greedyLimit`.
    func leafCount(greedy: Bool, drafts: Int, greedyLimit: Int) -> Int {
        greedy ? max(0, min(siblingLimit, drafts, greedyLimit - drafts)) : 0
    }

    /// Appends each active request's draft of this pass (and, when it wants `leaves`, the
    /// runner-up as a candidate leaf, keeping the most likely once its drafts are complete),
    /// then keeps the requests that want more drafts, with their hidden states compacted into
    /// `feed`.
    private func collect(wanted: (ScheduledSequence) -> Int, leaves: (ScheduledSequence) -> Int) {
        let h = context.draft.config.hiddenSize
        if feed.count < active.count * h { feed = [Float](repeating: 0, count: active.count * h) }
        var kept = 0
        for row in active.indices {   // by index: iterating a copy of `active` would make the writes below copy it
            let sequence = active[row]
            let leafCount = leaves(sequence)
            if leafCount > 0 {
                let candidates = context.draftCandidates(row: row)
                sequence.siblings.append(DraftSibling(index: sequence.drafts.count, token: candidates.runnerUp,
                                                      likelihood: pathProbabilities[row] * candidates.runnerUpProbability))
                sequence.drafts.append(candidates.best)
                pathProbabilities[row] *= candidates.bestProbability
            } else {
                sequence.drafts.append(context.draftToken(row: row))
            }
            guard sequence.drafts.count < wanted(sequence) else {
                DraftSibling.keepMostLikely(&sequence.siblings, count: leafCount)
                continue
            }
            let source = context.nextHidden(row: row, batch: batch)
            feed.withUnsafeMutableBufferPointer { ($0.baseAddress! + kept * h).update(from: source, count: h) }
            active[kept] = sequence
            pathProbabilities[kept] = pathProbabilities[row]
            kept += 1
        }
        active.removeLast(active.count - kept)
        pathProbabilities.removeLast(pathProbabilities.count - kept)
    }
}
