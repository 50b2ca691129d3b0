extension KVCache {
    /// Checks that every segment of `batch` can be written (positions contiguous with the
    /// sequence, within `maxPositions`, enough free blocks) without changing anything.
    func validate(_ batch: ForwardBatch, maxPositions: Int) throws {
        var needed = 0
        for segment in batch.segments {
            let length = length(of: segment.sequence)
            if segment.startPosition > length {
                throw ForwardError.positionPastEnd(sequence: segment.sequence, startPosition: segment.startPosition, length: length)
            }
            let end = segment.startPosition + segment.count
            if end > maxPositions { throw ForwardError.contextTooLong(position: end - 1, maximum: maxPositions) }
            let kept = (segment.startPosition + blockSize - 1) / blockSize
            let held = min(blockCount(of: segment.sequence), kept)
            needed += max(0, (end + blockSize - 1) / blockSize - held)
        }
        if needed > freeBlockCount {
            throw KVCacheError.outOfBlocks(requested: needed * blockSize, freeBlocks: freeBlockCount, blockSize: blockSize)
        }
    }

    /// Rolls each segment's sequence back to its start position, reserves its blocks and
    /// marks the new positions valid. Call after `validate(_:maxPositions:)`.
    func prepare(_ batch: ForwardBatch) throws {
        for segment in batch.segments {
            truncate(segment.sequence, to: segment.startPosition)
            try reserve(segment.sequence, capacity: segment.startPosition + segment.count)
            setLength(segment.sequence, segment.startPosition + segment.count)
        }
    }
}
