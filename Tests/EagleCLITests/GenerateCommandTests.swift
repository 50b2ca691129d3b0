import EagleLoading
import EagleTestSupport
import Foundation
import Testing

/// Runs the built `eagle` binary, as a user would.
enum EagleBinary {
    static var url: URL {
        // The test bundle sits next to the products of the same build.
        let products = Bundle.main.bundleURL.deletingLastPathComponent()
        let candidates = [products.appendingPathComponent("eagle"),
                          TestPaths.packageRoot.appendingPathComponent(".build/release/eagle")]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], stdin: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }
}

@Suite(.serialized) struct GenerateCommandTests {
    var model: String { get throws { try TestPaths.smolLM2.path } }

    @Test func jsonOutputHasTheDocumentedFields() throws {
        let result = try EagleBinary.run(["generate", "--model", model, "--no-chat", "--max-tokens", "6", "--json", "The sky is"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        for key in ["prompt_token_ids", "token_ids", "text", "finish_reason", "prefill_tokens_per_second", "decode_tokens_per_second"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect((object["token_ids"] as? [Int])?.count == 6)
        #expect(object["finish_reason"] as? String == "length")
    }

    /// Greedy chat generation equals transformers' greedy continuation of the same rendered
    /// prompt (fixture case 0), up to the first near-tie (margin < 0.05).
    @Test func greedyChatMatchesTransformers() throws {
        let reference = try SafetensorsFile(TestPaths.fixtures.appendingPathComponent("smollm2_reference.safetensors"))
        let info = try JSONSerialization.jsonObject(with: Data(contentsOf: TestPaths.fixtures.appendingPathComponent("smollm2_reference.json"))) as! [String: Any]
        let messages = ((info["cases"] as! [[String: Any]])[0]["messages"] as! [[String: String]])
        let result = try EagleBinary.run(["generate", "--model", model, "--system", messages[0]["content"]!, "--max-tokens", "48",
                                          "--json", messages[1]["content"]!])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["prompt_token_ids"] as? [Int] == (try reference.integers("case0.input_ids")))
        let margins = try reference.floatTensor("case0.greedy_margin").values
        let comparable = margins.firstIndex { $0 < 0.05 } ?? margins.count
        let expected = try reference.integers("case0.greedy_ids").prefix(comparable)
        let tokens = try #require(object["token_ids"] as? [Int])
        #expect(Array(tokens.prefix(comparable)) == Array(expected))
    }

    @Test func promptFromStandardInputAndStreaming() throws {
        let result = try EagleBinary.run(["generate", "--model", model, "--no-chat", "--max-tokens", "5"], stdin: "Once upon a time")
        #expect(result.status == 0)
        #expect(!result.stdout.isEmpty)
        #expect(result.stderr.contains("generated 5 tokens"))
    }

    @Test func badFlagsFailWithAMessage() throws {
        let result = try EagleBinary.run(["generate", "--model", model, "--temperature", "-1", "hi"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("temperature"))
        let missing = try EagleBinary.run(["generate", "--model", "/nonexistent", "hi"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("/nonexistent"))
    }

    @Test func tokenizeAndDetokenizeRoundTrip() throws {
        let tokens = try EagleBinary.run(["tokenize", "--model", model, "--json", "Hello 123"])
        #expect(tokens.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(tokens.stdout.utf8)) as? [String: Any])
        let ids = try #require(object["ids"] as? [Int])
        #expect((object["tokens"] as? [String])?.count == ids.count)
        let text = try EagleBinary.run(["detokenize", "--model", model] + ids.map(String.init))
        #expect(text.stdout == "Hello 123\n")
    }

    static func promptFile(_ lines: [String]) throws -> String {
        let url = try ScratchDirectory.make(prefix: "eagle-prompts").appendingPathComponent("prompts.jsonl")
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func promptFileRunsEveryPromptInOrder() throws {
        let file = try Self.promptFile([#"{"prompt": "Name a color.", "chat": true}"#, #"{"prompt": "def add(a, b):", "chat": false}"#])
        let result = try EagleBinary.run(["generate", "--model", model, "--prompts", file, "--max-tokens", "4", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        let second = try #require(try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        let prompt = try #require(second["prompt_token_ids"] as? [Int])
        let raw = try EagleBinary.run(["tokenize", "--model", model, "--json", "def add(a, b):"])
        let expected = try #require(try JSONSerialization.jsonObject(with: Data(raw.stdout.utf8)) as? [String: Any])
        #expect(prompt == expected["ids"] as? [Int])
        #expect((second["token_ids"] as? [Int])?.count == 4)
    }

    @Test func benchReportsAcceptanceAndForwardCosts() throws {
        let file = try Self.promptFile([#"{"prompt": "The sky is", "chat": false}"#, #"{"prompt": "Name a fruit.", "chat": true}"#])
        let head = TestPaths.packageRoot.appendingPathComponent("Models/SmolLM2-135M-Instruct-EAGLE3").path
        let result = try EagleBinary.run(["bench", "--model", model, "--draft", head, "--prompts", file, "--max-tokens", "12",
                                          "--num-speculative-tokens", "3", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["outputs_identical"] as? Bool == true)
        #expect(object["num_speculative_tokens"] as? Int == 3)
        #expect((object["num_drafts"] as? Int ?? 0) > 0)
        let (decode, verify) = (object["decode_forward_ms_in_run"] as? Double ?? 0, object["verify_forward_ms_in_run"] as? Double ?? 0)
        #expect(decode > 0 && verify > 0)
        let ratio = try #require(object["verify_forward_cost_ratio_in_run"] as? Double)
        #expect(abs(ratio - verify / decode) < 1e-9 * ratio)
        let (plain, speculative) = (object["baseline_decode_tokens_per_second"] as? Double ?? 0,
                                    object["speculative_decode_tokens_per_second"] as? Double ?? 0)
        #expect(plain > 0 && speculative > 0)
        let decodeSpeedup = try #require(object["decode_speedup"] as? Double)
        #expect(abs(decodeSpeedup - speculative / plain) < 1e-9 * decodeSpeedup)
        #expect((object["baseline_ttft_seconds"] as? Double ?? 0) > 0 && (object["speculative_ttft_seconds"] as? Double ?? 0) > 0)
        for key in ["mean_acceptance_length", "per_position_acceptance_rate", "speedup", "verify_forward_cost_ratio",
                    "decode_over_sgemv_probe", "draft_seconds", "target_seconds"] {
            #expect(object[key] != nil, "missing \(key)")
        }
    }

    @Test func benchConcurrencyReportsThroughputAndIdenticalOutputs() throws {
        let file = try Self.promptFile([#"{"prompt": "The sky is", "chat": false}"#, #"{"prompt": "Once upon a time", "chat": false}"#,
                                        #"{"prompt": "Name a fruit.", "chat": true}"#])
        let result = try EagleBinary.run(["bench", "--model", model, "--prompts", file, "--max-tokens", "6", "--concurrency", "2",
                                          "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        for key in ["output_tokens_per_second", "solo_output_tokens_per_second", "throughput_ratio", "mean_ttft_seconds",
                    "p99_itl_seconds", "steps", "mean_batch_size", "preemptions", "peak_kv_usage"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(object["outputs_identical"] as? Bool == true)
        #expect(object["completed"] as? Int == 3)
        #expect(object["max_batch_size"] as? Int == 2)
    }

    @Test func speculationFlagsConflict() throws {
        let result = try EagleBinary.run(["generate", "--model", model, "--no-speculation", "--draft", "/tmp", "hi"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--no-speculation"))
        for flags in [["--no-speculation", "--prompt-lookup-min", "3"], ["--prompt-lookup-min", "65"],
                      ["--prompt-lookup-min", "3", "--speculative-config", #"{"model": "/tmp"}"#],
                      ["--prompt-lookup-tokens", "16"], ["--no-speculation", "--prompt-lookup-tokens", "4"]] {
            let lookup = try EagleBinary.run(["generate", "--model", model] + flags + ["hi"])
            #expect(lookup.status != 0, "\(flags)")
            #expect(lookup.stderr.contains("--prompt-lookup") || lookup.stderr.contains("prompt_lookup"), "\(lookup.stderr)")
        }
        for flags in [["--draft-siblings", "16"], ["--no-speculation", "--draft-siblings", "1"],
                      ["--draft-siblings", "2", "--speculative-config", #"{"model": "/tmp"}"#]] {
            let tree = try EagleBinary.run(["generate", "--model", model] + flags + ["hi"])
            #expect(tree.status != 0, "\(flags)")
            #expect(tree.stderr.contains("--draft-siblings") || tree.stderr.contains("draft_siblings"), "\(tree.stderr)")
        }
        let bench = try EagleBinary.run(["bench", "--model", model, "--prompts", "/nonexistent.jsonl", "--concurrency", "0"])
        #expect(bench.status != 0)
        #expect(bench.stderr.contains("--concurrency"))
    }

    /// Prompt lookup drafts beside the shipped head by default; `--prompt-lookup-min 0` turns
    /// it off; the output is the same greedy text either way.
    @Test func promptLookupDraftsRepeatedText() throws {
        func run(_ extra: [String]) throws -> (tokens: [Int], lookupDrafts: Int) {
            let result = try EagleBinary.run(["generate", "--no-chat", "--max-tokens", "24", "--json"] + extra
                                             + ["1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1,"])
            #expect(result.status == 0, "\(result.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            return (try #require(object["token_ids"] as? [Int]), try #require(object["num_lookup_drafts"] as? Int))
        }
        let lookup = try run([]), head = try run(["--prompt-lookup-min", "0"]), plain = try run(["--no-speculation"])
        #expect(lookup.tokens == plain.tokens && head.tokens == plain.tokens)
        #expect(lookup.lookupDrafts > 0)
        #expect(head.lookupDrafts == 0 && plain.lookupDrafts == 0)
    }

    /// Greedy requests verify draft-tree leaves by default; `--draft-siblings 0` turns them off;
    /// the output is the same greedy text either way.
    @Test func draftSiblingsLeaveTheOutputUnchanged() throws {
        func run(_ extra: [String]) throws -> (tokens: [Int], leaves: Int) {
            let result = try EagleBinary.run(["generate", "--max-tokens", "48", "--prompt-lookup-min", "0", "--json"] + extra
                                             + ["Explain why the sky is blue."])
            #expect(result.status == 0, "\(result.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            return (try #require(object["token_ids"] as? [Int]), try #require(object["num_accepted_siblings"] as? Int))
        }
        let tree = try run([]), wide = try run(["--draft-siblings", "4"]), chain = try run(["--draft-siblings", "0"])
        let plain = try EagleBinary.run(["generate", "--max-tokens", "48", "--no-speculation", "--json", "Explain why the sky is blue."])
        let plainTokens = try #require(try JSONSerialization.jsonObject(with: Data(plain.stdout.utf8)) as? [String: Any])["token_ids"] as? [Int]
        #expect(tree.tokens == plainTokens && wide.tokens == plainTokens && chain.tokens == plainTokens)
        #expect(wide.leaves > 0 && chain.leaves == 0)
    }

    /// The default model speculates with the head shipped in `Models/`, unless told not to.
    @Test func defaultModelUsesTheShippedHead() throws {
        func drafts(_ extra: [String]) throws -> Int {
            let result = try EagleBinary.run(["generate", "--no-chat", "--max-tokens", "12", "--json"] + extra + ["The sky is"])
            #expect(result.status == 0, "\(result.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            return try #require(object["num_drafts"] as? Int)
        }
        #expect(try drafts([]) > 0)
        #expect(try drafts(["--no-speculation"]) == 0)
    }
}
