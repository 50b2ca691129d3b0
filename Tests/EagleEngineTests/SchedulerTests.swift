@testable import EagleEngine
import Testing

/// A block pool that only counts: `blocks` blocks of `blockSize` positions.
final class CountingAllocator: BlockAllocator {
    let blockSize: Int
    var free: Int
    let total: Int
    private var held: [ObjectIdentifier: Int] = [:]

    init(blocks: Int, blockSize: Int = 4) {
        self.blockSize = blockSize
        free = blocks
        total = blocks
    }

    func allocate(_ sequence: ScheduledSequence, positions: Int) -> Bool {
        let have = held[ObjectIdentifier(sequence)] ?? 0
        let need = max(0, (positions + blockSize - 1) / blockSize - have)
        guard need <= free else { return false }
        free -= need
        held[ObjectIdentifier(sequence)] = have + need
        return true
    }

    func free(_ sequence: ScheduledSequence) {
        free += held.removeValue(forKey: ObjectIdentifier(sequence)) ?? 0
    }
}

/// Plays the model runner: computes what was scheduled, "samples" token 7 for requests whose
/// step reached their end, accepts `accept` drafts and proposes `k` new ones.
private func run(_ step: SchedulerStep, k: Int, accept: Int = 0) {
    for work in step.work {
        let sequence = work.sequence
        if work.samples {
            let accepted = min(accept, work.draftCount)
            for i in 0..<accepted { sequence.appendGenerated(sequence.drafts[i]) }
            sequence.numComputed = work.startPosition + work.realCount + accepted
            sequence.appendGenerated(7)
            sequence.drafts = Array(repeating: 5, count: k)
        } else {
            sequence.numComputed = work.startPosition + work.count
        }
    }
}

@Suite struct SchedulerTests {
    func scheduler(budget: Int, maxSeqs: Int = 8, blocks: Int = 1000, k: Int = 0, maxLength: Int = 512,
                   threshold: Int = 0) -> (Scheduler, CountingAllocator) {
        let allocator = CountingAllocator(blocks: blocks)
        let config = SchedulerConfig(maxNumBatchedTokens: budget, maxNumSeqs: maxSeqs, longPrefillTokenThreshold: threshold)
        return (Scheduler(config: config, allocator: allocator, lookahead: k, maxModelLength: maxLength), allocator)
    }

    @Test func budgetIsNeverExceededAndPromptsAreChunked() {
        let (s, _) = scheduler(budget: 10)
        let long = s.add(prompt: Array(0..<25))
        let short = s.add(prompt: [1, 2, 3])
        var steps: [SchedulerStep] = []
        while long.isPrefilling || long.numComputed == 0 {
            let step = s.schedule()
            #expect(step.tokenCount <= 10)
            steps.append(step)
            run(step, k: 0)
        }
        // 25 prompt tokens in chunks of 10, 10, 5; the short prompt waits for budget (FCFS).
        #expect(steps.map { $0.work.map(\.count) } == [[10], [10], [5, 3]])
        #expect(steps[0].work[0].samples == false && steps[2].work[0].samples == true)
        #expect(short.numComputed == 3 && short.generatedCount == 1)
    }

    @Test func decodingRequestsCostOnePlusKAndRunFirst() {
        let (s, _) = scheduler(budget: 12, k: 4)
        let a = s.add(prompt: [1, 2])
        run(s.schedule(), k: 4)
        #expect(a.drafts.count == 4)
        let b = s.add(prompt: Array(0..<20))
        let step = s.schedule()
        #expect(step.work.map(\.count) == [5, 7])
        #expect(step.work[0].sequence === a && step.work[0].draftCount == 4)
        #expect(step.work[1].sequence === b && !step.work[1].samples)
    }

    @Test func draftsAreCutWhenBudgetIsShort() {
        let (s, _) = scheduler(budget: 3, k: 4)
        let a = s.add(prompt: [1, 2])
        run(s.schedule(), k: 4)
        let step = s.schedule()
        #expect(step.work.map(\.count) == [3])
        #expect(step.work[0].draftCount == 2 && a.drafts.count == 2)
    }

