import EagleLoading

/// A checkpoint viewed under a name prefix (`model.layers.3.`), so layer code names its
/// tensors as the layer declares them (`self_attn.q_proj.weight`).
struct ScopedCheckpoint {
    let checkpoint: Checkpoint
    let prefix: String

    func floatTensor(_ name: String, shape: [Int]) throws -> FloatTensor {
        try checkpoint.floatTensor(prefix + name, shape: shape)
    }

    func weightMatrix(_ name: String, shape: [Int]) throws -> WeightMatrix {
        try checkpoint.weightMatrix(prefix + name, shape: shape)
    }

    func optionalTensor(_ name: String, shape: [Int], present: Bool) throws -> FloatTensor? {
        present ? try floatTensor(name, shape: shape) : nil
    }

    /// `self_attn.{q,k,v,o}_proj` (+ biases), q/k/v fused; weights packed for the kernels.
    func attentionWeights(inputWidth: Int, queryRows: Int, kvRows: Int, hidden: Int, bias: Bool) throws -> AttentionWeights {
        AttentionWeights(
            qkv: WeightMatrix.stacking([try weightMatrix("self_attn.q_proj.weight", shape: [queryRows, inputWidth]),
                                        try weightMatrix("self_attn.k_proj.weight", shape: [kvRows, inputWidth]),
                                        try weightMatrix("self_attn.v_proj.weight", shape: [kvRows, inputWidth])])
                .packedForKernels(),
            qkvBias: bias ? fuseRows([try floatTensor("self_attn.q_proj.bias", shape: [queryRows]),
                                      try floatTensor("self_attn.k_proj.bias", shape: [kvRows]),
                                      try floatTensor("self_attn.v_proj.bias", shape: [kvRows])]) : nil,
            output: try weightMatrix("self_attn.o_proj.weight", shape: [hidden, queryRows]).packedForKernels(),
            outputBias: try optionalTensor("self_attn.o_proj.bias", shape: [hidden], present: bias))
    }

    /// `mlp.{gate,up,down}_proj` (+ biases), gate/up fused; weights packed for the kernels.
    func mlpWeights(hidden: Int, intermediate: Int, bias: Bool) throws -> MLPWeights {
        MLPWeights(
            gateUp: WeightMatrix.stacking([try weightMatrix("mlp.gate_proj.weight", shape: [intermediate, hidden]),
                                           try weightMatrix("mlp.up_proj.weight", shape: [intermediate, hidden])])
                .packedForKernels(),
            gateUpBias: bias ? fuseRows([try floatTensor("mlp.gate_proj.bias", shape: [intermediate]),
                                         try floatTensor("mlp.up_proj.bias", shape: [intermediate])]) : nil,
            down: try weightMatrix("mlp.down_proj.weight", shape: [hidden, intermediate]).packedForKernels(),
            downBias: try optionalTensor("mlp.down_proj.bias", shape: [hidden], present: bias))
    }
}

extension Checkpoint {
    func scoped(_ prefix: String) -> ScopedCheckpoint { ScopedCheckpoint(checkpoint: self, prefix: prefix) }
}

/// Concatenates tensors along their first dimension into one new buffer (fused biases).
func fuseRows(_ parts: [FloatTensor]) -> FloatTensor {
    let buffer = FloatBuffer.concatenating(parts.map { UnsafeBufferPointer(start: $0.pointer, count: $0.count) })
    return buffer.tensor(shape: [parts.reduce(0) { $0 + $1.shape[0] }] + parts[0].shape.dropFirst())
}
