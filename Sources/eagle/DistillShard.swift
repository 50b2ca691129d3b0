import EagleLoading
import Foundation

/// One shard of self-distillation data in the format of the head recipe's `generate_data.py`
/// (`Models/SmolLM2-135M-Instruct-EAGLE3/recipe`), which its `train.py` reads:
///
///     shard_XXXXX.safetensors   input_ids I32 [T], loss_mask U8 [T] (1 on response tokens),
///                               hidden_states BF16 [T, aux·H] (the states entering the aux layers),
///                               verifier_last_hidden_states BF16 [T, H] (after the last layer,
///                               before the final norm), offsets I64 [n + 1], prompt_index I64 [n]
///     shard_XXXXX.jsonl         one line per sample: prompt index, chat, token counts, response text
///
/// T is the sum of the samples' lengths; sample i holds rows `offsets[i] ..< offsets[i + 1]`.
struct DistillShard {
    struct Sample {
        var promptIndex: Int
        var chat: Bool
        var promptTokens: Int
        /// Prompt and response ids.
        var tokens: [Int]
        /// `[rows, (aux + 1)·H]`: the aux layers' states, then the last layer's; rows may be one
        /// short of `tokens` (the last token was never run), and that row is then written as zeros
        /// outside the loss mask.
        var states: [Float]
        var stopped: Bool
        var responseText: String
    }

    var samples: [Sample] = []
    let hiddenSize: Int
    let auxLayerCount: Int

    static func url(_ directory: URL, _ index: Int) -> URL {
        directory.appendingPathComponent(String(format: "shard_%05d.safetensors", index))
    }

    /// Writes the metadata lines, then the tensors (atomically: the shard exists once its
    /// `.safetensors` file does).
    func write(to directory: URL, index: Int) throws {
        let h = hiddenSize
        let width = (auxLayerCount + 1) * h
        let total = samples.reduce(0) { $0 + $1.tokens.count }
        var ids: [Int32] = [], mask: [UInt8] = [], offsets: [Int64] = [0]
        var aux = [UInt16](repeating: 0, count: total * auxLayerCount * h)
        var last = [UInt16](repeating: 0, count: total * h)
        ids.reserveCapacity(total)
        mask.reserveCapacity(total)
        var row = 0
        for sample in samples {
            let rows = sample.states.count / width
            precondition(rows == sample.tokens.count || rows == sample.tokens.count - 1, "states do not match the tokens")
            for (position, token) in sample.tokens.enumerated() {
                ids.append(Int32(token))
                mask.append(position >= sample.promptTokens && position < rows ? 1 : 0)
            }
            for r in 0..<rows {
                for c in 0..<(auxLayerCount * h) { aux[(row + r) * auxLayerCount * h + c] = sample.states[r * width + c].bfloat16Bits }
                for c in 0..<h { last[(row + r) * h + c] = sample.states[r * width + auxLayerCount * h + c].bfloat16Bits }
            }
            row += sample.tokens.count
            offsets.append(Int64(row))
        }
        func bytes<T>(_ values: [T]) -> Data { values.withUnsafeBytes { Data($0) } }
        let entries = [
            SafetensorsWriter.Entry(name: "input_ids", dtype: .i32, shape: [total], bytes: bytes(ids)),
            SafetensorsWriter.Entry(name: "loss_mask", dtype: .u8, shape: [total], bytes: bytes(mask)),
            SafetensorsWriter.Entry(name: "hidden_states", dtype: .bf16, shape: [total, auxLayerCount * h], bytes: bytes(aux)),
            SafetensorsWriter.Entry(name: "verifier_last_hidden_states", dtype: .bf16, shape: [total, h], bytes: bytes(last)),
            SafetensorsWriter.Entry(name: "offsets", dtype: .i64, shape: [offsets.count], bytes: bytes(offsets)),
            SafetensorsWriter.Entry(name: "prompt_index", dtype: .i64, shape: [samples.count],
                                    bytes: bytes(samples.map { Int64($0.promptIndex) })),
        ]
        var lines = ""
        for sample in samples {
            let object: [String: Any] = [
                "prompt_index": sample.promptIndex, "chat": sample.chat, "prompt_tokens": sample.promptTokens,
                "response_tokens": sample.tokens.count - sample.promptTokens, "stopped": sample.stopped,
                "response": sample.responseText,
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            lines += String(decoding: data, as: UTF8.self) + "\n"
        }
        let url = Self.url(directory, index)
        try Data(lines.utf8).write(to: url.deletingPathExtension().appendingPathExtension("jsonl"), options: .atomic)
        try SafetensorsWriter.write(entries, to: url, metadata: ["format": "eagle3-selfdistill-v1"])
    }
}
