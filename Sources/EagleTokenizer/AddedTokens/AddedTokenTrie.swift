/// Finds added tokens in text: leftmost-longest non-overlapping matches (the Aho-Corasick
/// `LeftmostLongest` search of the `tokenizers` crate), then the `single_word`, `lstrip` and
/// `rstrip` rules of each matched token.
struct AddedTokenTrie: Sendable {
    private struct Node: Sendable {
        var children: [Unicode.Scalar: Int] = [:]
        var tokenID: Int?
    }

    private var nodes = [Node()]
    private let tokensByID: [Int: AddedToken]
    /// Whether some token starts with each ASCII scalar: most text positions are rejected
    /// without hashing.
    private var startsWithASCII = [Bool](repeating: false, count: 128)

    init(_ tokensByID: [Int: AddedToken]) {
        self.tokensByID = tokensByID
        for (id, token) in tokensByID {
            if let first = token.decodedContent.first, first.isASCII { startsWithASCII[Int(first.value)] = true }
            var node = 0
            for scalar in token.decodedContent {
                if let child = nodes[node].children[scalar] {
                    node = child
                } else {
                    nodes.append(Node())
                    nodes[node].children[scalar] = nodes.count - 1
                    node = nodes.count - 1
                }
            }
            nodes[node].tokenID = id
        }
    }

    /// `text` split into the added tokens found and the (non-empty) text around them.
    func segments(of text: ScalarText) -> [TextSegment] {
        guard !text.isEmpty else { return [] }
        guard nodes.count > 1 else { return [.text(text)] }
        var segments: [TextSegment] = []
        var textStart = text.startIndex
        var searchStart = text.startIndex
        while let (id, match) = longestMatch(in: text, from: searchStart) {
            searchStart = match.upperBound
            guard let token = tokensByID[id], token.fitsWordBoundaries(of: match, in: text) else { continue }
            var start = match.lowerBound, end = match.upperBound
            if token.stripsLeft {
                start = max(textStart, text[..<start].lastIndex { !$0.isWhiteSpaceProperty }.map { $0 + 1 } ?? text.startIndex)
            }
            if token.stripsRight {
                end = text[end...].firstIndex { !$0.isWhiteSpaceProperty } ?? text.endIndex
            }
            if textStart < start { segments.append(.text(text[textStart..<start])) }
            segments.append(.addedToken(id: id))
            textStart = end
        }
        if textStart < text.endIndex { segments.append(.text(text[textStart...])) }
        return segments
    }

    /// The leftmost position at or after `start` where a token matches, with the longest token there.
    private func longestMatch(in text: ScalarText, from start: Int) -> (id: Int, range: Range<Int>)? {
        for matchStart in start..<text.endIndex {
            let first = text[matchStart]
            if first.isASCII && !startsWithASCII[Int(first.value)] { continue }
            var node = 0
            var longest: (id: Int, range: Range<Int>)?
            var position = matchStart
            while position < text.endIndex, let child = nodes[node].children[text[position]] {
                node = child
                position += 1
                if let id = nodes[node].tokenID { longest = (id, matchStart..<position) }
            }
            if let longest { return longest }
        }
        return nil
    }
}

private extension AddedToken {
    /// `single_word`: the match must not continue a word on either side (Rust regex `\w`).
    func fitsWordBoundaries(of match: Range<Int>, in text: ScalarText) -> Bool {
        guard matchesWholeWordsOnly else { return true }
        let before = match.lowerBound > text.startIndex ? text[match.lowerBound - 1] : nil
        let after = match.upperBound < text.endIndex ? text[match.upperBound] : nil
        return !(before?.isWordCharacter ?? false) && !(after?.isWordCharacter ?? false)
    }
}

private extension Unicode.Scalar {
    /// Rust regex `\w`: Alphabetic, marks, decimal numbers, connector punctuation, join controls.
    var isWordCharacter: Bool {
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation:
            return true
        default:
            return properties.isAlphabetic || properties.isJoinControl
        }
    }
}
