/// What a split does with the matched delimiters (`behavior` in tokenizer.json), exactly as
/// `NormalizedString::split` of the `tokenizers` crate.
enum SplitDelimiterBehavior: String, CaseIterable, Sendable {
    case removed = "Removed"
    case isolated = "Isolated"
    case mergedWithPrevious = "MergedWithPrevious"
    case mergedWithNext = "MergedWithNext"
    case contiguous = "Contiguous"

    /// Splits `piece` at `matches` (sorted, non-overlapping, inside `piece`). With `invert`, the
    /// text between the matches is treated as the delimiters instead. Empty pieces are dropped.
    func split(_ piece: ScalarText, at matches: [Range<Int>], invert: Bool) -> [ScalarText] {
        var parts: [(range: Range<Int>, isMatch: Bool)] = []
        var position = piece.startIndex
        for match in matches {
            if position != match.lowerBound { parts.append((position..<match.lowerBound, invert)) }
            parts.append((match, !invert))
            position = match.upperBound
        }
        if position != piece.endIndex { parts.append((position..<piece.endIndex, invert)) }

        var kept: [(range: Range<Int>, remove: Bool)] = []
        switch self {
        case .isolated:
            kept = parts.map { ($0.range, false) }
        case .removed:
            kept = parts.map { ($0.range, $0.isMatch) }
        case .contiguous:
            var previousIsMatch = false
            for part in parts {
                if part.isMatch == previousIsMatch, let last = kept.last {
                    kept[kept.count - 1].range = last.range.lowerBound..<part.range.upperBound
                } else {
                    kept.append((part.range, false))
                }
                previousIsMatch = part.isMatch
            }
        case .mergedWithPrevious:
            var previousIsMatch = false
            for part in parts {
                if part.isMatch && !previousIsMatch, let last = kept.last {
                    kept[kept.count - 1].range = last.range.lowerBound..<part.range.upperBound
                } else {
                    kept.append((part.range, false))
                }
                previousIsMatch = part.isMatch
            }
        case .mergedWithNext:
            var nextIsMatch = false
            for part in parts.reversed() {
                if part.isMatch && !nextIsMatch, let last = kept.last {
                    kept[kept.count - 1].range = part.range.lowerBound..<last.range.upperBound
                } else {
                    kept.append((part.range, false))
                }
                nextIsMatch = part.isMatch
            }
            kept.reverse()
        }
        return kept.filter { !$0.remove && !$0.range.isEmpty }.map { piece[$0.range] }
    }
}
