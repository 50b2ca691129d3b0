extension Float {
    /// The float32 whose high half is the bfloat16 `bits` (exact).
    public init(bfloat16Bits bits: UInt16) { self.init(bitPattern: UInt32(bits) << 16) }

    /// This value rounded to bfloat16 (to nearest even; NaN stays NaN), as its bit pattern.
    public var bfloat16Bits: UInt16 {
        let bits = bitPattern
        return isNaN ? UInt16(bits >> 16) | 0x40 : UInt16((bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
    }
}
