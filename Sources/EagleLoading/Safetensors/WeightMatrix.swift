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
/// decode step streams half the bytes); F32 and F16 weights are float32.
public struct WeightMatrix: @unchecked Sendable {
    public let shape: [Int]
    /// The elements as `Linear.apply` takes them.
    public let elements: WeightElements
    private let owner: AnyObject

    /// A float32 weight over `tensor`'s storage.
    public init(_ tensor: FloatTensor) {
        precondition(tensor.shape.count == 2, "a weight matrix is 2-D, got shape \(tensor.shape)")
        shape = tensor.shape
        elements = .f32(tensor.pointer)
        owner = tensor.owner
    }

    /// A bfloat16 weight over `buffer` (bit patterns).
    public init(shape: [Int], bf16 buffer: AlignedBuffer<UInt16>) {
        precondition(shape.count == 2 && shape[0] * shape[1] <= buffer.count, "shape \(shape) does not fit \(buffer.count) elements")
        self.shape = shape
        elements = .bf16(UnsafePointer(buffer.pointer))
        owner = buffer
    }

    /// Number of elements.
    public var count: Int { shape[0] * shape[1] }

    /// Whether the elements are stored as bfloat16.
    public var isBFloat16: Bool {
        if case .bf16 = elements { return true }
        return false
    }

    /// Bytes a product streams: what one decode step reads of this weight.
    public var byteCount: Int { count * (isBFloat16 ? 2 : 4) }

    /// The elements widened to float32 (for tests and small tables).
    public var values: [Float] {
        switch elements {
        case .f32(let p): Array(UnsafeBufferPointer(start: p, count: count))
        case .bf16(let p): (0..<count).map { Float(bfloat16Bits: p[$0]) }
        }
    }

    /// The rows of `parts` (same column count) stacked into one new matrix (q/k/v fused into
    /// one product); bfloat16 when every part is, float32 otherwise.
    public static func stacking(_ parts: [WeightMatrix]) -> WeightMatrix {
        let columns = parts[0].shape[1]
        precondition(parts.allSatisfy { $0.shape[1] == columns }, "stacked weights need one column count")
        let shape = [parts.reduce(0) { $0 + $1.shape[0] }, columns]
        let bf16 = parts.compactMap { part -> UnsafeBufferPointer<UInt16>? in
            guard case .bf16(let p) = part.elements else { return nil }
            return UnsafeBufferPointer(start: p, count: part.count)
        }
        if bf16.count == parts.count {
            return withExtendedLifetime(parts) { WeightMatrix(shape: shape, bf16: .concatenating(bf16)) }
        }
        let floats = parts.map { $0.float32() }   // widened copies: kept alive while read
        let buffer = withExtendedLifetime(floats) {
            FloatBuffer.concatenating(floats.map { UnsafeBufferPointer(start: $0.pointer, count: $0.count) })
        }
        return WeightMatrix(buffer.tensor(shape: shape))
    }

    /// Splits `[rows, chunks·width]` into `chunks` contiguous `[rows, width]` matrices of the
    /// same storage type.
    public func splittingColumns(into chunks: Int) -> [WeightMatrix] {
        let rows = shape[0], width = shape[1] / chunks
        precondition(width * chunks == shape[1], "\(shape[1]) columns do not split into \(chunks)")
        switch elements {
        case .f32(let p):
            return (0..<chunks).map { WeightMatrix(Self.columns(p, rows: rows, stride: shape[1], from: $0 * width, width: width).tensor(shape: [rows, width])) }
        case .bf16(let p):
            return (0..<chunks).map { WeightMatrix(shape: [rows, width], bf16: Self.columns(p, rows: rows, stride: shape[1], from: $0 * width, width: width)) }
        }
    }

    /// `tensor` rounded to bfloat16 (to nearest even; NaN stays NaN).
    public static func roundingToBFloat16(_ tensor: FloatTensor) -> WeightMatrix {
        let buffer = AlignedBuffer<UInt16>(count: tensor.count, initialize: false)
        for i in 0..<tensor.count {
            let bits = tensor.pointer[i].bitPattern
            buffer.pointer[i] = tensor.pointer[i].isNaN
                ? UInt16(bits >> 16) | 0x40
                : UInt16((bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
        }
        return WeightMatrix(shape: tensor.shape, bf16: buffer)
    }

    /// This weight as a float32 tensor (itself when it is float32, else a widened copy).
    public func float32() -> FloatTensor {
        switch elements {
        case .f32(let p): return FloatTensor(shape: shape, pointer: p, owner: owner)
        case .bf16(let p):
            let buffer = FloatBuffer(count: count, initialize: false)
            for i in 0..<count { buffer.pointer[i] = Float(bfloat16Bits: p[i]) }
            return buffer.tensor(shape: shape)
        }
    }

    private static func columns<E>(_ source: UnsafePointer<E>, rows: Int, stride: Int, from first: Int, width: Int) -> AlignedBuffer<E> {
        let buffer = AlignedBuffer<E>(count: rows * width, initialize: false)
        for r in 0..<rows {
            (buffer.pointer + r * width).update(from: source + r * stride + first, count: width)
        }
        return buffer
    }
}

extension Float {
    /// The float32 whose high half is the bfloat16 `bits` (exact).
    init(bfloat16Bits bits: UInt16) { self.init(bitPattern: UInt32(bits) << 16) }
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
