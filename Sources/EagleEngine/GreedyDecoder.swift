import EagleModels

/// Plain greedy decoding of one sequence: prefill, then one token per forward.
///
/// The reference path every speculative method must reproduce token for token.
public struct GreedyDecoder {
    public let context: LlamaContext
    private var batch = ForwardBatch()

    public init(context: LlamaContext) {
        self.context = context
    }

    /// Generates up to `maxTokens` tokens after `prompt` (stopping after any of `stopTokenIDs`).
    public mutating func generate(prompt: [Int], maxTokens: Int, stopTokenIDs: Set<Int> = []) throws -> [Int] {
        precondition(!prompt.isEmpty, "the prompt must hold at least one token")
        let sequence = context.cache.addSequence()
        defer { context.cache.removeSequence(sequence) }
        var output: [Int] = []
        batch.removeAll()
        batch.append(sequence: sequence, tokens: prompt, startPosition: 0)
        batch.logitRows = [prompt.count - 1]
        var position = prompt.count
        while output.count < maxTokens {
            try context.forward(batch)
            let next = context.argmax(row: 0)
            output.append(next)
            if stopTokenIDs.contains(next) { break }
            batch.removeAll()
            batch.append(sequence: sequence, tokens: CollectionOfOne(next), startPosition: position)
            batch.logitRows = [0]
            position += 1
        }
        return output
    }
}
