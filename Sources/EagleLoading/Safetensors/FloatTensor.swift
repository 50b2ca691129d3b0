#if canImport(Glibc)
import Glibc
#endif

/// An immutable float32 tensor: a shape and a pointer into storage it keeps alive
/// (a memory-mapped file, or a buffer widened from f16/bf16 at load).
public struct FloatTensor: @unchecked Sendable {
    public let shape: [Int]
    public let pointer: UnsafePointer<Float>
    let owner: AnyObject

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

    /// A copy in an owned buffer (large ones backed by transparent huge pages, which cuts TLB
    /// misses when weights are streamed every decode step).
    public func ownedCopy() -> FloatTensor {
        let buffer = FloatBuffer(count: count, initialize: false)
        buffer.pointer.update(from: pointer, count: count)
        return buffer.tensor(shape: shape)
    }

    /// Elements as an array (for tests and small tables).
    public var values: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}

/// An owned buffer of trivial elements: 64-byte aligned, or 2 MB aligned and advised for
/// transparent huge pages when it is large (weights and big activations).
public final class AlignedBuffer<Element>: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Element>
    public let count: Int
    private static var hugePage: Int { 2 << 20 }

    /// A zero-filled buffer (or uninitialized contents, for callers that overwrite it at once).
    public init(count: Int, initialize: Bool = true) {
        self.count = count
        let bytes = max(count, 1) * MemoryLayout<Element>.stride
        let huge = bytes >= Self.hugePage
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: huge ? Self.hugePage : 64)
        #if os(Linux)
        if huge { _ = madvise(raw, (bytes + Self.hugePage - 1) / Self.hugePage * Self.hugePage, MADV_HUGEPAGE) }
        #endif
        if initialize { raw.initializeMemory(as: UInt8.self, repeating: 0, count: bytes) }
        pointer = raw.bindMemory(to: Element.self, capacity: max(count, 1))
    }

    deinit { pointer.deallocate() }
}

/// The float buffers of weights and activations.
public typealias FloatBuffer = AlignedBuffer<Float>

extension AlignedBuffer where Element == Float {
    /// This buffer viewed as a tensor of the given shape.
    public func tensor(shape: [Int]) -> FloatTensor {
        precondition(shape.reduce(1, *) <= count)
        return FloatTensor(shape: shape, pointer: UnsafePointer(pointer), owner: self)
    }
}
