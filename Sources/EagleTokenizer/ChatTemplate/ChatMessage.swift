/// One message of a conversation.
public struct ChatMessage: Sendable, Codable, Equatable {
    /// "system", "user", "assistant"...
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}
