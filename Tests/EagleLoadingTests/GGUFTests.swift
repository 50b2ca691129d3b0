import Foundation
import Testing
@testable import EagleLoading
import EagleTestSupport

/// Builds GGUF v3 bytes: metadata of every value type and one tensor per supported type.
private struct GGUFBuilder {
    var metadata = Data()
    var metadataCount = 0
    var infos = Data()
    var tensorData = Data()
    var tensorCount = 0

    static func u32(_ v: UInt32) -> Data { withUnsafeBytes(of: v.littleEndian) { Data($0) } }
    static func u64(_ v: UInt64) -> Data { withUnsafeBytes(of: v.littleEndian) { Data($0) } }
    static func string(_ s: String) -> Data { u64(UInt64(s.utf8.count)) + Data(s.utf8) }

    mutating func add(_ key: String, type: UInt32, _ payload: Data) {
        metadata += Self.string(key) + Self.u32(type) + payload
        metadataCount += 1
    }

    mutating func tensor(_ name: String, dims: [Int], type: UInt32, bytes: Data) {
        while tensorData.count % 32 != 0 { tensorData.append(0) }
        infos += Self.string(name) + Self.u32(UInt32(dims.count))
        for d in dims { infos += Self.u64(UInt64(d)) }
        infos += Self.u32(type) + Self.u64(UInt64(tensorData.count))
        tensorData += bytes
        tensorCount += 1
    }

    func build() -> Data {
        var file = Data("GGUF".utf8) + Self.u32(3) + Self.u64(UInt64(tensorCount)) + Self.u64(UInt64(metadataCount))
        file += metadata + infos
        while file.count % 32 != 0 { file.append(0) }
        return file + tensorData
    }
}

private func half(_ x: Float) -> Data { withUnsafeBytes(of: Float16(x).bitPattern) { Data($0) } }

@Suite struct GGUFTests {
    func write(_ data: Data) throws -> URL {
        let url = try ScratchDirectory.make(prefix: "eagle-gguf").appendingPathComponent("test.gguf")
        try data.write(to: url)
        return url
    }

