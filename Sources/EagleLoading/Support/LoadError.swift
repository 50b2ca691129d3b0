/// Errors raised while reading checkpoint files. Every case names the file, and the tensor
/// when one is involved.
public enum LoadError: Error, Equatable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case truncated(file: String, reason: String)
    case headerLengthPastEnd(file: String, headerLength: UInt64, fileSize: Int)
    case invalidHeader(file: String, reason: String)
    case unknownDType(file: String, tensor: String, dtype: String)
    case offsetsOutOfRange(file: String, tensor: String, begin: Int, end: Int, dataSize: Int)
    case overlappingTensors(file: String, tensor: String, other: String)
    case byteCountMismatch(file: String, tensor: String, shape: [Int], dtype: String, expected: Int, actual: Int)
    case missingTensor(tensor: String, files: [String])
    case shapeMismatch(file: String, tensor: String, expected: [Int], actual: [Int])
    case dtypeMismatch(file: String, tensor: String, expected: String, actual: String)
    case unusedTensors(file: String, tensors: [String])
    case invalidValue(file: String, tensor: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read file: \(reason)"
        case .truncated(let file, let reason):
            return "\(file): file is truncated: \(reason)"
        case .headerLengthPastEnd(let file, let length, let size):
            return "\(file): header length \(length) runs past the end of the file (\(size) bytes)"
        case .invalidHeader(let file, let reason):
            return "\(file): invalid header: \(reason)"
        case .unknownDType(let file, let tensor, let dtype):
            return "\(file): tensor '\(tensor)' has unsupported dtype '\(dtype)'"
        case .offsetsOutOfRange(let file, let tensor, let begin, let end, let size):
            return "\(file): tensor '\(tensor)' data offsets [\(begin), \(end)) are outside the data section (\(size) bytes)"
        case .overlappingTensors(let file, let tensor, let other):
            return "\(file): tensor '\(tensor)' overlaps tensor '\(other)'"
        case .byteCountMismatch(let file, let tensor, let shape, let dtype, let expected, let actual):
            return "\(file): tensor '\(tensor)' with shape \(shape) and dtype \(dtype) needs \(expected) bytes but has \(actual)"
        case .missingTensor(let tensor, let files):
            return "missing tensor '\(tensor)' (looked in \(files.joined(separator: ", ")))"
        case .shapeMismatch(let file, let tensor, let expected, let actual):
            return "\(file): tensor '\(tensor)' has shape \(actual), expected \(expected)"
        case .dtypeMismatch(let file, let tensor, let expected, let actual):
            return "\(file): tensor '\(tensor)' has dtype \(actual), expected \(expected)"
        case .unusedTensors(let file, let tensors):
            return "\(file): unexpected tensors (wrong checkpoint format?): \(tensors.prefix(8).joined(separator: ", "))"
                + (tensors.count > 8 ? " and \(tensors.count - 8) more" : "")
        case .invalidValue(let file, let tensor, let reason):
            return "\(file): tensor '\(tensor)': \(reason)"
        }
    }
}
