import Foundation
import Testing
import EagleKernels

/// The per-row attention kernel (decode and verify) against a double-precision reference on a
/// paged cache whose blocks are out of order.
@Suite struct CausalAttentionTests {
    struct Case {
        var heads: Int, kvHeads: Int, headDim: Int, blockSize: Int, positions: [Int32]
    }

    /// Deterministic values in [-1, 1).
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 23) - 1
        }
    }

    /// `softmax(q·k·scale)·v` in Double for row `r`, head `h`.
    static func reference(_ c: Case, queries: [Float], keys: [Float], values: [Float], table: [Int32], row r: Int, head h: Int) -> [Double] {
        let kvStride = c.kvHeads * c.headDim, kvOffset = (h / (c.heads / c.kvHeads)) * c.headDim
        let context = Int(c.positions[r]) + 1
        let slots = (0..<context).map { Int(table[$0 / c.blockSize]) * c.blockSize + $0 % c.blockSize }
        let q = (0..<c.headDim).map { Double(queries[r * c.heads * c.headDim + h * c.headDim + $0]) }
        let scores = slots.map { s in
            (0..<c.headDim).reduce(0.0) { $0 + q[$1] * Double(keys[s * kvStride + kvOffset + $1]) } / Double(c.headDim).squareRoot()
        }
        let top = scores.max()!
        let weights = scores.map { Foundation.exp($0 - top) }
        let total = weights.reduce(0, +)
        return (0..<c.headDim).map { d in
            zip(slots, weights).reduce(0.0) { $0 + $1.1 / total * Double(values[$1.0 * kvStride + kvOffset + d]) }
        }
    }

    static func run(_ c: Case, rows: Range<Int>, queries: [Float], keys: [Float], values: [Float], table: [Int32],
                    cachePositions: [Int32]? = nil) -> [Float] {
        let attention = CausalAttention(heads: c.heads, kvHeads: c.kvHeads, headDim: c.headDim)
        let width = c.heads * c.headDim
        var output = [Float](repeating: .nan, count: rows.count * width)
        let scoreStride = attention.scoreStride(context: 256)
        var scores = [Float](repeating: 0, count: Parallel.parts * scoreStride)
        let ownPositions = cachePositions ?? c.positions
        queries.withUnsafeBufferPointer { q in
            keys.withUnsafeBufferPointer { k in
                values.withUnsafeBufferPointer { v in
                    table.withUnsafeBufferPointer { t in
                        c.positions.withUnsafeBufferPointer { p in
                            ownPositions.withUnsafeBufferPointer { own in
                                attention.apply(
                                    queries: q.baseAddress! + rows.lowerBound * width, queryStride: width,
                                    positions: p.baseAddress! + rows.lowerBound,
                                    cachePositions: cachePositions == nil ? nil : own.baseAddress! + rows.lowerBound,
                                    rows: rows.count, keys: k.baseAddress!, values: v.baseAddress!, blockTable: t.baseAddress!,
                                    blockSize: c.blockSize, scores: &scores, scoreStride: scoreStride, output: &output)
                            }
                        }
                    }
                }
            }
        }
        return output
    }

    @Test(arguments: [
        Case(heads: 9, kvHeads: 3, headDim: 64, blockSize: 16, positions: [0, 5, 77, 130, 131]),   // SmolLM2 geometry
        Case(heads: 4, kvHeads: 2, headDim: 128, blockSize: 8, positions: [200, 201, 202]),       // two 64-wide halves
        Case(heads: 2, kvHeads: 1, headDim: 12, blockSize: 4, positions: [3, 9, 38]),             // scalar path (12 % 8 ≠ 0)
        Case(heads: 36, kvHeads: 2, headDim: 8, blockSize: 16, positions: [40, 41]),             // groups of 18 go in two parts
    ])
    func matchesReferenceAndRowsAreIndependent(_ c: Case) throws {
        let blocks = (Int(c.positions.max()!) + c.blockSize) / c.blockSize
        let table = (0..<blocks).map { Int32(blocks - 1 - $0) }   // reversed: positions are not slot order
        let kvCount = blocks * c.blockSize * c.kvHeads * c.headDim
        let queries = Self.values(c.positions.count * c.heads * c.headDim, seed: 1)
        let keys = Self.values(kvCount, seed: 2).map { $0 * 3 }   // scores of a few units: a peaked softmax
        let values = Self.values(kvCount, seed: 3)
        let all = Self.run(c, rows: 0..<c.positions.count, queries: queries, keys: keys, values: values, table: table)
        var worst = 0.0
        for r in c.positions.indices {
            for h in 0..<c.heads {
                let expected = Self.reference(c, queries: queries, keys: keys, values: values, table: table, row: r, head: h)
                for d in 0..<c.headDim {
                    worst = max(worst, abs(Double(all[(r * c.heads + h) * c.headDim + d]) - expected[d]))
                }
            }
            // Alone, the row gets bit for bit what it got in the batch.
            let alone = Self.run(c, rows: r..<r + 1, queries: queries, keys: keys, values: values, table: table)
            #expect(alone == Array(all[r * c.heads * c.headDim..<(r + 1) * c.heads * c.headDim]))
        }
        #expect(worst < 2e-6, "max abs error \(worst)")
    }

    /// A draft-tree leaf (its own key and value cached past the chain, `cachePositions`) gets
    /// bit for bit what the same row gets with its key and value at its position.
    @Test(arguments: [
        Case(heads: 9, kvHeads: 3, headDim: 64, blockSize: 16, positions: [0, 5, 15, 77, 131]),
        Case(heads: 2, kvHeads: 1, headDim: 12, blockSize: 4, positions: [3, 9, 38]),   // scalar path
    ])
    func leafMatchesCausalRow(_ c: Case) throws {
        let last = Int(c.positions.max()!) + c.positions.count
        let blocks = (last + c.blockSize) / c.blockSize
        let table = (0..<blocks).map { Int32(blocks - 1 - $0) }
        let kvStride = c.kvHeads * c.headDim, kvCount = blocks * c.blockSize * kvStride
        let queries = Self.values(c.positions.count * c.heads * c.headDim, seed: 4)
        let keys = Self.values(kvCount, seed: 5).map { $0 * 3 }
        let values = Self.values(kvCount, seed: 6)
        func slot(_ p: Int) -> Int { Int(table[p / c.blockSize]) * c.blockSize + p % c.blockSize }
        let width = c.heads * c.headDim
        for r in c.positions.indices {
            let causal = Self.run(c, rows: r..<r + 1, queries: queries, keys: keys, values: values, table: table)
            // The row's key and value move past every row's position; its own slot gets other data.
            let own = Int(c.positions[r]), leaf = Int(c.positions.max()!) + 1 + r
            var leafKeys = keys, leafValues = values
            for i in 0..<kvStride {
                leafKeys[slot(leaf) * kvStride + i] = keys[slot(own) * kvStride + i]
                leafValues[slot(leaf) * kvStride + i] = values[slot(own) * kvStride + i]
                leafKeys[slot(own) * kvStride + i] = 2
                leafValues[slot(own) * kvStride + i] = -2
            }
            var cachePositions = c.positions
            cachePositions[r] = Int32(leaf)
            let branched = Self.run(c, rows: r..<r + 1, queries: queries, keys: leafKeys, values: leafValues, table: table,
                                    cachePositions: cachePositions)
            #expect(branched == causal, "row \(r)")
            #expect(causal.count == width && !causal.contains { $0.isNaN })
        }
    }
}
