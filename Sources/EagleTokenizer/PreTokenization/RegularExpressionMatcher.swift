import Foundation

/// A split pattern that is not one of the `WellKnownSplitPattern`s, run by ICU through
/// `NSRegularExpression` (whose syntax covers the Oniguruma subset tokenizer files use).
struct RegularExpressionMatcher: SplitMatcher {
    private let expression: NSRegularExpression

    /// Compiles `pattern`; throws ICU's error when it is invalid.
    init(pattern: String) throws {
        expression = try NSRegularExpression(pattern: pattern)
    }

    /// A pattern matching exactly `literal` (`{"String": literal}` split patterns).
    static func pattern(matchingLiteral literal: String) -> String {
        NSRegularExpression.escapedPattern(for: literal)
    }

    func matches(in text: ScalarText) -> [Range<Int>] {
        let string = String(scalars: text)
        let utf16Length = (string as NSString).length
        let found = expression.matches(in: string, range: NSRange(location: 0, length: utf16Length))
        guard !found.isEmpty else { return [] }

        // ICU reports UTF-16 offsets; match boundaries always fall between scalars.
        var scalarIndexAtUTF16Offset = [Int](repeating: -1, count: utf16Length + 1)
        var offset = 0
        for index in text.indices {
            scalarIndexAtUTF16Offset[offset] = index
            offset += text[index].utf16.count
        }
        scalarIndexAtUTF16Offset[offset] = text.endIndex
        return found.map { match in
            scalarIndexAtUTF16Offset[match.range.location]
                ..< scalarIndexAtUTF16Offset[match.range.location + match.range.length]
        }
    }
}
