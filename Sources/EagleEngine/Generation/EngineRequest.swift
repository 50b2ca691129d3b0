import EagleTokenizer
import Foundation

/// A request inside the engine: its scheduling state, the completion built from its tokens,
/// its timings, and the callback that streams it.
final class EngineRequest {
    let requestID: String
    let prompt: String?
    let promptTokenIDs: [Int]
    let sequence: ScheduledSequence
    var tracker: CompletionTracker
    var metrics = RequestMetrics()
    let onUpdate: ((RequestOutput, String) -> Void)?
    /// Layers recorded into `sequence.hiddenStates` (empty: none), and their width.
    let recordedLayers: [Int]
    let hiddenSize: Int
    let arrivalTime = DispatchTime.now().uptimeNanoseconds
    var firstTokenTime: UInt64?

    init(requestID: String, prompt: String?, promptTokenIDs: [Int], sequence: ScheduledSequence,
         tracker: CompletionTracker, recordedLayers: [Int] = [], hiddenSize: Int = 0,
         onUpdate: ((RequestOutput, String) -> Void)?) {
        self.requestID = requestID
        self.prompt = prompt
        self.promptTokenIDs = promptTokenIDs
        self.sequence = sequence
        self.tracker = tracker
        self.onUpdate = onUpdate
        self.recordedLayers = recordedLayers
        self.hiddenSize = hiddenSize
        metrics.promptTokens = promptTokenIDs.count
    }

    var isFinished: Bool { tracker.isFinished }

    /// Takes tokens emitted by a step until the completion ends.
    func accept<C: Collection>(_ tokens: C, maxModelLength: Int) where C.Element == Int {
        var kept = 0
        for token in tokens where tracker.append(token) {
            sequence.appendGenerated(token)
            kept += 1
        }
        if !tracker.isFinished, sequence.tokens.count >= maxModelLength { tracker.finish(.length, reason: nil) }
        let now = DispatchTime.now().uptimeNanoseconds
        if firstTokenTime == nil, kept > 0 {
            firstTokenTime = now
            metrics.prefillSeconds = Double(now - arrivalTime) / 1e9
        }
        if let first = firstTokenTime { metrics.decodeSeconds = Double(now - first) / 1e9 }
        metrics.generatedTokens = tracker.output.tokenIDs.count
    }

    /// The output so far (final once finished; only the final one carries the hidden states).
    var output: RequestOutput {
        var m = metrics
        m.speculation = sequence.metrics
        return RequestOutput(requestID: requestID, prompt: prompt, promptTokenIDs: promptTokenIDs,
                             outputs: [tracker.output], finished: tracker.isFinished, metrics: m,
                             hiddenStates: tracker.isFinished ? hiddenStateRecord : nil)
    }

    /// Every position but the last token's: all of them have run through the target.
    private var hiddenStateRecord: HiddenStateRecord? {
        guard !recordedLayers.isEmpty else { return nil }
        let width = recordedLayers.count * hiddenSize
        return HiddenStateRecord(layers: recordedLayers, hiddenSize: hiddenSize,
                                 values: Array(sequence.hiddenStates.prefix((sequence.tokens.count - 1) * width)))
    }

    /// Streams the new text (and the output so far) to the callback, if any.
    func report() {
        guard let onUpdate else { return }
        let delta = tracker.takeDelta()
        onUpdate(output, delta)
    }
}
