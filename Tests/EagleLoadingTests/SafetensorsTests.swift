import Foundation
import Testing
import EagleLoading
import EagleTestSupport

/// Builds raw safetensors bytes from a header string and a data section.
private func rawFile(header: String, data: [UInt8], declaredLength: UInt64? = nil) -> Data {
    var bytes = Data()
    var length = (declaredLength ?? UInt64(header.utf8.count)).littleEndian
    bytes.append(Data(bytes: &length, count: 8))
    bytes.append(Data(header.utf8))
    bytes.append(contentsOf: data)
    return bytes
}

private func temporaryDirectory() throws -> URL {
    try ScratchDirectory.make(prefix: "eagle-tests")
}

private func write(_ data: Data, name: String = "model.safetensors") throws -> URL {
    let url = try temporaryDirectory().appendingPathComponent(name)
    try data.write(to: url)
    return url
}

@Suite struct SafetensorsTests {
    @Test func readsFloatAndIntegerDTypes() throws {
        let values: [Float] = [1.5, -2.25, 3, 0.125]
        let half = values.map { Float16($0).bitPattern }
        let bf16 = values.map { UInt16($0.bitPattern >> 16) }
        let entries: [SafetensorsWriter.Entry] = [
            .float32("f32", shape: [2, 2], values: values),
            .init(name: "f16", dtype: .f16, shape: [4], bytes: half.withUnsafeBytes { Data($0) }),
            .init(name: "bf16", dtype: .bf16, shape: [4], bytes: bf16.withUnsafeBytes { Data($0) }),
            .init(name: "i64", dtype: .i64, shape: [3], bytes: [Int64(-1), 7, 1 << 40].withUnsafeBytes { Data($0) }),
            .init(name: "i32", dtype: .i32, shape: [2], bytes: [Int32(5), -6].withUnsafeBytes { Data($0) }),
            .init(name: "mask", dtype: .bool, shape: [3], bytes: Data([1, 0, 1])),
        ]
        let url = try temporaryDirectory().appendingPathComponent("model.safetensors")
        try SafetensorsWriter.write(entries, to: url)
        let file = try SafetensorsFile(url)
        #expect(try file.floatTensor("f32").values == values)
        #expect(try file.floatTensor("f32").shape == [2, 2])
        #expect(try file.floatTensor("f16").values == values)
        #expect(try file.floatTensor("bf16").values == values)
        #expect(try file.integers("i64") == [-1, 7, 1 << 40])
        #expect(try file.integers("i32") == [5, -6])
        #expect(try file.booleans("mask") == [true, false, true])
        #expect(throws: LoadError.dtypeMismatch(file: url.path, tensor: "mask", expected: "F32, F16 or BF16", actual: "BOOL")) {
            try file.floatTensor("mask")
        }
    }

    @Test func truncatedFile() throws {
        let url = try write(Data([1, 2, 3]))
        #expect(throws: LoadError.truncated(file: url.path, reason: "3 bytes, shorter than the 8-byte header length")) {
            try SafetensorsFile(url)
        }
    }

    @Test func headerLengthPastEnd() throws {
        let data = rawFile(header: "{}", data: [], declaredLength: 1000)
        let url = try write(data)
        #expect(throws: LoadError.headerLengthPastEnd(file: url.path, headerLength: 1000, fileSize: data.count)) {
            try SafetensorsFile(url)
        }
    }

    @Test func headerNotJSON() throws {
        let url = try write(rawFile(header: "{not json", data: []))
        #expect(throws: LoadError.invalidHeader(file: url.path, reason: "header is not valid JSON")) {
            try SafetensorsFile(url)
        }
    }

    @Test func unknownDType() throws {
        let url = try write(rawFile(header: #"{"w":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}"#, data: [0, 0]))
        #expect(throws: LoadError.unknownDType(file: url.path, tensor: "w", dtype: "F8_E4M3")) { try SafetensorsFile(url) }
    }

    @Test func offsetsOutOfRange() throws {
        let url = try write(rawFile(header: #"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data: [0, 0, 0, 0]))
        #expect(throws: LoadError.offsetsOutOfRange(file: url.path, tensor: "w", begin: 0, end: 16, dataSize: 4)) {
            try SafetensorsFile(url)
        }
        let reversed = try write(rawFile(header: #"{"w":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}"#, data: [0, 0, 0, 0]))
        #expect(throws: LoadError.offsetsOutOfRange(file: reversed.path, tensor: "w", begin: 4, end: 0, dataSize: 4)) {
            try SafetensorsFile(reversed)
        }
    }

    @Test func overlappingTensors() throws {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        let url = try write(rawFile(header: header, data: Array(repeating: 0, count: 12)))
        #expect(throws: LoadError.overlappingTensors(file: url.path, tensor: "b", other: "a")) { try SafetensorsFile(url) }
    }

    @Test func byteCountMismatch() throws {
        let url = try write(rawFile(header: #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: Array(repeating: 0, count: 8)))
        #expect(throws: LoadError.byteCountMismatch(file: url.path, tensor: "w", shape: [3], dtype: "F32", expected: 12, actual: 8)) {
            try SafetensorsFile(url)
        }
    }

    @Test func negativeOrFractionalShape() throws {
        let url = try write(rawFile(header: #"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]))
        #expect(throws: LoadError.invalidHeader(file: url.path, reason: "shape of 'w' must hold non-negative integers")) {
            try SafetensorsFile(url)
        }
    }

    @Test func missingTensorNamesTensorAndFile() throws {
        let directory = try temporaryDirectory()
        try SafetensorsWriter.write([.float32("present", shape: [1], values: [1])], to: directory.appendingPathComponent("model.safetensors"))
        let checkpoint = try Checkpoint(directory: directory)
        let error = #expect(throws: LoadError.self) { try checkpoint.floatTensor("absent") }
        #expect(error == .missingTensor(tensor: "absent", files: [directory.appendingPathComponent("model.safetensors").path]))
        #expect(error?.description.contains("absent") == true)
    }

    @Test func shapeCheckAndUnusedTensors() throws {
        let directory = try temporaryDirectory()
        let file = directory.appendingPathComponent("model.safetensors")
        try SafetensorsWriter.write([.float32("a", shape: [2], values: [1, 2]), .float32("b", shape: [1], values: [3])], to: file)
        let checkpoint = try Checkpoint(directory: directory)
        #expect(throws: LoadError.shapeMismatch(file: file.path, tensor: "a", expected: [3], actual: [2])) {
            try checkpoint.floatTensor("a", shape: [3])
        }
        #expect(throws: LoadError.unusedTensors(file: directory.path, tensors: ["b"])) { try checkpoint.checkAllUsed() }
        _ = try checkpoint.floatTensor("b")
        try checkpoint.checkAllUsed()
    }

    @Test func shardedCheckpoint() throws {
        let directory = try temporaryDirectory()
        try SafetensorsWriter.write([.float32("a", shape: [1], values: [1])], to: directory.appendingPathComponent("model-00001-of-00002.safetensors"))
        try SafetensorsWriter.write([.float32("b", shape: [1], values: [2])], to: directory.appendingPathComponent("model-00002-of-00002.safetensors"))
        let index = #"{"metadata":{},"weight_map":{"a":"model-00001-of-00002.safetensors","b":"model-00002-of-00002.safetensors"}}"#
        try Data(index.utf8).write(to: directory.appendingPathComponent("model.safetensors.index.json"))
        let checkpoint = try Checkpoint(directory: directory)
        #expect(try checkpoint.floatTensor("a").values == [1])
        #expect(try checkpoint.floatTensor("b").values == [2])

        let broken = #"{"weight_map":{"a":"model-00001-of-00002.safetensors","c":"model-00002-of-00002.safetensors"}}"#
        try Data(broken.utf8).write(to: directory.appendingPathComponent("model.safetensors.index.json"))
        #expect(throws: LoadError.missingTensor(tensor: "c", files: [directory.appendingPathComponent("model-00002-of-00002.safetensors").path])) {
            try Checkpoint(directory: directory)
        }
    }

    /// Matmul weights keep BF16 storage (exact values, half the bytes) and turn F32/F16 into
    /// float32; fusing and splitting keep the storage type, mixed parts fuse as float32.
    @Test func weightMatricesKeepBFloat16() throws {
        let values: [Float] = [1.5, -2.25, 3, 0.125, 7, -0.5]
        let bf16 = values.map { UInt16($0.bitPattern >> 16) }
        let directory = try temporaryDirectory()
        try SafetensorsWriter.write([
            .float32("f32", shape: [2, 3], values: values),
            .init(name: "f16", dtype: .f16, shape: [2, 3], bytes: values.map { Float16($0).bitPattern }.withUnsafeBytes { Data($0) }),
            .init(name: "bf16", dtype: .bf16, shape: [2, 3], bytes: bf16.withUnsafeBytes { Data($0) }),
        ], to: directory.appendingPathComponent("model.safetensors"))
        let checkpoint = try Checkpoint(directory: directory)
        let b = try checkpoint.weightMatrix("bf16", shape: [2, 3])
        let f = try checkpoint.weightMatrix("f32", shape: [2, 3]), h = try checkpoint.weightMatrix("f16", shape: [2, 3])
        #expect(b.isBFloat16 && !f.isBFloat16 && !h.isBFloat16)
        #expect(b.values == values && f.values == values && h.values == values)
        #expect(b.byteCount == 12 && f.byteCount == 24)
        #expect(throws: LoadError.shapeMismatch(file: directory.appendingPathComponent("model.safetensors").path,
                                                tensor: "bf16", expected: [3, 2], actual: [2, 3])) {
            try checkpoint.weightMatrix("bf16", shape: [3, 2])
        }

        let stacked = WeightMatrix.stacking([b, b])
        #expect(stacked.isBFloat16 && stacked.shape == [4, 3] && stacked.values == values + values)
        let mixed = WeightMatrix.stacking([b, f])
        #expect(!mixed.isBFloat16 && mixed.values == values + values)
        for matrix in [b, f] {
            let columns = matrix.splittingColumns(into: 3)
            #expect(columns.map(\.shape) == [[2, 1], [2, 1], [2, 1]])
            #expect(columns.allSatisfy { $0.isBFloat16 == matrix.isBFloat16 })
            #expect(columns.map(\.values) == [[1.5, 0.125], [-2.25, 7], [3, -0.5]])
        }
        #expect(b.float32().values == values)
    }

    /// Models keep `packedForKernels()` copies: packed when the skinny kernel reads the shape
    /// packed (`in` a multiple of 8), row-major otherwise; the same values and bytes either way.
    @Test func packedCopiesKeepValues() {
        var seed: UInt64 = 3
        let values: [Float] = (0..<(6 * 16)).map { _ in
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: seed >> 11) % 2000) / 1000 - 1
        }
        let f = WeightMatrix(FloatTensor(shape: [6, 16], values: values))
        let b = WeightMatrix.roundingToBFloat16(FloatTensor(shape: [6, 16], values: values))
        for matrix in [f, b] {
            let packed = matrix.packedForKernels()
            #expect(packed.elements.isPacked && packed.isBFloat16 == matrix.isBFloat16 && packed.shape == [6, 16])
            #expect(packed.values == matrix.values && packed.float32().values == matrix.values)
            #expect(packed.byteCount == matrix.byteCount && packed.packedForKernels().elements.base == packed.elements.base)
        }
        let narrow = WeightMatrix(FloatTensor(shape: [16, 6], values: values)).packedForKernels()
        #expect(!narrow.elements.isPacked && narrow.values == values)
    }

    /// Rounding to BF16 picks the nearer of the two neighbouring BF16 values (ties to the even
    /// one), keeps infinities and NaN, and overflows to infinity past BF16's largest value.
    @Test func roundsToNearestEvenBFloat16() {
        func reference(_ x: Float) -> UInt16 {
            let down = UInt16(x.bitPattern >> 16), up = down &+ 1
            let a = Double(Float(bitPattern: UInt32(down) << 16)), b = Double(Float(bitPattern: UInt32(up) << 16))
            let da = abs(Double(x) - a), db = abs(Double(x) - b)
            return da < db ? down : db < da ? up : (down % 2 == 0 ? down : up)
        }
        var seed: UInt64 = 9
        var values: [Float] = [0, -0, 1, 1 + 0x1p-8, 1 + 3 * 0x1p-8, -(1 + 0x1p-8), .leastNonzeroMagnitude,
                               .greatestFiniteMagnitude, .infinity, -.infinity, 0x1.fep127]
        for _ in 0..<4000 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let x = Float(bitPattern: UInt32(truncatingIfNeeded: seed >> 32))
            if x.isFinite { values.append(x) }
        }
        let rounded = WeightMatrix.roundingToBFloat16(FloatTensor(shape: [1, values.count], values: values))
        guard rounded.isBFloat16 else { Issue.record("not BF16"); return }
        let bits = rounded.elements.base.assumingMemoryBound(to: UInt16.self)
        for (i, x) in values.enumerated() where x.isFinite && abs(x) < 0x1.fep127 {
            #expect(bits[i] == reference(x), "\(x)")
        }
        #expect(Float(bitPattern: UInt32(bits[7]) << 16) == .infinity)   // greatestFiniteMagnitude overflows
        #expect(Float(bitPattern: UInt32(bits[8]) << 16) == .infinity && Float(bitPattern: UInt32(bits[9]) << 16) == -.infinity)
        #expect(Float(bitPattern: UInt32(bits[10]) << 16) == 0x1.fep127)
        let nan = WeightMatrix.roundingToBFloat16(FloatTensor(shape: [1, 2], values: [.nan, Float(bitPattern: 0x7F80_0001)]))
        #expect(nan.values.filter { $0.isNaN }.count == 2)
    }
}
