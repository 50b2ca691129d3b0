// Library users need the chat and tokenizer types alongside the engine API.
@_exported import EagleTokenizer
