import EagleLoading
import EagleModels
import EagleTestSupport
import Foundation
import Testing

/// `eagle distill` on the tiny model: the shards hold what the recipe's `train.py` reads, and
/// their states are the target's (one forward over each stored sequence, to bf16 rounding).
@Suite(.serialized) struct DistillCommandTests {
    static let model = TestPaths.fixtures.appendingPathComponent("tiny-llama")
    static let prompts = [#"{"prompt": "Once upon a time", "chat": false}"#, #"{"prompt": "The sky is", "chat": false}"#,
                          #"{"prompt": "1, 2, 3,", "chat": false}"#]

    static func distill(_ out: URL, _ extra: [String] = []) throws -> EagleBinary.Result {
        let file = try GenerateCommandTests.promptFile(prompts)
        return try EagleBinary.run(["distill", "--model", model.path, "--prompts", file, "--out", out.path, "--shard-size", "2",
                                    "--max-tokens", "6", "--index-offset", "500", "--aux-layers", "1", "4", "6"] + extra)
    }

    struct Sample {
        var promptIndex: Int
        var tokens: [Int]
        var mask: [Int]
        var aux: [Float]
        var last: [Float]
        var meta: [String: Any]
    }

    static func samples(_ out: URL) throws -> [Sample] {
        try (0..<2).flatMap { shard -> [Sample] in
            let name = String(format: "shard_%05d", shard)
            let file = try SafetensorsFile(out.appendingPathComponent(name + ".safetensors"))
            let lines = try String(contentsOf: out.appendingPathComponent(name + ".jsonl"), encoding: .utf8).split(separator: "\n")
            let (ids, mask, offsets, indices) = (try file.integers("input_ids"), try file.integers("loss_mask"),
                                                 try file.integers("offsets"), try file.integers("prompt_index"))
            let aux = try file.floatTensor("hidden_states"), last = try file.floatTensor("verifier_last_hidden_states")
            #expect(aux.shape == [ids.count, 3 * 64] && last.shape == [ids.count, 64] && mask.count == ids.count)
            #expect(offsets.first == 0 && offsets.last == ids.count && lines.count == indices.count)
            return try indices.indices.map { n in
                let rows = offsets[n]..<offsets[n + 1]
                return Sample(promptIndex: indices[n], tokens: Array(ids[rows]), mask: Array(mask[rows]),
                              aux: Array(UnsafeBufferPointer(start: aux.pointer + rows.lowerBound * 192, count: rows.count * 192)),
                              last: Array(UnsafeBufferPointer(start: last.pointer + rows.lowerBound * 64, count: rows.count * 64)),
                              meta: try JSONSerialization.jsonObject(with: Data(lines[n].utf8)) as! [String: Any])
            }
        }
    }

    /// Layers 1, 4, 6 (the aux layers asked for) and 8 (after the last) at every position.
    static func reference(_ model: LlamaModel, tokens: [Int]) throws -> (aux: [Float], last: [Float]) {
        (try capturedStates(model, tokens: tokens, layers: [1, 4, 6]), try capturedStates(model, tokens: tokens, layers: [8]))
    }

    /// bf16 rounding (2^-8 relative at most) plus F32 noise between kernels.
    static func expectClose(_ stored: [Float], _ reference: [Float]) {
        #expect(stored.count == reference.count)
        let worst = zip(stored, reference).map { abs($0 - $1) / (abs($1) * 0.0041 + 1e-4) }.max() ?? 0
        #expect(worst <= 1, "|stored − reference| reached \(worst)× the tolerance")
    }

    @Test func shardsHoldTheTargetsStatesAndResume() throws {
        let out = try ScratchDirectory.make(prefix: "eagle-distill")
        let result = try Self.distill(out)
        #expect(result.status == 0, "\(result.stderr)")
        let model = try LlamaModel(directory: Self.model)
        let samples = try Self.samples(out)
        #expect(samples.map(\.promptIndex) == [500, 501, 502])
        for sample in samples {
            let promptTokens = sample.meta["prompt_tokens"] as! Int
            let response = sample.tokens.count - promptTokens
            #expect(response == sample.meta["response_tokens"] as? Int && (1...6).contains(response))
            // Every row ran through the model (the engine generated one token past the limit).
            #expect(sample.mask == Array(repeating: 0, count: promptTokens) + Array(repeating: 1, count: response))
            let reference = try Self.reference(model, tokens: sample.tokens)
            Self.expectClose(sample.aux, reference.aux)
            Self.expectClose(sample.last, reference.last)
        }
        let settings = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("gen_config.json"))) as! [String: Any]
        #expect(settings["aux_layers"] as? [Int] == [1, 4, 6] && settings["index_offset"] as? Int == 500)

        let shard = out.appendingPathComponent("shard_00000.safetensors")
        let written = try FileManager.default.attributesOfItem(atPath: shard.path)[.modificationDate] as! Date
        let again = try Self.distill(out)
        #expect(again.status == 0 && again.stderr.contains("0 to make"), "\(again.stderr)")
        #expect(try FileManager.default.attributesOfItem(atPath: shard.path)[.modificationDate] as? Date == written)
        let changed = try Self.distill(out, ["--temperature", "0.5"])
        #expect(changed.status != 0 && changed.stderr.contains("different settings"), "\(changed.stderr)")
    }

    @Test func aStopTokenEndsTheResponseAndItsUnrunRowIsMasked() throws {
        let first = try ScratchDirectory.make(prefix: "eagle-distill")
        #expect(try Self.distill(first).status == 0)
        let full = try Self.samples(first)[0]
        let promptTokens = full.meta["prompt_tokens"] as! Int
        let stop = full.tokens[promptTokens + 2]
        try #require(!full.tokens[promptTokens..<(promptTokens + 2)].contains(stop), "the third response token must be new")

        let out = try ScratchDirectory.make(prefix: "eagle-distill")
        let result = try Self.distill(out, ["--stop-token-id", "\(stop)"])
        #expect(result.status == 0, "\(result.stderr)")
        let sample = try Self.samples(out)[0]
        #expect(sample.tokens == Array(full.tokens.prefix(promptTokens + 3)))
        #expect(sample.meta["stopped"] as? Bool == true)
        #expect(sample.mask == Array(repeating: 0, count: promptTokens) + [1, 1, 0])
        #expect(sample.last.suffix(64).allSatisfy { $0 == 0 })
        let reference = try Self.reference(try LlamaModel(directory: Self.model), tokens: Array(sample.tokens.dropLast()))
        Self.expectClose(Array(sample.last.dropLast(64)), reference.last)
    }

    @Test func badInputFailsWithAMessage() throws {
        let out = try ScratchDirectory.make(prefix: "eagle-distill")
        let layer = try Self.distill(out.appendingPathComponent("a"), ["--aux-layers", "1", "9"])
        #expect(layer.status != 0 && layer.stderr.contains("layer 9 is outside 0…8"), "\(layer.stderr)")
        let missing = try EagleBinary.run(["distill", "--model", Self.model.path, "--prompts", "/nonexistent.jsonl", "--out", out.path])
        #expect(missing.status != 0 && missing.stderr.contains("cannot read file"), "\(missing.stderr)")
    }
}
