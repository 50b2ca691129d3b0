/// The character classes of the pre-tokenizer regexes, with the semantics of the Rust
/// `tokenizers` crate (Oniguruma `\p{L}`, `\p{N}`, `\s`; `char::is_numeric`, `char::is_whitespace`).
extension Unicode.Scalar {
    /// `\p{L}`: general category Lu, Ll, Lt, Lm or Lo.
    var isLetterCategory: Bool {
        if value < 0x80 { return (value | 0x20) >= 0x61 && (value | 0x20) <= 0x7A }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return true
        default:
            return false
        }
    }

    /// `\p{N}` and Rust's `char::is_numeric`: general category Nd, Nl or No.
    var isNumberCategory: Bool {
        if value < 0x80 { return value >= 0x30 && value <= 0x39 }
        switch properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return false
        }
    }

    /// Oniguruma's Unicode `\s` and Rust's `char::is_whitespace`: the White_Space property.
    var isWhiteSpaceProperty: Bool {
        if value < 0x80 { return value == 0x20 || (value >= 0x09 && value <= 0x0D) }
        return properties.isWhitespace
    }

    /// `[\r\n]`.
    var isLineBreak: Bool { value == 0x0A || value == 0x0D }

    /// `[^\s\p{L}\p{N}]`: punctuation, symbols, marks, controls, emoji...
    var isNeitherSpaceLetterNorNumber: Bool { !isWhiteSpaceProperty && !isLetterCategory && !isNumberCategory }
}
