extension KVCache {
    /// Makes the cache ready for `batch`: checks that every segment can be written (positions
    /// contiguous with the sequence, within `maxPositions`, enough free blocks) — throwing
    /// before anything changes — then rolls each sequence back to its segment's start position,
    /// reserves its blocks and marks the new positions valid.
    func prepare(_ batch: ForwardBatch, maxPositions: Int) throws {
        try validate(batch, maxPositions: maxPositions)
        // All roll-backs first, so that every reservation sees the blocks they free.
        for segment in batch.segments { truncate(segment.sequence, to: segment.startPosition) }
        for segment in batch.segments {
            try reserve(segment.sequence, capacity: segment.startPosition + segment.count)
            setLength(segment.sequence, segment.startPosition + segment.count)
        }
    }

    private func validate(_ batch: ForwardBatch, maxPositions: Int) throws {
        var needed = 0, released = 0
        for segment in batch.segments {
            let length = length(of: segment.sequence)
            if segment.startPosition > length {
                throw ForwardError.positionPastEnd(sequence: segment.sequence, startPosition: segment.startPosition, length: length)
            }
            let end = segment.startPosition + segment.count
            if end > maxPositions { throw ForwardError.contextTooLong(position: end - 1, maximum: maxPositions) }
            // Rolling back to the start frees the blocks past it; the segment then needs blocks up to its end.
            let kept = (segment.startPosition + blockSize - 1) / blockSize
            let held = min(blockCount(of: segment.sequence), kept)
            released += blockCount(of: segment.sequence) - held
            needed += max(0, (end + blockSize - 1) / blockSize - held)
        }
        if needed > freeBlockCount + released {
            throw KVCacheError.outOfBlocks(requested: needed * blockSize, freeBlocks: freeBlockCount, blockSize: blockSize)
        }
    }
}
