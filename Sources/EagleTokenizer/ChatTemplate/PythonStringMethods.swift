/// Python's `str` methods that templates use, on code points (Python strings are sequences of
/// code points; Swift's `String` compares grapheme clusters with canonical equivalence).
extension String {
    /// `strip()`, `lstrip()`, `rstrip()`: removes whitespace, or the scalars of `characters`.
    func pythonStripped(_ characters: String? = nil, leading: Bool = true, trailing: Bool = true) -> String {
        let removable = characters.map { Set($0.unicodeScalars) }
        let shouldRemove = { (scalar: Unicode.Scalar) in removable?.contains(scalar) ?? scalar.isPythonWhitespace }
        var scalars = Substring(self).unicodeScalars[...]
        if leading { scalars = scalars.drop(while: shouldRemove) }
        if trailing {
            while let last = scalars.last, shouldRemove(last) { scalars = scalars.dropLast() }
        }
        return String(String.UnicodeScalarView(scalars))
    }

    /// `split()` (runs of whitespace, no empty parts) or `split(separator)`, at most `maxSplits`
    /// times (negative: no limit).
    func pythonSplit(separator: String?, maxSplits: Int) throws -> [String] {
        let scalars = Array(unicodeScalars)
        var parts: [String] = []
        guard let separator else {
            var wordStart: Int?
            for index in scalars.indices {
                if !scalars[index].isPythonWhitespace {
                    if wordStart == nil { wordStart = index }
                } else if let start = wordStart, maxSplits < 0 || parts.count < maxSplits {
                    parts.append(String(scalars: scalars[start..<index]))
                    wordStart = nil
                }
            }
            if let start = wordStart { parts.append(String(scalars: scalars[start...])) }
            return parts
        }
        guard !separator.isEmpty else { throw JinjaRuntimeError("empty separator") }
        var start = 0
        for range in pythonRanges(of: Array(separator.unicodeScalars), in: scalars, limit: maxSplits) {
            parts.append(String(scalars: scalars[start..<range.lowerBound]))
            start = range.upperBound
        }
        parts.append(String(scalars: scalars[start...]))
        return parts
    }

    /// `replace(old, new, count)`.
    func pythonReplacing(_ old: String, with new: String, count: Int = -1) -> String {
        let scalars = Array(unicodeScalars)
        var result = String.UnicodeScalarView(), position = 0
        for range in pythonRanges(of: Array(old.unicodeScalars), in: scalars, limit: count) {
            result.append(contentsOf: scalars[position..<range.lowerBound])
            result.append(contentsOf: new.unicodeScalars)
            position = range.upperBound
        }
        result.append(contentsOf: scalars[position...])
        return String(result)
    }

    /// `title()`: every cased run starts upper case, the rest is lower case.
    func pythonTitleCased() -> String {
        var result = "", previousIsCased = false
        for scalar in unicodeScalars {
            result += previousIsCased ? scalar.properties.lowercaseMapping : scalar.properties.titlecaseMapping
            previousIsCased = scalar.properties.isCased
        }
        return result
    }

    /// `capitalize()`: the first character title case, the rest lower case.
    func pythonCapitalized() -> String {
        guard let first = unicodeScalars.first else { return self }
        return first.properties.titlecaseMapping + String(unicodeScalars.dropFirst()).lowercased()
    }
}

/// The non-overlapping occurrences of `part` in `scalars`, at most `limit` (negative: all).
private func pythonRanges(of part: [Unicode.Scalar], in scalars: [Unicode.Scalar], limit: Int) -> [Range<Int>] {
    var ranges: [Range<Int>] = [], position = 0
    while position + part.count <= scalars.count, limit < 0 || ranges.count < limit {
        if scalars[position..<(position + part.count)].elementsEqual(part) {
            ranges.append(position..<(position + part.count))
            position += max(part.count, 1)
        } else {
            position += 1
        }
    }
    return ranges
}
