/// GPT-2's reversible mapping between bytes and printable Unicode scalars, which byte-level BPE
/// vocabularies are written in: printable Latin-1 bytes map to themselves, the other 68 bytes
/// to U+0100...U+0143 in byte order (so a space becomes "Ġ").
enum ByteLevelAlphabet {
    /// The scalar standing for each byte.
    static let scalarForByte: [Unicode.Scalar] = {
        let printable = Set<UInt8>(0x21...0x7E).union(0xA1...0xAC).union(0xAE...0xFF)
        var next: UInt32 = 0x100
        return (0...255).map { (byte: UInt8) -> Unicode.Scalar in
            if printable.contains(byte) { return Unicode.Scalar(byte) }
            defer { next += 1 }
            return Unicode.Scalar(next)!
        }
    }()

    /// The byte each alphabet scalar stands for, indexed by scalar value (-1: not in the alphabet).
    private static let byteForScalar: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x144)
        for (byte, scalar) in scalarForByte.enumerated() { table[Int(scalar.value)] = Int16(byte) }
        return table
    }()

    /// The UTF-8 bytes of `text`, each replaced by its alphabet scalar.
    static func encode(_ text: ScalarText) -> [Unicode.Scalar] {
        var mapped: [Unicode.Scalar] = []
        mapped.reserveCapacity(text.count)
        for scalar in text {
            UTF8.encode(scalar) { mapped.append(scalarForByte[Int($0)]) }
        }
        return mapped
    }

    /// The bytes `token` stands for, or nil when one of its scalars is not in the alphabet.
    static func decode(_ token: some Sequence<Unicode.Scalar>) -> [UInt8]? {
        var bytes: [UInt8] = []
        for scalar in token {
            guard scalar.value < byteForScalar.count, byteForScalar[Int(scalar.value)] >= 0 else { return nil }
            bytes.append(UInt8(byteForScalar[Int(scalar.value)]))
        }
        return bytes
    }
}
