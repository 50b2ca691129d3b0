import Foundation

/// One `.safetensors` file, memory-mapped, with its header validated up front.
///
/// Format: an 8-byte little-endian header length `N`, `N` bytes of JSON mapping tensor
/// names to `{dtype, shape, data_offsets: [begin, end]}` (offsets relative to the data
/// section that follows), then the data. Every malformation raises a `LoadError` naming the
/// file and the tensor: truncation, a header length past the end, offsets out of range or
/// overlapping, unknown dtypes, and shape × dtype ≠ byte length.
public final class SafetensorsFile: @unchecked Sendable {
    /// What the header says about one tensor.
    public struct TensorInfo: Sendable, Equatable {
        public let name: String
        public let dtype: DType
        public let shape: [Int]
        /// Byte range inside the data section.
        public let range: Range<Int>
    }

    public let url: URL
    public let tensors: [String: TensorInfo]
    /// The `__metadata__` entry, if any.
    public let metadata: [String: String]
    private let file: MappedFile
    private let dataOffset: Int

    public var path: String { url.path }
    public var tensorNames: [String] { tensors.keys.sorted() }

    public init(_ url: URL) throws {
        self.url = url
        file = try MappedFile(url)
        let path = url.path
        guard file.count >= 8 else {
            throw LoadError.truncated(file: path, reason: "\(file.count) bytes, shorter than the 8-byte header length")
        }
        let headerLength = file.base.loadUnaligned(as: UInt64.self).littleEndian
        guard headerLength <= UInt64(file.count - 8) else {
            throw LoadError.headerLengthPastEnd(file: path, headerLength: headerLength, fileSize: file.count)
        }
        dataOffset = 8 + Int(headerLength)
        let headerData = Data(bytes: file.base + 8, count: Int(headerLength))
        let json: JSONValue
        do {
            json = try JSONValue.parse(headerData)
        } catch {
            throw LoadError.invalidHeader(file: path, reason: "header is not valid JSON")
        }
        guard case .object(let entries) = json else {
            throw LoadError.invalidHeader(file: path, reason: "header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        var tensors: [String: TensorInfo] = [:]
        let dataSize = file.count - dataOffset
        for (name, value) in entries {
            if name == "__metadata__" {
                if case .object(let items) = value {
                    for (k, v) in items { if case .string(let s) = v { metadata[k] = s } }
                }
                continue
            }
            tensors[name] = try Self.parseEntry(name: name, value: value, dataSize: dataSize, file: path)
        }
        try Self.checkNoOverlap(Array(tensors.values), file: path)
        self.tensors = tensors
        self.metadata = metadata
    }

    private static func parseEntry(name: String, value: JSONValue, dataSize: Int, file: String) throws -> TensorInfo {
        guard case .object(let entry) = value,
              case .string(let dtypeName)? = entry["dtype"],
              case .array(let shapeValues)? = entry["shape"],
              case .array(let offsetValues)? = entry["data_offsets"], offsetValues.count == 2
        else {
            throw LoadError.invalidHeader(file: file, reason: "tensor '\(name)' needs dtype, shape and two data_offsets")
        }
        guard let dtype = DType(rawValue: dtypeName) else {
            throw LoadError.unknownDType(file: file, tensor: name, dtype: dtypeName)
        }
        let shape = try shapeValues.map { try nonNegativeInt($0, file: file, what: "shape of '\(name)'") }
        let begin = try nonNegativeInt(offsetValues[0], file: file, what: "data_offsets of '\(name)'")
        let end = try nonNegativeInt(offsetValues[1], file: file, what: "data_offsets of '\(name)'")
        guard begin <= end, end <= dataSize else {
            throw LoadError.offsetsOutOfRange(file: file, tensor: name, begin: begin, end: end, dataSize: dataSize)
        }
        let (elements, overflow) = shape.reduce((1, false)) { acc, d in
            let (m, o) = acc.0.multipliedReportingOverflow(by: d)
            return (m, acc.1 || o)
        }
        let expected = elements.multipliedReportingOverflow(by: dtype.size)
        guard !overflow, !expected.overflow, expected.partialValue == end - begin else {
            throw LoadError.byteCountMismatch(file: file, tensor: name, shape: shape, dtype: dtypeName,
                                              expected: overflow ? -1 : expected.partialValue, actual: end - begin)
        }
        return TensorInfo(name: name, dtype: dtype, shape: shape, range: begin..<end)
    }

    private static func nonNegativeInt(_ value: JSONValue, file: String, what: String) throws -> Int {
        if case .int(let number) = value, number >= 0 { return number }
        throw LoadError.invalidHeader(file: file, reason: "\(what) must hold non-negative integers")
    }

    private static func checkNoOverlap(_ infos: [TensorInfo], file: String) throws {
        let sorted = infos.filter { !$0.range.isEmpty }.sorted { $0.range.lowerBound < $1.range.lowerBound }
        for (a, b) in zip(sorted, sorted.dropFirst()) where b.range.lowerBound < a.range.upperBound {
            throw LoadError.overlappingTensors(file: file, tensor: b.name, other: a.name)
        }
    }

    /// Header entry for `name`, or `LoadError.missingTensor`.
    public func info(_ name: String) throws -> TensorInfo {
        guard let info = tensors[name] else { throw LoadError.missingTensor(tensor: name, files: [path]) }
        return info
    }

    /// Raw bytes of a tensor (valid while this file is alive).
    public func rawBytes(_ info: TensorInfo) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: file.base + dataOffset + info.range.lowerBound, count: info.range.count)
    }

