import EagleKernels
import Foundation
import Testing
import EagleLoading

private func config(_ json: String) throws -> LlamaConfig {
    try LlamaConfig(json: JSONFile(data: Data(json.utf8), file: "config.json"))
}

private let base = """
"architectures": ["LlamaForCausalLM"], "vocab_size": 100, "hidden_size": 64, "intermediate_size": 128,
"num_hidden_layers": 2, "num_attention_heads": 4
"""

@Suite struct LlamaConfigTests {
    @Test func transformers4Layout() throws {
        let c = try config("""
        {\(base), "num_key_value_heads": 2, "rms_norm_eps": 1e-5, "rope_theta": 500000.0,
         "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                          "original_max_position_embeddings": 8192},
         "tie_word_embeddings": true, "eos_token_id": [128001, 128009], "bos_token_id": 128000}
        """)
        #expect(c.kvHeadCount == 2)
        #expect(c.headDim == 16)
        #expect(c.ropeTheta == 500_000)
        #expect(c.ropeScaling == .llama3(factor: 8, lowFrequencyFactor: 1, highFrequencyFactor: 4, originalMaxPositions: 8192))
        #expect(c.tieWordEmbeddings)
        #expect(c.eosTokenIDs == [128001, 128009])
        #expect(c.bosTokenID == 128000)
    }

    @Test func transformers5Layout() throws {
        let c = try config("""
        {\(base), "head_dim": 32, "eos_token_id": 2, "attention_bias": true, "mlp_bias": true,
         "rope_parameters": {"rope_type": "default", "rope_theta": 100000.0}}
        """)
        #expect(c.kvHeadCount == 4)
        #expect(c.headDim == 32)
        #expect(c.ropeTheta == 100_000)
        #expect(c.ropeScaling == RopeScaling.none)
        #expect(c.eosTokenIDs == [2])
        #expect(c.attentionBias && c.mlpBias)
        #expect(c.rmsNormEpsilon == 1e-6)
    }

    @Test func missingFieldIsNamed() throws {
        let error = #expect(throws: ConfigError.self) {
            try config(#"{"architectures": ["LlamaForCausalLM"], "vocab_size": 10, "intermediate_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2}"#)
        }
        #expect(error == .missingField(file: "config.json", path: "hidden_size"))
        #expect(error?.description == "config.json: missing field 'hidden_size'")
    }

    @Test func missingNestedRopeFieldIsNamed() throws {
        #expect(throws: ConfigError.missingField(file: "config.json", path: "rope_scaling.low_freq_factor")) {
            try config(#"{\#(base), "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}}"#)
        }
    }

    @Test func unsupportedArchitecture() throws {
        #expect(throws: ConfigError.unsupportedArchitecture(file: "config.json", found: "MistralForCausalLM", supported: ["LlamaForCausalLM"])) {
            try config(#"{"architectures": ["MistralForCausalLM"], "vocab_size": 1}"#)
        }
    }

    @Test func unsupportedRopeType() throws {
        #expect(throws: ConfigError.invalidValue(file: "config.json", path: "rope_scaling.rope_type",
                                                  reason: "unsupported rope type 'yarn' (supported: default, linear, llama3)")) {
            try config(#"{\#(base), "rope_scaling": {"rope_type": "yarn", "factor": 4.0}}"#)
        }
    }

    @Test func wrongTypeAndBadGrouping() throws {
        #expect(throws: ConfigError.wrongType(file: "config.json", path: "hidden_size", expected: "an integer")) {
            try config(#"{"architectures": ["LlamaForCausalLM"], "vocab_size": 1, "hidden_size": "64"}"#)
        }
        #expect(throws: ConfigError.invalidValue(file: "config.json", path: "num_key_value_heads",
                                                  reason: "3 does not divide num_attention_heads 4")) {
            try config("{\(base), \"num_key_value_heads\": 3}")
        }
    }

    @Test func singleLayerCountIsAnInteger() throws {
        // JSON 1 must not be mistaken for a boolean.
        let c = try config(#"{"architectures": ["LlamaForCausalLM"], "vocab_size": 100, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 1, "num_attention_heads": 1}"#)
        #expect(c.layerCount == 1)
        #expect(c.headCount == 1)
    }
}
