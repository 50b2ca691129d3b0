import EagleLoading

/// Errors of the paged KV cache.
public enum KVCacheError: Error, Equatable, CustomStringConvertible {
    /// Not enough free blocks to hold `requested` positions.
    case outOfBlocks(requested: Int, freeBlocks: Int, blockSize: Int)
    case unknownSequence(Int)

    public var description: String {
        switch self {
        case .outOfBlocks(let requested, let free, let size):
            "KV cache full: \(requested) positions requested, \(free) free blocks of \(size)"
        case .unknownSequence(let id): "unknown KV sequence \(id)"
        }
    }
}

/// A paged key/value cache: one preallocated pool of fixed-size blocks per layer, and a
/// block table per sequence (vLLM's PagedAttention layout).
///
/// Slot of position `p` of a sequence: `blockTable[p / blockSize] · blockSize + p % blockSize`.
/// Truncation (`truncate(_:to:)`) is O(1) in data: it moves the length back and frees whole
/// blocks past the new end; the stale slots are overwritten by later appends.
public final class KVCache {
    public typealias SequenceID = Int

    struct Sequence {
        var blockTable: [Int32] = []
        var length = 0
    }

    public let layerCount: Int
    /// Floats per position per layer (`kvHeads · headDim`).
    public let width: Int
    public let blockSize: Int
    public let blockCount: Int
    private let keyStorage: FloatBuffer   // [layers][blockCount · blockSize][width]
    private let valueStorage: FloatBuffer
    private var freeBlocks: [Int32]
    private var sequences: [Sequence?] = []
    private var freeSequenceIDs: [Int] = []

    /// Preallocates `blockCount` blocks of `blockSize` positions for `layerCount` layers.
    public init(layerCount: Int, width: Int, blockSize: Int = 16, blockCount: Int) {
        precondition(layerCount > 0 && width > 0 && blockSize > 0 && blockCount > 0)
        self.layerCount = layerCount
        self.width = width
        self.blockSize = blockSize
        self.blockCount = blockCount
        let floats = layerCount * blockCount * blockSize * width
        keyStorage = FloatBuffer(count: floats)
        valueStorage = FloatBuffer(count: floats)
        freeBlocks = (0..<Int32(blockCount)).reversed()
    }

    /// A cache with room for `positions` positions in total.
    public convenience init(layerCount: Int, width: Int, capacity positions: Int, blockSize: Int = 16) {
        self.init(layerCount: layerCount, width: width, blockSize: blockSize,
                  blockCount: (positions + blockSize - 1) / blockSize)
    }

    public var freeBlockCount: Int { freeBlocks.count }
    public var usedBlockCount: Int { blockCount - freeBlocks.count }

    /// Registers an empty sequence. Its block table is allocated here at full size, so that
    /// growing the sequence later never allocates.
    public func addSequence() -> SequenceID {
        var sequence = Sequence()
        sequence.blockTable.reserveCapacity(blockCount)
        if let id = freeSequenceIDs.popLast() {
            sequences[id] = sequence
            return id
        }
        sequences.append(sequence)
        return sequences.count - 1
    }

    /// Frees every block of the sequence and forgets it.
    public func removeSequence(_ id: SequenceID) {
        guard let sequence = sequences[id] else { return }
        freeBlocks.append(contentsOf: sequence.blockTable.reversed())
        sequences[id] = nil
        freeSequenceIDs.append(id)
    }

    /// Number of valid positions of the sequence.
    public func length(of id: SequenceID) -> Int { sequences[id]?.length ?? 0 }

    /// Blocks currently held by the sequence.
    public func blockCount(of id: SequenceID) -> Int { sequences[id]?.blockTable.count ?? 0 }

    /// Makes room for positions `0 ..< capacity`, allocating blocks as needed.
    /// Throws `KVCacheError.outOfBlocks` without changing anything when the pool is short.
    public func reserve(_ id: SequenceID, capacity: Int) throws {
        guard let held = sequences[id]?.blockTable.count else { throw KVCacheError.unknownSequence(id) }
        let needed = (capacity + blockSize - 1) / blockSize - held
        guard needed > 0 else { return }
        guard needed <= freeBlocks.count else {
            throw KVCacheError.outOfBlocks(requested: capacity, freeBlocks: freeBlocks.count, blockSize: blockSize)
        }
        // Mutated in place (no copy-on-write of the block table in the decode loop).
        for _ in 0..<needed { sequences[id]!.blockTable.append(freeBlocks.removeLast()) }
    }

    /// Rolls the sequence back to `length` positions and frees blocks past it.
    public func truncate(_ id: SequenceID, to length: Int) {
        guard sequences[id] != nil else { return }
        precondition(length >= 0)
        sequences[id]!.length = min(sequences[id]!.length, length)
        let keep = (length + blockSize - 1) / blockSize
        while sequences[id]!.blockTable.count > keep { freeBlocks.append(sequences[id]!.blockTable.removeLast()) }
    }

    /// Copies every layer's key and value at position `source` to position `destination`
    /// (both below the sequence's length): moves an accepted draft-tree leaf into place.
    public func copyPosition(_ id: SequenceID, from source: Int, to destination: Int) {
        precondition(source < length(of: id) && destination < length(of: id), "positions within the sequence")
        let from = slot(id, position: source), to = slot(id, position: destination)
        for layer in 0..<layerCount {
            (keys(layer: layer) + to * width).update(from: keys(layer: layer) + from * width, count: width)
            (values(layer: layer) + to * width).update(from: values(layer: layer) + from * width, count: width)
        }
    }

    /// Marks positions `0 ..< length` valid (after a forward wrote them).
    func setLength(_ id: SequenceID, _ length: Int) {
        sequences[id]!.length = length
    }

    /// The sequence's block table, valid until the next reserve/truncate.
    func withBlockTable<R>(_ id: SequenceID, _ body: (UnsafePointer<Int32>) -> R) -> R {
        sequences[id]!.blockTable.withUnsafeBufferPointer { body($0.baseAddress ?? UnsafePointer(bitPattern: 8)!) }
    }

    /// Key storage of one layer (`[blockCount · blockSize, width]`).
    func keys(layer: Int) -> UnsafeMutablePointer<Float> {
        keyStorage.pointer + layer * blockCount * blockSize * width
    }

    /// Value storage of one layer.
    func values(layer: Int) -> UnsafeMutablePointer<Float> {
        valueStorage.pointer + layer * blockCount * blockSize * width
    }

    /// Slot index of `position` in the sequence.
    func slot(_ id: SequenceID, position: Int) -> Int {
        Int(sequences[id]!.blockTable[position / blockSize]) * blockSize + position % blockSize
    }
}
