import CBLASShim
import Testing
import EagleKernels

/// The shim's kernels against OpenBLAS on the same inputs (float32; tolerance 1e-5 relative
/// to the largest output, since summation orders differ).
@Suite struct LinearTests {
    static let shapes: [(rows: Int, inFeatures: Int, outFeatures: Int)] = [
        (1, 576, 1536), (2, 576, 960), (3, 1536, 576), (4, 576, 576), (5, 576, 3072),
        (8, 64, 19), (13, 128, 33), (16, 576, 1536), (17, 64, 40), (64, 64, 96),
    ]

    func random(_ count: Int, seed: inout UInt64) -> [Float] {
        (0..<count).map { _ in
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: seed >> 11) % 2000) / 1000 - 1
        }
    }

    @Test(arguments: shapes.indices, [false, true])
    func dispatchedKernelMatchesOpenBLAS(shapeIndex: Int, accumulate: Bool) {
        let (rows, inF, outF) = Self.shapes[shapeIndex]
        var seed = UInt64(shapeIndex + 1)
        let x = random(rows * inF, seed: &seed), w = random(outF * inF, seed: &seed)
        let start = random(rows * outF, seed: &seed)
        var expected = start, actual = start, skinny = start
        eagle_linear_openblas(x, w, &expected, Int32(rows), Int32(inF), Int32(outF), accumulate ? 1 : 0)
        x.withUnsafeBufferPointer { xp in
            w.withUnsafeBufferPointer { wp in
                actual.withUnsafeMutableBufferPointer { yp in
                    Linear.apply(xp.baseAddress!, weight: wp.baseAddress!, into: yp.baseAddress!,
                                 rows: rows, inFeatures: inF, outFeatures: outF, accumulate: accumulate)
                }
            }
        }
        let usedSkinny = eagle_linear_skinny(x, w, &skinny, Int32(rows), Int32(inF), Int32(outF), accumulate ? 1 : 0)
        #expect((usedSkinny == 1) == (inF % 8 == 0))
        let scale = expected.map(abs).max()!
        for (name, result) in [("dispatched", actual), ("skinny", usedSkinny == 1 ? skinny : expected)] {
            let diff = zip(result, expected).map { abs($0 - $1) }.max()!
            #expect(diff <= 1e-5 * scale, "\(name) rows \(rows) in \(inF) out \(outF): \(diff)")
        }
    }

    /// A bfloat16 weight multiplies as float32 storage of the same values does, dispatched and
    /// row-wise: bit for bit on the skinny kernel; on OpenBLAS (widened 64-row tiles, whole and
    /// partial; sgemv when the skinny kernel does not apply) within 1e-5 of the largest output,
    /// since float32 weights go to sgemm in shares that depend on how many threads took part.
    @Test(arguments: (shapes + [(1, 60, 70), (3, 60, 130)]).indices, [false, true])
    func bfloat16WeightsMultiplyAsTheirFloat32Values(shapeIndex: Int, accumulate: Bool) {
        let (rows, inF, outF) = (Self.shapes + [(1, 60, 70), (3, 60, 130)])[shapeIndex]
        var seed = UInt64(shapeIndex + 100)
        let x = random(rows * inF, seed: &seed), start = random(rows * outF, seed: &seed)
        let bits = random(outF * inF, seed: &seed).map { UInt16($0.bitPattern >> 16) }
        let widened = bits.map { Float(bitPattern: UInt32($0) << 16) }
        for rowwise in [false, true] {
            var fromFloat = start, fromBFloat = start
            bits.withUnsafeBufferPointer { bp in
                Linear.apply(x, weight: .bf16(bp.baseAddress!), into: &fromBFloat, rows: rows, inFeatures: inF,
                             outFeatures: outF, accumulate: accumulate, rowwise: rowwise)
            }
            widened.withUnsafeBufferPointer { wp in
                Linear.apply(x, weight: .f32(wp.baseAddress!), into: &fromFloat, rows: rows, inFeatures: inF,
                             outFeatures: outF, accumulate: accumulate, rowwise: rowwise)
            }
            if (rows <= Linear.fewRowsLimit || rowwise) && inF % 8 == 0 {
                #expect(fromBFloat == fromFloat, "rows \(rows) in \(inF) out \(outF) rowwise \(rowwise)")
            } else {
                let diff = zip(fromBFloat, fromFloat).map { abs($0 - $1) }.max()!
                #expect(diff <= 1e-5 * fromFloat.map(abs).max()!, "rows \(rows) in \(inF) out \(outF) rowwise \(rowwise): \(diff)")
            }
        }
    }

    /// Batched requests rely on this: with `rowwise`, each row of a product is bit for bit what
    /// the same row gives alone (a decode step), for both kernel paths of the shim and for row
    /// counts whose last group of rows takes each block shape (groups of 6, then 4, 2 or 1).
    @Test(arguments: [576, 60], [40, 38, 37])
    func rowwiseRowsEqualSingleRows(inFeatures: Int, rows: Int) {
        let outF = 70
        var seed: UInt64 = 5
        let x = random(rows * inFeatures, seed: &seed), w = random(outF * inFeatures, seed: &seed)
        var together = [Float](repeating: 0, count: rows * outF)
        eagle_linear_rowwise(x, w, &together, Int32(rows), Int32(inFeatures), Int32(outF), 0)
        for r in 0..<rows {
            var alone = [Float](repeating: 0, count: outF)
            x.withUnsafeBufferPointer { xp in
                Linear.apply(xp.baseAddress! + r * inFeatures, weight: w, into: &alone, rows: 1, inFeatures: inFeatures, outFeatures: outF)
            }
            #expect(Array(together[(r * outF)..<((r + 1) * outF)]) == alone, "row \(r)")
        }
    }
    /// The packed layout (rows interleaved in pairs, eight columns at a time) gives bit for bit
    /// the row-major products on the skinny kernel — decode, verify and row-wise batches,
    /// float32 and bfloat16, output counts ending in a partial block or an odd row — and converts back
    /// to the same rows for OpenBLAS (exactly for bfloat16, whose tiles are the same either way;
    /// within 1e-5 for float32, which goes to sgemm in place when row-major). Shapes the kernel
    /// cannot read packed stay row-major.
    static let packedShapes = [(1, 576, 1536), (2, 64, 43), (5, 576, 70), (7, 64, 42), (16, 128, 41), (17, 64, 40), (64, 64, 97)]

    @Test(arguments: packedShapes.indices, [WeightElements.Storage.float32, .bfloat16])
    func packedWeightsMultiplyAsRowMajor(shapeIndex: Int, storage: WeightElements.Storage) {
        let (rows, inF, outF) = Self.packedShapes[shapeIndex]
        var seed = UInt64(rows * 1000 + outF)
        let x = random(rows * inF, seed: &seed), start = random(rows * outF, seed: &seed)
        let floats = random(outF * inF, seed: &seed)
        let bits = floats.map { UInt16($0.bitPattern >> 16) }
        let elementSize = storage == .float32 ? 4 : 2
        let packedBytes = UnsafeMutableRawPointer.allocate(byteCount: outF * inF * elementSize, alignment: 64)
        defer { packedBytes.deallocate() }
        floats.withUnsafeBufferPointer { fp in
            bits.withUnsafeBufferPointer { bp in
                let rowMajor: WeightElements = storage == .float32 ? .f32(fp.baseAddress!) : .bf16(bp.baseAddress!)
                guard let packed = rowMajor.packed(into: packedBytes, rows: outF, columns: inF) else {
                    Issue.record("not packed"); return
                }
                #expect(packed.isPacked && packed.storage == storage)
                var back = [Float](repeating: .nan, count: outF * inF), expected = back
                packed.float32Rows(0..<outF, rows: outF, columns: inF, into: &back)
                rowMajor.float32Rows(0..<outF, rows: outF, columns: inF, into: &expected)
                #expect(back == expected)
                var middle = [Float](repeating: .nan, count: 3 * inF)
                packed.float32Rows(outF - 3..<outF, rows: outF, columns: inF, into: &middle)
                #expect(middle == Array(expected[(outF - 3) * inF..<outF * inF]))
                for accumulate in [false, true] {
                    for rowwise in [false, true] {
                        var fromRowMajor = start, fromPacked = start
                        Linear.apply(x, weight: rowMajor, into: &fromRowMajor, rows: rows, inFeatures: inF,
                                     outFeatures: outF, accumulate: accumulate, rowwise: rowwise)
                        Linear.apply(x, weight: packed, into: &fromPacked, rows: rows, inFeatures: inF,
                                     outFeatures: outF, accumulate: accumulate, rowwise: rowwise)
                        if rows <= Linear.fewRowsLimit || rowwise || storage == .bfloat16 {
                            #expect(fromPacked == fromRowMajor, "rows \(rows) out \(outF) rowwise \(rowwise) accumulate \(accumulate)")
                        } else {
                            let diff = zip(fromPacked, fromRowMajor).map { abs($0 - $1) }.max()!
                            #expect(diff <= 1e-5 * fromRowMajor.map(abs).max()!, "rows \(rows) out \(outF): \(diff)")
                        }
                    }
                }
            }
        }
        let odd = random(7 * 60, seed: &seed)
        odd.withUnsafeBufferPointer { op in
            #expect(WeightElements.f32(op.baseAddress!).packed(into: packedBytes, rows: 7, columns: 60) == nil)
        }
    }
}
