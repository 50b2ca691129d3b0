/// Why a chat template could not be parsed or rendered; always names the template position.
public enum ChatTemplateError: Error, CustomStringConvertible, Equatable {
    /// The template is not valid Jinja, or uses something this interpreter does not implement.
    case syntax(String, line: Int, column: Int)
    /// Rendering failed (undefined attribute access, wrong operand types...).
    case evaluation(String, line: Int, column: Int)
    /// The template called `raise_exception(message)`.
    case raised(String, line: Int, column: Int)

    public var description: String {
        switch self {
        case let .syntax(message, line, column):
            return "template syntax error at line \(line), column \(column): \(message)"
        case let .evaluation(message, line, column):
            return "template error at line \(line), column \(column): \(message)"
        case let .raised(message, line, column):
            return "the template raised an exception at line \(line), column \(column): \(message)"
        }
    }

    static func syntax(_ message: String, at location: SourceLocation) -> ChatTemplateError {
        .syntax(message, line: location.line, column: location.column)
    }

    static func evaluation(_ message: String, at location: SourceLocation) -> ChatTemplateError {
        .evaluation(message, line: location.line, column: location.column)
    }
}
