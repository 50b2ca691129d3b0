import EagleTokenizer
import Foundation

/// Follows one completion token by token: detokenizes incrementally, and decides when it
/// ends (EOS / stop token, stop string, `max_tokens`). Tokens offered after the end are
/// refused, so a speculative step that produced several tokens never emits past a stop.
///
/// While streaming, text that could still turn into a stop string is held back.
struct CompletionTracker {
    let params: SamplingParams
    private let stopTokens: Set<Int>
    private var detokenizer: StreamingDetokenizer
    private let holdBackBytes: Int
    private(set) var output = CompletionOutput()
    private var emittedBytes = 0

    init(params: SamplingParams, eosTokenIDs: [Int], tokenizer: Tokenizer) {
        self.params = params
        var stops = Set(params.stopTokenIDs)
        if !params.ignoreEOS { stops.formUnion(eosTokenIDs) }
        stopTokens = stops
        detokenizer = StreamingDetokenizer(tokenizer: tokenizer, skipSpecialTokens: params.skipSpecialTokens)
        holdBackBytes = max(0, (params.stop.map(\.utf8.count).max() ?? 0) - 1)
    }

    var isFinished: Bool { output.finishReason != nil }

    /// Adds a generated token; returns `false` (and ignores it) once the completion is finished.
    @discardableResult
    mutating func append(_ token: Int) -> Bool {
        guard !isFinished else { return false }
        output.tokenIDs.append(token)
        let previousCount = output.text.utf8.count
        output.text += detokenizer.append(token)
        if stopTokens.contains(token) {
            finish(.stop, reason: .token(token))
        } else if let (stop, range) = firstStopString(searchingFrom: previousCount) {
            output.text = String(output.text[..<(params.includeStopStringInOutput ? range.upperBound : range.lowerBound)])
            finish(.stop, reason: .string(stop))
        } else if output.tokenIDs.count >= params.maxTokens {
            finish(.length, reason: nil)
        }
        return true
    }

    /// Ends the completion early (e.g. the context is full).
    mutating func finish(_ reason: FinishReason, reason stop: StopReason?) {
        guard !isFinished else { return }
        if stop == nil || stop.map({ if case .token = $0 { true } else { false } }) == true {
            output.text += detokenizer.finish()
        }
        output.finishReason = reason
        output.stopReason = stop
    }

    /// Text produced since the last call, holding back a possible stop-string prefix.
    mutating func takeDelta() -> String {
        let utf8 = output.text.utf8
        var end = isFinished ? utf8.count : max(emittedBytes, utf8.count - holdBackBytes)
        var index = utf8.index(utf8.startIndex, offsetBy: end)
        while end > emittedBytes, index.samePosition(in: output.text.unicodeScalars) == nil {
            end -= 1
            index = utf8.index(before: index)
        }
        let start = utf8.index(utf8.startIndex, offsetBy: emittedBytes)
        emittedBytes = end
        return String(output.text[start..<index])
    }

    private func firstStopString(searchingFrom utf8Offset: Int) -> (String, Range<String.Index>)? {
        guard !params.stop.isEmpty else { return nil }
        let text = output.text
        let from = max(0, utf8Offset - holdBackBytes)
        var start = text.utf8.index(text.utf8.startIndex, offsetBy: from)
        while start.samePosition(in: text.unicodeScalars) == nil, start > text.startIndex { start = text.utf8.index(before: start) }
        var best: (String, Range<String.Index>)?
        for stop in params.stop {
            if let range = text.range(of: stop, range: start..<text.endIndex),
               best.map({ range.lowerBound < $0.1.lowerBound }) ?? true {
                best = (stop, range)
            }
        }
        return best
    }
}
