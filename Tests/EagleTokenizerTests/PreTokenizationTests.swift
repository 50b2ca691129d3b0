import Foundation
import Testing
@testable import EagleTokenizer

/// `pretokenization.json`: the pieces Oniguruma (through `tokenizers`) splits random strings into.
private struct PreTokenizationFixture: Decodable {
    struct Case: Decodable {
        let text: String
        let gpt2: [String]
        let llama3: [String]
    }

    let patterns: [String: String]
    let cases: [Case]
}

@Suite("Pre-tokenization")
struct PreTokenizationTests {
    private func pieces(of text: String, matcher: any SplitMatcher) -> [String] {
        let scalars = Array(text.unicodeScalars)[...]
        return SplitDelimiterBehavior.isolated.split(scalars, at: matcher.matches(in: scalars), invert: false)
            .map { String(scalars: $0) }
    }

    private func expected(_ testCase: PreTokenizationFixture.Case, _ pattern: WellKnownSplitPattern) -> [String] {
        pattern == .gpt2 ? testCase.gpt2 : testCase.llama3
    }

    @Test("the hand-written scanners split like Oniguruma", arguments: WellKnownSplitPattern.allCases)
    func scannersMatchOniguruma(pattern: WellKnownSplitPattern) throws {
        let fixture = try TestFixtures.load(PreTokenizationFixture.self, from: "pretokenization.json")
        #expect(fixture.patterns["\(pattern)"] == pattern.pattern)
        for testCase in fixture.cases {
            #expect(pieces(of: testCase.text, matcher: pattern) == expected(testCase, pattern),
                    "\(pattern): \(testCase.text.debugDescription)")
        }
    }

    @Test("the NSRegularExpression fallback splits the same patterns like Oniguruma",
          arguments: WellKnownSplitPattern.allCases)
    func regularExpressionFallbackMatchesOniguruma(pattern: WellKnownSplitPattern) throws {
        let fixture = try TestFixtures.load(PreTokenizationFixture.self, from: "pretokenization.json")
        let matcher = try RegularExpressionMatcher(pattern: pattern.pattern)
        for testCase in fixture.cases {
            #expect(pieces(of: testCase.text, matcher: matcher) == expected(testCase, pattern),
                    "\(pattern): \(testCase.text.debugDescription)")
        }
    }

    /// Expected pieces from `tokenizers`' `Split(Regex("-"), behavior, invert)` on "a-b--c".
    @Test("split behaviors", arguments: [
        (SplitDelimiterBehavior.removed, false, ["a", "b", "c"]),
        (.removed, true, ["-", "-", "-"]),
        (.isolated, false, ["a", "-", "b", "-", "-", "c"]),
        (.isolated, true, ["a", "-", "b", "-", "-", "c"]),
        (.mergedWithPrevious, false, ["a-", "b-", "-", "c"]),
        (.mergedWithPrevious, true, ["a", "-b", "-", "-c"]),
        (.mergedWithNext, false, ["a", "-b", "-", "-c"]),
        (.mergedWithNext, true, ["a-", "b-", "-", "c"]),
        (.contiguous, false, ["a", "-", "b", "--", "c"]),
        (.contiguous, true, ["a", "-", "b", "--", "c"]),
    ])
    func behaviors(behavior: SplitDelimiterBehavior, invert: Bool, expected: [String]) throws {
        let matcher = try RegularExpressionMatcher(pattern: "-")
        let text = Array("a-b--c".unicodeScalars)[...]
        let pieces = behavior.split(text, at: matcher.matches(in: text), invert: invert).map { String(scalars: $0) }
        #expect(pieces == expected)
    }
}
