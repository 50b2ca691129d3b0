import EagleKernels

/// How matmul weights are kept in memory (vLLM's `dtype`, for weights only: activations,
/// norms, embeddings and the KV cache stay float32).
public enum WeightDType: String, Sendable, CaseIterable {
    /// As the checkpoint stores them: BF16 stays BF16, F32 and F16 become float32 (exact).
    case auto
    /// F32 and F16 weights rounded to BF16 at load (to nearest even): half the bytes per
    /// decode step, with BF16's 8-bit mantissa (outputs differ from float32 storage).
    case bfloat16
}

/// A matmul weight `[out, in]` in the precision its checkpoint stores: BF16 stays BF16 (the
/// kernels widen it exactly, so products equal float32 storage of the same values while a
/// decode step streams half the bytes); F32 and F16 weights are float32. Models keep the
/// `packedForKernels()` copy, in the layout the skinny kernel streams fastest.
public struct WeightMatrix: @unchecked Sendable {
    public let shape: [Int]
    /// The elements as `Linear.apply` takes them.
    public let elements: WeightElements
    private let owner: AnyObject

    private init(shape: [Int], elements: WeightElements, owner: AnyObject) {
        self.shape = shape
        self.elements = elements
        self.owner = owner
    }

    /// A float32 weight over `tensor`'s storage.
    public init(_ tensor: FloatTensor) {
        precondition(tensor.shape.count == 2, "a weight matrix is 2-D, got shape \(tensor.shape)")
        self.init(shape: tensor.shape, elements: .f32(tensor.pointer), owner: tensor.owner)
    }

    /// A bfloat16 weight over `buffer` (bit patterns).
    public init(shape: [Int], bf16 buffer: AlignedBuffer<UInt16>) {
        precondition(shape.count == 2 && shape[0] * shape[1] <= buffer.count, "shape \(shape) does not fit \(buffer.count) elements")
        self.init(shape: shape, elements: .bf16(UnsafePointer(buffer.pointer)), owner: buffer)
    }

    /// Number of elements.
    public var count: Int { shape[0] * shape[1] }

    /// Whether the elements are stored as bfloat16.
    public var isBFloat16: Bool { elements.storage == .bfloat16 }

    /// Bytes a product streams: what one decode step reads of this weight.
    public var byteCount: Int { count * elements.elementSize }

    /// The elements widened to float32, row-major (for tests and small tables).
    public var values: [Float] {
        withExtendedLifetime(owner) {
            [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                elements.float32Rows(0..<shape[0], rows: shape[0], columns: shape[1], into: buffer.baseAddress!)
                initialized = count
            }
        }
    }

    /// This weight copied into owned, huge-page backed memory, packed for the skinny kernel
    /// when it reads this shape packed (bit for bit the same products; a decode step streams
    /// the packed layout faster). Stacking and splitting take row-major weights, so models pack last.
    public func packedForKernels() -> WeightMatrix {
        if elements.isPacked { return self }
        let buffer = AlignedBuffer<UInt8>(count: byteCount, initialize: false)
        let packed = withExtendedLifetime(owner) {
            elements.packed(into: UnsafeMutableRawPointer(buffer.pointer), rows: shape[0], columns: shape[1])
        }
        if let packed { return WeightMatrix(shape: shape, elements: packed, owner: buffer) }
        let raw = UnsafeMutableRawPointer(buffer.pointer)
        withExtendedLifetime(owner) { raw.copyMemory(from: elements.base, byteCount: byteCount) }
        let copy: WeightElements = switch elements.storage {
        case .float32: .f32(UnsafePointer(raw.bindMemory(to: Float.self, capacity: count)))
        case .bfloat16: .bf16(UnsafePointer(raw.bindMemory(to: UInt16.self, capacity: count)))
        }
        return WeightMatrix(shape: shape, elements: copy, owner: buffer)
    }

