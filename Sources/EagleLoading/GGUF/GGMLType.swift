/// GGML tensor element types the importer can dequantize.
public enum GGMLType: UInt32, Sendable {
    case f32 = 0
    case f16 = 1
    case q4_0 = 2
    case q4_1 = 3
    case q8_0 = 8
    case bf16 = 30

    /// Elements per block and bytes per block.
    public var block: (elements: Int, bytes: Int) {
        switch self {
        case .f32: (1, 4)
        case .f16, .bf16: (1, 2)
        case .q4_0: (32, 18)   // f16 scale + 16 bytes of nibbles
        case .q4_1: (32, 20)   // f16 scale + f16 min + 16 bytes of nibbles
        case .q8_0: (32, 34)   // f16 scale + 32 int8
        }
    }

    /// Bytes needed for `count` elements (nil if `count` is not a whole number of blocks).
    public func byteCount(elements count: Int) -> Int? {
        let (n, bytes) = block
        guard count % n == 0 else { return nil }
        return count / n * bytes
    }

    /// Widens `count` elements at `source` to float32 (ggml's reference dequantization).
    public func dequantize(_ source: UnsafeRawPointer, count: Int, into out: UnsafeMutablePointer<Float>) {
        func half(_ offset: Int) -> Float { Float(Float16(bitPattern: source.loadUnaligned(fromByteOffset: offset, as: UInt16.self))) }
        switch self {
        case .f32:
            UnsafeMutableRawPointer(out).copyMemory(from: source, byteCount: count * 4)
        case .f16:
            for i in 0..<count { out[i] = half(2 * i) }
        case .bf16:
            for i in 0..<count {
                out[i] = Float(bfloat16Bits: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
            }
        case .q4_0, .q4_1:
            let blockBytes = block.bytes
            let quantOffset = self == .q4_0 ? 2 : 4
            for b in 0..<count / 32 {
                let base = b * blockBytes
                let scale = half(base)
                let y = out + b * 32
                if self == .q4_0 {  // x = (q - 8)·d
                    for j in 0..<16 {
                        let q = source.load(fromByteOffset: base + quantOffset + j, as: UInt8.self)
                        y[j] = Float(Int(q & 0x0F) - 8) * scale
                        y[j + 16] = Float(Int(q >> 4) - 8) * scale
                    }
                } else {            // x = q·d + m
                    let minimum = half(base + 2)
                    for j in 0..<16 {
                        let q = source.load(fromByteOffset: base + quantOffset + j, as: UInt8.self)
                        y[j] = Float(q & 0x0F) * scale + minimum
                        y[j + 16] = Float(q >> 4) * scale + minimum
                    }
                }
            }
        case .q8_0:
            for b in 0..<count / 32 {
                let base = b * 34
                let scale = half(base)
                for j in 0..<32 {
                    out[b * 32 + j] = Float(source.load(fromByteOffset: base + 2 + j, as: Int8.self)) * scale
                }
            }
        }
    }
}
