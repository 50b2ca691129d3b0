/// Where a byte stream can be cut without splitting a character.
enum UTF8Completion {
    /// How many bytes at the end of `bytes` begin a well-formed UTF-8 sequence that is not yet
    /// complete (0 when the bytes end on a character boundary or with ill-formed bytes).
    static func incompleteSuffixLength(of bytes: some BidirectionalCollection<UInt8>) -> Int {
        var length = 0
        for byte in bytes.reversed().prefix(4) {
            length += 1
            guard byte & 0xC0 == 0x80 else {
                return length < sequenceLength(startingWith: byte) && continues(bytes.suffix(length)) ? length : 0
            }
        }
        return 0
    }

    /// The length of the sequence a lead byte starts (0: not a lead byte of a well-formed sequence).
    private static func sequenceLength(startingWith lead: UInt8) -> Int {
        switch lead {
        case 0xC2...0xDF: return 2
        case 0xE0...0xEF: return 3
        case 0xF0...0xF4: return 4
        default: return 0
        }
    }

    /// Whether the continuation bytes after the lead byte are allowed (the second byte's range
    /// depends on the lead byte: no overlong forms, surrogates or values above U+10FFFF).
    private static func continues(_ sequence: some Collection<UInt8>) -> Bool {
        guard let lead = sequence.first else { return false }
        let secondRange: ClosedRange<UInt8>
        switch lead {
        case 0xE0: secondRange = 0xA0...0xBF
        case 0xED: secondRange = 0x80...0x9F
        case 0xF0: secondRange = 0x90...0xBF
        case 0xF4: secondRange = 0x80...0x8F
        default: secondRange = 0x80...0xBF
        }
        return sequence.dropFirst().enumerated().allSatisfy { index, byte in
            (index == 0 ? secondRange : 0x80...0xBF).contains(byte)
        }
    }
}