    /// The rows of `parts` (same column count, row-major) stacked into one new matrix (q/k/v
    /// fused into one product); bfloat16 when every part is, float32 otherwise.
    public static func stacking(_ parts: [WeightMatrix]) -> WeightMatrix {
        let columns = parts[0].shape[1]
        precondition(parts.allSatisfy { $0.shape[1] == columns && !$0.elements.isPacked }, "stacked weights need one column count, row-major")
        let shape = [parts.reduce(0) { $0 + $1.shape[0] }, columns]
        if parts.allSatisfy(\.isBFloat16) {
            let bits = parts.map { UnsafeBufferPointer(start: $0.elements.base.assumingMemoryBound(to: UInt16.self), count: $0.count) }
            return withExtendedLifetime(parts) { WeightMatrix(shape: shape, bf16: .concatenating(bits)) }
        }
        let floats = parts.map { $0.float32() }   // widened copies: kept alive while read
        let buffer = withExtendedLifetime(floats) {
            FloatBuffer.concatenating(floats.map { UnsafeBufferPointer(start: $0.pointer, count: $0.count) })
        }
        return WeightMatrix(buffer.tensor(shape: shape))
    }

    /// Splits a row-major `[rows, chunks·width]` into `chunks` contiguous `[rows, width]`
    /// matrices of the same storage type.
    public func splittingColumns(into chunks: Int) -> [WeightMatrix] {
        let rows = shape[0], width = shape[1] / chunks
        precondition(width * chunks == shape[1], "\(shape[1]) columns do not split into \(chunks)")
        precondition(!elements.isPacked, "splitting needs a row-major weight")
        return withExtendedLifetime(owner) {
            switch elements.storage {
            case .float32:
                let p = elements.base.assumingMemoryBound(to: Float.self)
                return (0..<chunks).map { WeightMatrix(Self.columns(p, rows: rows, stride: shape[1], from: $0 * width, width: width).tensor(shape: [rows, width])) }
            case .bfloat16:
                let p = elements.base.assumingMemoryBound(to: UInt16.self)
                return (0..<chunks).map { WeightMatrix(shape: [rows, width], bf16: Self.columns(p, rows: rows, stride: shape[1], from: $0 * width, width: width)) }
            }
        }
    }

    /// `tensor` rounded to bfloat16 (to nearest even; NaN stays NaN).
    public static func roundingToBFloat16(_ tensor: FloatTensor) -> WeightMatrix {
        let buffer = AlignedBuffer<UInt16>(count: tensor.count, initialize: false)
        for i in 0..<tensor.count { buffer.pointer[i] = tensor.pointer[i].bfloat16Bits }
        return WeightMatrix(shape: tensor.shape, bf16: buffer)
    }

    /// This weight as a row-major float32 tensor (itself when it is one, else a widened copy).
    public func float32() -> FloatTensor {
        if elements.storage == .float32 && !elements.isPacked {
            return FloatTensor(shape: shape, pointer: elements.base.assumingMemoryBound(to: Float.self), owner: owner)
        }
        let buffer = FloatBuffer(count: count, initialize: false)
        withExtendedLifetime(owner) { elements.float32Rows(0..<shape[0], rows: shape[0], columns: shape[1], into: buffer.pointer) }
        return buffer.tensor(shape: shape)
    }

    private static func columns<E>(_ source: UnsafePointer<E>, rows: Int, stride: Int, from first: Int, width: Int) -> AlignedBuffer<E> {
        let buffer = AlignedBuffer<E>(count: rows * width, initialize: false)
        for r in 0..<rows {
            (buffer.pointer + r * width).update(from: source + r * stride + first, count: width)
        }
        return buffer
    }
}

extension AlignedBuffer {
    /// A new buffer holding the elements of `parts`, one after another.
    public static func concatenating(_ parts: [UnsafeBufferPointer<Element>]) -> AlignedBuffer {
        let buffer = AlignedBuffer(count: parts.reduce(0) { $0 + $1.count }, initialize: false)
        var offset = 0
        for part in parts {
            (buffer.pointer + offset).update(from: part.baseAddress!, count: part.count)
            offset += part.count
        }
        return buffer
    }
}
