import EagleModels

/// The hidden states entering `layers` (a layer id equal to the layer count: after the last
/// layer, before the final norm) at every position of `tokens`, from one forward over them:
/// `[positions, layers.count × hidden]`, the layers side by side in the order given.
public func capturedStates(_ model: LlamaModel, tokens: [Int], layers: [Int]) throws -> [Float] {
    let context = LlamaContext(model: model, cacheCapacity: max(tokens.count, 1))
    try context.captureHiddenStates(enteringLayers: layers)
    var batch = ForwardBatch()
    batch.append(sequence: context.cache.addSequence(), tokens: tokens, startPosition: 0)
    try context.forward(batch)
    let h = model.config.hiddenSize
    let captured = layers.map { context.capturedHiddenStates(context.capturedLayers.firstIndex(of: $0)!) }
    var values: [Float] = []
    values.reserveCapacity(tokens.count * layers.count * h)
    for position in tokens.indices {
        for states in captured { values.append(contentsOf: states[(position * h)..<((position + 1) * h)]) }
    }
    return values
}