    /// A float tensor: F32 data is used in place when aligned; F16/BF16 are widened to F32.
    public func floatTensor(_ name: String) throws -> FloatTensor {
        let info = try info(name)
        let bytes = rawBytes(info)
        let count = info.shape.reduce(1, *)
        switch info.dtype {
        case .f32:
            if Int(bitPattern: bytes.baseAddress) % MemoryLayout<Float>.alignment == 0 {
                let pointer = bytes.baseAddress!.assumingMemoryBound(to: Float.self)
                return FloatTensor(shape: info.shape, pointer: pointer, owner: file)
            }
            let buffer = FloatBuffer(count: count)
            UnsafeMutableRawPointer(buffer.pointer).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            return buffer.tensor(shape: info.shape)
        case .f16:
            let buffer = FloatBuffer(count: count)
            for i in 0..<count {
                buffer.pointer[i] = Float(Float16(bitPattern: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            }
            return buffer.tensor(shape: info.shape)
        case .bf16:
            let buffer = FloatBuffer(count: count)
            for i in 0..<count {
                buffer.pointer[i] = Float(bfloat16Bits: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
            }
            return buffer.tensor(shape: info.shape)
        case .i64, .i32, .u8, .bool:
            throw LoadError.dtypeMismatch(file: path, tensor: name, expected: "F32, F16 or BF16", actual: info.dtype.rawValue)
        }
    }

    /// A row-major matmul weight: BF16 data stays BF16 (copied out of the file); F32 and F16
    /// are float32 (F32 viewed in place like `floatTensor`), or rounded to BF16 when `dtype` is
    /// `.bfloat16`. Models keep its `packedForKernels()` copy.
    public func weightMatrix(_ name: String, dtype: WeightDType = .auto) throws -> WeightMatrix {
        let info = try info(name)
        guard info.dtype == .bf16 else {
            let tensor = try floatTensor(name)
            return dtype == .bfloat16 ? .roundingToBFloat16(tensor) : WeightMatrix(tensor)
        }
        let bytes = rawBytes(info)
        let buffer = AlignedBuffer<UInt16>(count: bytes.count / 2, initialize: false)
        UnsafeMutableRawPointer(buffer.pointer).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        return WeightMatrix(shape: info.shape, bf16: buffer)
    }

    /// An integer table (I64, I32 or U8), e.g. EAGLE-3's `d2t`.
    public func integers(_ name: String) throws -> [Int] {
        let info = try info(name)
        let bytes = rawBytes(info)
        switch info.dtype {
        case .i64: return (0..<bytes.count / 8).map { Int(bytes.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self)) }
        case .i32: return (0..<bytes.count / 4).map { Int(bytes.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self)) }
        case .u8: return bytes.map { Int($0) }
        default:
            throw LoadError.dtypeMismatch(file: path, tensor: name, expected: "I64, I32 or U8", actual: info.dtype.rawValue)
        }
    }

    /// A boolean mask (BOOL), e.g. EAGLE-3's `t2d`.
    public func booleans(_ name: String) throws -> [Bool] {
        let info = try info(name)
        guard info.dtype == .bool else {
            throw LoadError.dtypeMismatch(file: path, tensor: name, expected: "BOOL", actual: info.dtype.rawValue)
        }
        let bytes = rawBytes(info)
        return try bytes.map { byte in
            guard byte <= 1 else { throw LoadError.invalidValue(file: path, tensor: name, reason: "BOOL byte \(byte) is not 0 or 1") }
            return byte == 1
        }
    }
}
