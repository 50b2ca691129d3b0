/// The target's hidden states at every position of a finished request, recorded while it
/// generated (`EngineOptions.recordHiddenStates`): the self-distillation data an EAGLE-3
/// head trains on, with no second forward pass.
public struct HiddenStateRecord: Sendable, Equatable {
    /// Recorded layer ids, in the order of `EngineOptions.recordHiddenStates`: `k` is the
    /// residual stream entering layer `k`, the layer count is the stream after the last layer
    /// (before the final norm).
    public var layers: [Int]
    /// Values per layer and position (the model's hidden size).
    public var hiddenSize: Int
    /// `[positions, layers.count × hiddenSize]`, row-major: the layers' states side by side for
    /// every prompt and completion token except the last completion token, which the model
    /// never runs.
    public var values: [Float]

    public init(layers: [Int], hiddenSize: Int, values: [Float]) {
        precondition(values.count % (layers.count * hiddenSize) == 0, "values do not split into rows")
        self.layers = layers
        self.hiddenSize = hiddenSize
        self.values = values
    }

    /// Values per position.
    public var width: Int { layers.count * hiddenSize }

    /// Positions recorded.
    public var positions: Int { values.count / width }

    /// The state of `layers[layer]` at `position`.
    public func state(position: Int, layer: Int) -> ArraySlice<Float> {
        let start = position * width + layer * hiddenSize
        return values[start..<(start + hiddenSize)]
    }
}
