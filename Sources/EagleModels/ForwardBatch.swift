import EagleKernels

/// The tokens of one forward pass: contiguous chunks of one or more sequences.
///
/// Each segment appends `count` tokens to a KV sequence at positions
/// `startPosition ..< startPosition + count` (rewriting from `startPosition` if the sequence
/// was longer). `logitRows` lists the token rows (indices into `tokens`) whose logits are
/// wanted, in output order. A row may be made a draft-tree leaf (`branch(row:position:)`):
/// its key and value are still cached at its row's position, but it sits at an earlier
/// position, beside a chain row. Reuse one batch across steps (`removeAll()` keeps capacity)
/// so that building it does not allocate.
public struct ForwardBatch {
    public struct Segment: Sendable, Equatable {
        public var sequence: KVCache.SequenceID
        /// Index of the segment's first token in `tokens`.
        public var offset: Int
        public var count: Int
        public var startPosition: Int
    }

    public private(set) var tokens: [Int32] = []      // [numTokens]
    /// Each row's position: RoPE angle and attention span (`0 … positions[r]`).
    public private(set) var positions: [Int32] = []   // [numTokens]
    /// Where each row's key and value are cached: `startPosition + i` of its segment (equal to
    /// `positions` but for leaves).
    public private(set) var cachePositions: [Int32] = []   // [numTokens]
    public private(set) var segments: [Segment] = []
    public var logitRows: [Int] = []                  // [numLogitRows]

    public init() {}

    public var tokenCount: Int { tokens.count }

    /// Positions attended by the batch's last rows: the largest segment end.
    public var contextLength: Int { segments.reduce(0) { max($0, $1.startPosition + $1.count) } }

    /// Appends a chunk of one sequence. Returns the row range it occupies.
    @discardableResult
    public mutating func append<C: Collection>(sequence: KVCache.SequenceID, tokens newTokens: C, startPosition: Int)
        -> Range<Int> where C.Element == Int {
        let offset = tokens.count
        // Contiguous collections (arrays, slices) take the non-generic path: iterating an
        // unspecialized generic collection from another module allocates per element.
        if newTokens.withContiguousStorageIfAvailable({ appendTokens($0, startPosition: startPosition) }) == nil {
            let copy = Array(newTokens)
            copy.withUnsafeBufferPointer { appendTokens($0, startPosition: startPosition) }
        }
        segments.append(Segment(sequence: sequence, offset: offset, count: tokens.count - offset,
                                startPosition: startPosition))
        return offset..<tokens.count
    }

    private mutating func appendTokens(_ newTokens: UnsafeBufferPointer<Int>, startPosition: Int) {
        for (i, token) in newTokens.enumerated() {
            tokens.append(Int32(truncatingIfNeeded: token))
            positions.append(Int32(startPosition + i))
            cachePositions.append(Int32(startPosition + i))
        }
    }

    /// Makes `row` of the last segment a draft-tree leaf at `position`: a sibling of the row
    /// cached there, it attends to the positions before `position` and to itself (its key
    /// and value stay cached at the row's own position). `position` must be in the segment,
    /// before the row, and the segment short enough for the per-row attention kernel.
    public mutating func branch(row: Int, position: Int) {
        let segment = segments[segments.count - 1]
        precondition(segment.offset <= row && row < tokens.count, "a leaf belongs to the last segment")
        precondition(segment.startPosition <= position && position < Int(cachePositions[row]), "a leaf sits before its row")
        precondition(segment.count < DecoderBlocks.prefillRows, "leaves need the per-row attention kernel")
        positions[row] = Int32(position)
    }

    /// Splits the rows into the runs the matmuls compute separately: consecutive segments of at
    /// most `Linear.fewRowsLimit` rows (decode and verify steps) form one run computed row by
    /// row (`rowwise`), and each longer segment (a prompt chunk) is a run of its own. So the
    /// kernel a row goes through depends only on its own segment, never on the rest of the batch.
    public func forEachKernelGroup(_ body: (_ rows: Range<Int>, _ rowwise: Bool) -> Void) {
        var runStart: Int?
        var runEnd = 0
        for segment in segments {
            if segment.count <= Linear.fewRowsLimit {
                if runStart == nil { runStart = segment.offset }
                runEnd = segment.offset + segment.count
                continue
            }
            if let start = runStart { body(start..<runEnd, true); runStart = nil }
            body(segment.offset..<(segment.offset + segment.count), false)
        }
        if let start = runStart { body(start..<runEnd, true) }
    }

    /// Calls `body` with pointers to `positions` and `cachePositions`.
    public func withPositions<R>(_ body: (_ positions: UnsafePointer<Int32>, _ cachePositions: UnsafePointer<Int32>) -> R) -> R {
        positions.withUnsafeBufferPointer { p in cachePositions.withUnsafeBufferPointer { c in body(p.baseAddress!, c.baseAddress!) } }
    }

    /// Throws when a token is outside the vocabulary or a logit row outside the batch.
    public func validate(vocabularySize v: Int) throws {
        for token in tokens where token < 0 || Int(token) >= v {
            throw ForwardError.tokenOutOfRange(token: Int(token), vocabularySize: v)
        }
        for row in logitRows where row < 0 || row >= tokens.count {
            throw ForwardError.rowOutOfRange(row: row, tokenCount: tokens.count)
        }
    }

    /// Requests logits for `rows` (appended in place, so a reused batch does not allocate).
    public mutating func requestLogits<R: Sequence>(rows: R) where R.Element == Int {
        logitRows.append(contentsOf: rows)
    }

    public mutating func removeAll() {
        tokens.removeAll(keepingCapacity: true)
        positions.removeAll(keepingCapacity: true)
        cachePositions.removeAll(keepingCapacity: true)
        segments.removeAll(keepingCapacity: true)
        logitRows.removeAll(keepingCapacity: true)
    }
}