    @Test func leavesCountInTheBudgetAndAreCutFirst() {
        let (s, _) = scheduler(budget: 8, k: 4)
        let a = s.add(prompt: [1, 2])
        run(s.schedule(), k: 4)
        a.siblings = (0..<4).map { DraftSibling(index: $0, token: 6) }
        var step = s.schedule()   // 1 + 4 drafts + 3 of the 4 leaves
        #expect(step.work.map(\.count) == [8])
        #expect(step.work[0].draftCount == 4 && step.work[0].siblingCount == 3 && step.work[0].realCount == 1)
        #expect(step.work[0].samples && a.siblings.count == 3)
        let (short, _) = scheduler(budget: 3, k: 4)
        let b = short.add(prompt: [1, 2])
        run(short.schedule(), k: 4)
        b.siblings = (0..<2).map { DraftSibling(index: $0, token: 6) }
        step = short.schedule()   // the leaves go first, then drafts
        #expect(step.work[0].draftCount == 2 && step.work[0].siblingCount == 0 && b.siblings.isEmpty && b.drafts.count == 2)
    }

    @Test func maxNumSeqsCapsRunningRequests() {
        let (s, _) = scheduler(budget: 100, maxSeqs: 2)
        for i in 0..<4 { _ = s.add(prompt: [i, i]) }
        let step = s.schedule()
        #expect(step.work.count == 2)
        #expect(s.running.count == 2 && s.waiting.count == 2)
    }

    @Test func finishedRequestsLeaveAndWaitingOnesJoinTheSameStep() {
        let (s, allocator) = scheduler(budget: 100, maxSeqs: 1)
        let a = s.add(prompt: [1, 2])
        let b = s.add(prompt: [3, 4])
        run(s.schedule(), k: 0)
        s.finish(a)
        #expect(allocator.free == allocator.total)
        let step = s.schedule()
        #expect(step.work.map { $0.sequence === b } == [true])
    }

    @Test func poolExhaustionPreemptsTheNewestRequest() {
        // 6 blocks of 4 positions; three requests of 6 prompt tokens need 2 blocks each, then grow.
        let (s, allocator) = scheduler(budget: 100, blocks: 6)
        let requests = (0..<3).map { s.add(prompt: Array(repeating: $0, count: 6)) }
        run(s.schedule(), k: 0)
        #expect(requests.allSatisfy { $0.numComputed == 6 })
        for _ in 0..<2 { run(s.schedule(), k: 0) }   // positions 6, 7: still 2 blocks each
        let step = s.schedule()                        // position 8 needs a third block each
        #expect(step.preempted.map(\.arrival) == [2])
        #expect(requests[2].status == .waiting && requests[2].numComputed == 0 && requests[2].preemptions == 1)
        #expect(s.waiting.first === requests[2])
        #expect(step.work.allSatisfy { $0.sequence !== requests[2] })
        run(step, k: 0)
        for r in requests { s.finish(r) }
        #expect(allocator.free == allocator.total)
    }

    @Test func preemptedRequestRecomputesAllItsTokens() {
        let (s, _) = scheduler(budget: 100, blocks: 4)
        let a = s.add(prompt: Array(0..<6))
        let b = s.add(prompt: Array(0..<6))
        run(s.schedule(), k: 0)
        for _ in 0..<3 { run(s.schedule(), k: 0) }     // b is preempted when a needs a third block
        #expect(b.preemptions == 1)
        s.finish(a)
        let step = s.schedule()
        #expect(step.work.count == 1 && step.work[0].sequence === b)
        #expect(step.work[0].startPosition == 0 && step.work[0].count == b.tokens.count && step.work[0].samples)
    }

    @Test func longPrefillThresholdCapsChunksWhenOthersWait() {
        let (s, _) = scheduler(budget: 100, threshold: 8)
        _ = s.add(prompt: Array(0..<30))
        _ = s.add(prompt: Array(0..<30))
        #expect(s.schedule().work.map(\.count) == [8, 8])
    }

    @Test func inputsStopBeforeTheMaximumLength() {
        let (s, _) = scheduler(budget: 100, k: 4, maxLength: 8)
        let a = s.add(prompt: Array(0..<5))
        run(s.schedule(), k: 4)                        // 6 tokens, 4 drafts
        let step = s.schedule()
        // last input position ≤ maxLength − 2 = 6: the pending token (5) and one draft (6)
        #expect(step.work[0].count == 2 && a.drafts.count == 1)
    }

    @Test func invalidConfigsAreRejected() {
        #expect(throws: EngineError.self) { try SchedulerConfig(maxNumBatchedTokens: 4).validate(speculativeTokens: 4) }
        #expect(throws: EngineError.self) { try SchedulerConfig(maxNumSeqs: 0).validate(speculativeTokens: 0) }
        #expect(throws: Never.self) { try SchedulerConfig().validate(speculativeTokens: 5) }
    }
}
