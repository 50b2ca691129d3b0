/// Finds the delimiters a `Split` or `Digits` pre-tokenizer splits on.
protocol SplitMatcher: Sendable {
    /// The non-overlapping matches in `text`, in order, as absolute index ranges.
    func matches(in text: ScalarText) -> [Range<Int>]
}

/// `Digits`: every scalar Rust's `char::is_numeric` accepts (general category N) is a match.
struct NumericScalarMatcher: SplitMatcher {
    func matches(in text: ScalarText) -> [Range<Int>] {
        text.indices.filter { text[$0].isNumberCategory }.map { $0..<($0 + 1) }
    }
}
