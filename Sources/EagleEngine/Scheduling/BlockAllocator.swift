import EagleModels

/// Hands out KV-cache blocks to scheduled requests.
protocol BlockAllocator: AnyObject {
    /// Makes the request hold blocks for positions `0 ..< positions` in every cache it uses;
    /// returns false, changing nothing, when the pool is short.
    func allocate(_ sequence: ScheduledSequence, positions: Int) -> Bool
    /// Returns all blocks of the request to the pool.
    func free(_ sequence: ScheduledSequence)
}

/// Blocks of the target's KV cache and, when speculating, of the draft's: both pools are
/// sized alike and a request holds the same number of positions in each.
final class KVBlockAllocator: BlockAllocator {
    let target: KVCache
    let draft: KVCache?

    init(target: KVCache, draft: KVCache?) {
        self.target = target
        self.draft = draft
    }

    func allocate(_ sequence: ScheduledSequence, positions: Int) -> Bool {
        guard Self.fits(target, sequence.targetSequence, positions),
              draft.map({ Self.fits($0, sequence.draftSequence, positions) }) ?? true else { return false }
        let targetID = sequence.targetSequence ?? target.addSequence()
        sequence.targetSequence = targetID
        try! target.reserve(targetID, capacity: positions)   // checked by `fits`
        if let draft {
            let draftID = sequence.draftSequence ?? draft.addSequence()
            sequence.draftSequence = draftID
            try! draft.reserve(draftID, capacity: positions)
        }
        return true
    }

    func free(_ sequence: ScheduledSequence) {
        if let id = sequence.targetSequence { target.removeSequence(id) }
        if let id = sequence.draftSequence { draft?.removeSequence(id) }
        sequence.targetSequence = nil
        sequence.draftSequence = nil
    }

    private static func fits(_ cache: KVCache, _ id: KVCache.SequenceID?, _ positions: Int) -> Bool {
        let held = id.map { cache.blockCount(of: $0) } ?? 0
        return (positions + cache.blockSize - 1) / cache.blockSize - held <= cache.freeBlockCount
    }
}
