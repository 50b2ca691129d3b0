// Library users need the chat and tokenizer types alongside the engine API.
@_exported import EagleTokenizer

import EagleLoading

/// How the target's matmul weights are kept in memory (`EngineOptions.weightDType`).
public typealias WeightDType = EagleLoading.WeightDType
