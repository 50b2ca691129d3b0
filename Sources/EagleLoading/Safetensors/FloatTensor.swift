/// An immutable float32 tensor: a shape and a pointer into storage it keeps alive
/// (a memory-mapped file, or a buffer widened from f16/bf16 at load).
public struct FloatTensor: @unchecked Sendable {
    public let shape: [Int]
    public let pointer: UnsafePointer<Float>
    private let owner: AnyObject

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }

    init(shape: [Int], pointer: UnsafePointer<Float>, owner: AnyObject) {
        self.shape = shape
        self.pointer = pointer
        self.owner = owner
    }

    /// A tensor over a fresh copy of `values`.
    public init(shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not match \(values.count) values")
        let buffer = FloatBuffer(count: values.count)
        values.withUnsafeBufferPointer { buffer.pointer.update(from: $0.baseAddress!, count: values.count) }
        self.init(shape: shape, pointer: UnsafePointer(buffer.pointer), owner: buffer)
    }

    /// Elements as an array (for tests and small tables).
    public var values: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}

/// An owned, 64-byte aligned float buffer.
public final class FloatBuffer: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int

    public init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        pointer = raw.initializeMemory(as: Float.self, repeating: 0, count: max(count, 1))
    }

    deinit { pointer.deallocate() }

    /// This buffer viewed as a tensor of the given shape.
    public func tensor(shape: [Int]) -> FloatTensor {
        precondition(shape.reduce(1, *) <= count)
        return FloatTensor(shape: shape, pointer: UnsafePointer(pointer), owner: self)
    }
}
