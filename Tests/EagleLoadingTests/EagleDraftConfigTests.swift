import EagleKernels
import Foundation
import Testing
import EagleLoading

private func draftConfig(_ json: String) throws -> EagleDraftConfig {
    try EagleDraftConfig(json: JSONFile(data: Data(json.utf8), file: "config.json"))
}

private let layer = """
{"model_type": "llama", "hidden_size": 64, "intermediate_size": 128, "num_attention_heads": 4, "num_key_value_heads": 2,
 "head_dim": 16, "rms_norm_eps": 1e-5, "vocab_size": 512, "num_hidden_layers": 1, "rope_theta": 500000.0}
"""

/// The config adapter's translation rules (EAGLE3_SPEC.md §1.2, §1.3, §2.1, §2.5).
@Suite struct EagleDraftConfigTests {
    @Test func speculatorsFormat() throws {
        let c = try draftConfig("""
        {"speculators_model_type": "eagle3", "architectures": ["Eagle3DraftModel"], "transformer_layer_config": \(layer),
         "draft_vocab_size": 128, "norm_before_residual": false, "target_hidden_size": 64,
         "eagle_aux_hidden_state_layer_ids": [1, 5, 3],
         "speculators_config": {"proposal_methods": [{"proposal_type": "greedy", "speculative_tokens": 3}],
                                "verifier": {"name_or_path": "x"}}}
        """)
        #expect(c.method == .eagle3)
        #expect(c.format == .speculators)
        #expect(c.layerPrefix == "layers.0.")
        #expect(c.draftVocabSize == 128 && c.vocabSize == 512)
        #expect(c.headDim == 16 && c.kvHeadCount == 2)
        #expect(c.ropeTheta == 500_000)
        #expect(!c.normBeforeResidual)
        #expect(c.auxLayerIDs == [1, 5, 3])
        #expect(c.numSpeculativeTokens == 3)
    }

    @Test func speculatorsDefaultsFollowVLLM() throws {
        // vLLM's adapter: norm_before_residual defaults to true when the key is absent;
        // no speculative token count anywhere → 5; no draft_vocab_size → vocab_size.
        let c = try draftConfig(#"{"speculators_model_type": "eagle3", "transformer_layer_config": \#(layer)}"#)
        #expect(c.normBeforeResidual)
        #expect(c.numSpeculativeTokens == 5)
        #expect(c.draftVocabSize == 512)
        #expect(c.auxLayerIDs == nil)
        #expect(!c.normBeforeFC && !c.fcNorm && !c.normOutput)
    }

    @Test func originalFormat() throws {
        let c = try draftConfig("""
        {"architectures": ["LlamaForCausalLMEagle3"], "model_type": "llama", "hidden_size": 64, "intermediate_size": 128,
         "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 32, "num_hidden_layers": 1, "rms_norm_eps": 1e-5,
         "vocab_size": 512, "draft_vocab_size": 128}
        """)
        #expect(c.format == .original)
        #expect(c.layerPrefix == "midlayer.")
        #expect(c.headDim == 16)            // the original repo ignores head_dim: H / nH
        #expect(c.ropeTheta == 10_000)      // EAGLE-3 training's RoPE base when absent
        #expect(!c.normBeforeResidual)
        #expect(c.numSpeculativeTokens == 5)
    }

    @Test func registryAndErrors() throws {
        #expect(EagleDraftRegistry.resolve(architectures: ["Eagle3LlamaForCausalLM"], modelType: "")?.1 == .eagle3)
        #expect(EagleDraftRegistry.resolve(architectures: ["EagleLlamaForCausalLM"], modelType: "")?.1 == .eagle)
        #expect(EagleDraftRegistry.resolve(architectures: ["X"], modelType: "eagle3")?.1 == .eagle3)
        #expect(throws: ConfigError.unsupportedArchitecture(file: "config.json", found: "MistralForCausalLM",
                                                             supported: EagleDraftRegistry.supported)) {
            try draftConfig(#"{"architectures": ["MistralForCausalLM"], "hidden_size": 64}"#)
        }
        #expect(throws: ConfigError.invalidValue(file: "config.json", path: "speculators_model_type",
                                                  reason: "unsupported 'medusa' (supported: eagle3)")) {
            try draftConfig(#"{"speculators_model_type": "medusa", "transformer_layer_config": \#(layer)}"#)
        }
        #expect(throws: ConfigError.invalidValue(file: "config.json", path: "draft_vocab_size",
                                                  reason: "1024 exceeds vocab_size 512")) {
            try draftConfig(#"{"speculators_model_type": "eagle3", "draft_vocab_size": 1024, "transformer_layer_config": \#(layer)}"#)
        }
        #expect(throws: ConfigError.missingField(file: "config.json", path: "transformer_layer_config.hidden_size")) {
            try draftConfig(#"{"speculators_model_type": "eagle3", "transformer_layer_config": {"model_type": "llama"}}"#)
        }
    }
}
