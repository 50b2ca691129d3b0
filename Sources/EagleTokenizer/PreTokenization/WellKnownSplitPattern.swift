/// The two split regexes of byte-level BPE tokenizers, hand-written as scanners over Unicode
/// scalars. They reproduce Oniguruma's leftmost-first alternation with backtracking exactly,
/// including the `\s+(?!\S)` lookahead, and are much faster than a regex engine.
enum WellKnownSplitPattern: SplitMatcher, CaseIterable {
    /// GPT-2's pattern, also the one `ByteLevel(use_regex: true)` applies.
    case gpt2
    /// Llama-3's pattern (also used by many later models).
    case llama3

    /// The pattern text exactly as it appears in tokenizer.json.
    var pattern: String {
        switch self {
        case .gpt2:
            return #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
        case .llama3:
            return #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
        }
    }

    /// The scanner for `pattern`, if it is one of the well-known ones.
    init?(pattern: String) {
        guard let known = Self.allCases.first(where: { $0.pattern == pattern }) else { return nil }
        self = known
    }

    func matches(in text: ScalarText) -> [Range<Int>] {
        var matches: [Range<Int>] = []
        var start = text.startIndex
        // Every scalar is a letter, a number, whitespace or "other", and each pattern has an
        // alternative for each class, so the matches tile the text.
        while start < text.endIndex {
            let end = self == .gpt2 ? gpt2MatchEnd(text, from: start) : llama3MatchEnd(text, from: start)
            matches.append(start..<end)
            start = end
        }
        return matches
    }

    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
    private func gpt2MatchEnd(_ text: ScalarText, from start: Int) -> Int {
        if let length = contractionLength(text, from: start, ignoringCase: false) { return start + length }
        let afterSpace = text[start] == " " && start + 1 < text.endIndex ? start + 1 : start
        let first = text[afterSpace]
        if first.isLetterCategory { return run(text, from: afterSpace, while: \.isLetterCategory) }
        if first.isNumberCategory { return run(text, from: afterSpace, while: \.isNumberCategory) }
        if first.isNeitherSpaceLetterNorNumber {
            return run(text, from: afterSpace, while: \.isNeitherSpaceLetterNorNumber)
        }
        return whitespaceMatchEnd(text, from: start)
    }

    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
    private func llama3MatchEnd(_ text: ScalarText, from start: Int) -> Int {
        if let length = contractionLength(text, from: start, ignoringCase: true) { return start + length }
        let first = text[start]
        if first.isLetterCategory { return run(text, from: start, while: \.isLetterCategory) }
        if !first.isNumberCategory && !first.isLineBreak && start + 1 < text.endIndex
            && text[start + 1].isLetterCategory {
            return run(text, from: start + 1, while: \.isLetterCategory)
        }
        if first.isNumberCategory {
            return run(text, from: start, while: \.isNumberCategory, limit: 3)
        }
        let afterSpace = first == " " && start + 1 < text.endIndex ? start + 1 : start
        if text[afterSpace].isNeitherSpaceLetterNorNumber {
            let symbolsEnd = run(text, from: afterSpace, while: \.isNeitherSpaceLetterNorNumber)
            return run(text, from: symbolsEnd, while: \.isLineBreak)
        }
        // `\s*[\r\n]+`: the whitespace run up to and including its last line break.
        let whitespaceEnd = run(text, from: start, while: \.isWhiteSpaceProperty)
        if let lastBreak = text[start..<whitespaceEnd].lastIndex(where: \.isLineBreak) {
            return lastBreak + 1
        }
        return whitespaceMatchEnd(text, from: start)
    }

    /// `\s+(?!\S)|\s+` at a whitespace scalar: a run followed by non-space gives back its last
    /// scalar (so that scalar can prefix the next word), unless that would leave it empty.
    private func whitespaceMatchEnd(_ text: ScalarText, from start: Int) -> Int {
        let end = run(text, from: start, while: \.isWhiteSpaceProperty)
        return end < text.endIndex && end - start >= 2 ? end - 1 : end
    }

    /// `'s|'t|'re|'ve|'m|'ll|'d`, optionally case-insensitive (Unicode simple case folding, so
    /// U+017F LATIN SMALL LETTER LONG S matches `s`).
    private func contractionLength(_ text: ScalarText, from start: Int, ignoringCase: Bool) -> Int? {
        guard text[start] == "'", start + 1 < text.endIndex else { return nil }
        func letter(_ offset: Int) -> Unicode.Scalar? {
            guard start + offset < text.endIndex else { return nil }
            let scalar = text[start + offset]
            guard ignoringCase else { return scalar }
            if scalar == "\u{17F}" { return "s" }
            return scalar.value >= 0x41 && scalar.value <= 0x5A ? Unicode.Scalar(scalar.value | 0x20) : scalar
        }
        switch letter(1) {
        case "s", "t", "m", "d": return 2
        case "r" where letter(2) == "e": return 3
        case "v" where letter(2) == "e": return 3
        case "l" where letter(2) == "l": return 3
        default: return nil
        }
    }

    private func run(_ text: ScalarText, from start: Int, while belongs: (Unicode.Scalar) -> Bool,
                     limit: Int = .max) -> Int {
        var end = start
        while end < text.endIndex && end - start < limit && belongs(text[end]) { end += 1 }
        return end
    }
}