    @Test func metadataAndDequantization() throws {
        var b = GGUFBuilder()
        b.add("u8", type: 0, Data([200]))
        b.add("i8", type: 1, Data([0xFE]))
        b.add("u16", type: 2, withUnsafeBytes(of: UInt16(60_000)) { Data($0) })
        b.add("i16", type: 3, withUnsafeBytes(of: Int16(-300)) { Data($0) })
        b.add("u32", type: 4, GGUFBuilder.u32(4_000_000_000))
        b.add("i32", type: 5, withUnsafeBytes(of: Int32(-7)) { Data($0) })
        b.add("f32", type: 6, withUnsafeBytes(of: Float(1.5).bitPattern) { Data($0) })
        b.add("bool", type: 7, Data([1]))
        b.add("str", type: 8, GGUFBuilder.string("héllo"))
        b.add("arr", type: 9, GGUFBuilder.u32(8) + GGUFBuilder.u64(2) + GGUFBuilder.string("a") + GGUFBuilder.string("b"))
        b.add("u64", type: 10, GGUFBuilder.u64(1 << 40))
        b.add("i64", type: 11, withUnsafeBytes(of: Int64(-1 << 40)) { Data($0) })
        b.add("f64", type: 12, withUnsafeBytes(of: Double(2.25).bitPattern) { Data($0) })

        let values = (0..<32).map { Float($0) - 16 }
        b.tensor("f32", dims: [32], type: 0, bytes: values.withUnsafeBytes { Data($0) })
        b.tensor("f16", dims: [32], type: 1, bytes: values.reduce(Data()) { $0 + half($1) })
        b.tensor("bf16", dims: [32], type: 30, bytes: values.reduce(Data()) { $0 + withUnsafeBytes(of: UInt16($1.bitPattern >> 16)) { Data($0) } })
        // Q8_0: scale 0.5, quants -16…15 → values -8 … 7.5.
        b.tensor("q8_0", dims: [32], type: 8, bytes: half(0.5) + Data((0..<32).map { UInt8(bitPattern: Int8($0 - 16)) }))
        // Q4_0: scale 2, nibble j (low) and j+16 (high): (q - 8)·2.
        let nibbles = Data((0..<16).map { UInt8($0) | UInt8(15 - $0) << 4 })
        b.tensor("q4_0", dims: [32], type: 2, bytes: half(2) + nibbles)
        // Q4_1: scale 0.25, min -1: q·0.25 − 1.
        b.tensor("q4_1", dims: [16, 2], type: 3, bytes: half(0.25) + half(-1) + nibbles)
        let file = try GGUFFile(write(b.build()))

        #expect(file.metadata["u8"] == .unsigned(200))
        #expect(file.metadata["i8"] == .signed(-2))
        #expect(file.metadata["u16"] == .unsigned(60_000))
        #expect(file.metadata["i16"] == .signed(-300))
        #expect(file.metadata["u32"] == .unsigned(4_000_000_000))
        #expect(file.metadata["i32"] == .signed(-7))
        #expect(file.metadata["f32"] == .float(1.5))
        #expect(file.metadata["bool"] == .bool(true))
        #expect(file.metadata["str"] == .string("héllo"))
        #expect(file.metadata["arr"] == .array([.string("a"), .string("b")]))
        #expect(file.metadata["u64"] == .unsigned(1 << 40))
        #expect(file.metadata["i64"] == .signed(-1 << 40))
        #expect(file.metadata["f64"] == .float(2.25))

        #expect(try file.floats("f32") == values)
        #expect(try file.floats("f16") == values)
        #expect(try file.floats("bf16") == values)
        #expect(try file.floats("q8_0") == (0..<32).map { Float($0 - 16) * 0.5 })
        let low = (0..<16).map { Float($0) }, high = (0..<16).map { Float(15 - $0) }
        #expect(try file.floats("q4_0") == (low + high).map { ($0 - 8) * 2 })
        #expect(try file.floats("q4_1") == (low + high).map { $0 * 0.25 - 1 })
        #expect(file.hfShape(of: try file.tensor("q4_1")) == [2, 16])
    }

    @Test func malformedFiles() throws {
        let notGGUF = try write(Data("GGUX".utf8) + GGUFBuilder.u32(3))
        #expect(throws: LoadError.invalidHeader(file: notGGUF.path, reason: "not a GGUF file (bad magic)")) { try GGUFFile(notGGUF) }
        var b = GGUFBuilder()
        b.tensor("w", dims: [32], type: 0, bytes: Data(count: 128))
        let truncated = try write(b.build().dropLast(64))
        #expect(throws: LoadError.self) { try GGUFFile(truncated) }
        var unknown = GGUFBuilder()
        unknown.tensor("w", dims: [32], type: 99, bytes: Data(count: 128))
        let unknownURL = try write(unknown.build())
        #expect(throws: LoadError.unknownDType(file: unknownURL.path, tensor: "w", dtype: "ggml type 99")) { try GGUFFile(unknownURL) }
    }

    @Test func rotaryRowPermutationIsUndone() {
        // llama.cpp's convert permutes each head's rows: HF row j·d/2 + i → GGUF row 2i + j.
        let heads = 3, headDim = 8, columns = 2
        let hf = (0..<(heads * headDim * columns)).map(Float.init)
        var gguf = [Float](repeating: 0, count: hf.count)
        for h in 0..<heads {
            for j in 0..<2 {
                for i in 0..<(headDim / 2) {
                    let source = h * headDim + j * headDim / 2 + i, target = h * headDim + 2 * i + j
                    for c in 0..<columns { gguf[target * columns + c] = hf[source * columns + c] }
                }
            }
        }
        #expect(GGUFLlamaImporter.unpermuteRotaryRows(gguf, heads: heads, rows: heads * headDim, columns: columns) == hf)
    }
}
