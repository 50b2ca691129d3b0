import Foundation

/// A GGUF file (llama.cpp's format, versions 2 and 3), memory-mapped.
///
/// Layout: magic `GGUF`, version, tensor count, metadata count, metadata key/values,
/// tensor infos (name, dims innermost-first, type, offset), then tensor data aligned to
/// `general.alignment` (default 32). Dimensions are reported here innermost-first as in
/// the file; `hfShape(of:)` gives the PyTorch order.
public final class GGUFFile: @unchecked Sendable {
    public struct TensorInfo: Sendable {
        public let name: String
        /// ggml order: `dims[0]` is the innermost (contiguous) dimension.
        public let dims: [Int]
        public let type: GGMLType
        public let offset: Int
        public var elementCount: Int { dims.reduce(1, *) }
    }

    public let url: URL
    public let version: UInt32
    public let metadata: [String: GGUFValue]
    public let tensors: [TensorInfo]
    private let tensorIndex: [String: Int]
    private let file: MappedFile
    private let dataOffset: Int

    public var path: String { url.path }

    public init(_ url: URL) throws {
        self.url = url
        file = try MappedFile(url)
        var reader = GGUFReader(base: file.base, size: file.count, file: url.path)
        guard file.count >= 4, try reader.bytes(4) == Array("GGUF".utf8) else {
            throw LoadError.invalidHeader(file: url.path, reason: "not a GGUF file (bad magic)")
        }
        version = try reader.scalar(UInt32.self)
        guard version == 2 || version == 3 else {
            throw LoadError.invalidHeader(file: url.path, reason: "unsupported GGUF version \(version)")
        }
        let tensorCount = try reader.length()
        let metadataCount = try reader.length()
        var metadata: [String: GGUFValue] = [:]
        for _ in 0..<metadataCount {
            let key = try reader.string()
            metadata[key] = try reader.value(type: try reader.scalar(UInt32.self))
        }
        var tensors: [TensorInfo] = []
        for _ in 0..<tensorCount {
            let name = try reader.string()
            let dimCount = Int(try reader.scalar(UInt32.self))
            guard dimCount <= 8 else { throw LoadError.invalidHeader(file: url.path, reason: "tensor '\(name)' has \(dimCount) dims") }
            let dims = try (0..<dimCount).map { _ in try reader.length() }
            let rawType = try reader.scalar(UInt32.self)
            guard let type = GGMLType(rawValue: rawType) else {
                throw LoadError.unknownDType(file: url.path, tensor: name, dtype: "ggml type \(rawType)")
            }
            let offset = try reader.length()
            tensors.append(TensorInfo(name: name, dims: dims, type: type, offset: offset))
        }
        let alignment = metadata["general.alignment"]?.int ?? 32
        guard alignment > 0 else { throw LoadError.invalidHeader(file: url.path, reason: "general.alignment must be positive") }
        dataOffset = (reader.offset + alignment - 1) / alignment * alignment
        for tensor in tensors {
            guard let bytes = tensor.type.byteCount(elements: tensor.elementCount) else {
                throw LoadError.byteCountMismatch(file: url.path, tensor: tensor.name, shape: tensor.dims,
                                                  dtype: "\(tensor.type)", expected: -1, actual: -1)
            }
            guard dataOffset + tensor.offset + bytes <= file.count else {
                throw LoadError.offsetsOutOfRange(file: url.path, tensor: tensor.name, begin: tensor.offset,
                                                  end: tensor.offset + bytes, dataSize: file.count - dataOffset)
            }
        }
        self.metadata = metadata
        self.tensors = tensors
        tensorIndex = Dictionary(uniqueKeysWithValues: tensors.enumerated().map { ($1.name, $0) })
    }

    public func tensor(_ name: String) throws -> TensorInfo {
        guard let i = tensorIndex[name] else { throw LoadError.missingTensor(tensor: name, files: [path]) }
        return tensors[i]
    }

    /// PyTorch-order shape (outermost first).
    public func hfShape(of info: TensorInfo) -> [Int] { info.dims.reversed() }

    /// Dequantizes a tensor to float32.
    public func floats(_ name: String) throws -> [Float] {
        let info = try tensor(name)
        return [Float](unsafeUninitializedCapacity: info.elementCount) { buffer, initialized in
            info.type.dequantize(file.base + dataOffset + info.offset, count: info.elementCount, into: buffer.baseAddress!)
            initialized = info.elementCount
        }
    }

    /// A required metadata value.
    public func value(_ key: String) throws -> GGUFValue {
        guard let value = metadata[key] else { throw ConfigError.missingField(file: path, path: key) }
        return value
    }

    public func int(_ key: String) throws -> Int {
        guard let v = try value(key).int else { throw ConfigError.wrongType(file: path, path: key, expected: "an integer") }
        return v
    }

    public func double(_ key: String) throws -> Double {
        guard let v = try value(key).double else { throw ConfigError.wrongType(file: path, path: key, expected: "a number") }
        return v
    }

    public func string(_ key: String) throws -> String {
        guard let v = try value(key).string else { throw ConfigError.wrongType(file: path, path: key, expected: "a string") }
        return v
    }
}

/// Bounds-checked little-endian cursor over GGUF bytes.
struct GGUFReader {
    let base: UnsafeRawPointer
    let size: Int
    let file: String
    var offset = 0

    mutating func need(_ n: Int) throws {
        guard n >= 0, offset <= size - n else {
            throw LoadError.truncated(file: file, reason: "needed \(n) bytes at offset \(offset), file has \(size)")
        }
    }

    mutating func scalar<T: FixedWidthInteger>(_: T.Type) throws -> T {
        try need(MemoryLayout<T>.size)
        defer { offset += MemoryLayout<T>.size }
        return T(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    mutating func length() throws -> Int {
        let v = try scalar(UInt64.self)
        guard v <= UInt64(Int32.max) * 64 else { throw LoadError.invalidHeader(file: file, reason: "count \(v) is implausible") }
        return Int(v)
    }

    mutating func bytes(_ n: Int) throws -> [UInt8] {
        try need(n)
        defer { offset += n }
        return Array(UnsafeRawBufferPointer(start: base + offset, count: n))
    }

    mutating func string() throws -> String {
        let n = try length()
        try need(n)
        defer { offset += n }
        return String(decoding: UnsafeRawBufferPointer(start: base + offset, count: n), as: UTF8.self)
    }

    mutating func value(type: UInt32) throws -> GGUFValue {
        switch type {
        case 0: return .unsigned(UInt64(try scalar(UInt8.self)))
        case 1: return .signed(Int64(try scalar(Int8.self)))
        case 2: return .unsigned(UInt64(try scalar(UInt16.self)))
        case 3: return .signed(Int64(try scalar(Int16.self)))
        case 4: return .unsigned(UInt64(try scalar(UInt32.self)))
        case 5: return .signed(Int64(try scalar(Int32.self)))
        case 6: return .float(Double(Float(bitPattern: try scalar(UInt32.self))))
        case 7: return .bool(try scalar(UInt8.self) != 0)
        case 8: return .string(try string())
        case 9:
            let elementType = try scalar(UInt32.self)
            let n = try length()
            var values: [GGUFValue] = []
            values.reserveCapacity(n)
            for _ in 0..<n { values.append(try value(type: elementType)) }
            return .array(values)
        case 10: return .unsigned(try scalar(UInt64.self))
        case 11: return .signed(try scalar(Int64.self))
        case 12: return .float(Double(bitPattern: try scalar(UInt64.self)))
        default: throw LoadError.invalidHeader(file: file, reason: "unknown metadata value type \(type)")
        }
    }
}
