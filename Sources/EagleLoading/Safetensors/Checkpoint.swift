import Foundation

/// The safetensors weights of one model directory: a single `model.safetensors`, a sharded
/// set listed by `model.safetensors.index.json`, or every `*.safetensors` file present.
///
/// Lookups remember which tensors were used, so a loader can reject unexpected tensors
/// (usually a sign of a wrong name mapping) with `checkAllUsed()`.
public final class Checkpoint: @unchecked Sendable {
    public let directory: URL
    public let files: [SafetensorsFile]
    /// How `weightMatrix` keeps matmul weights.
    public let weightDType: WeightDType
    private let owner: [String: SafetensorsFile]
    private var used = Set<String>()
    private let lock = NSLock()

    public var tensorNames: [String] { owner.keys.sorted() }

    public init(directory: URL, weightDType: WeightDType = .auto) throws {
        self.directory = directory
        self.weightDType = weightDType
        let index = directory.appendingPathComponent("model.safetensors.index.json")
        if FileManager.default.fileExists(atPath: index.path) {
            (files, owner) = try Self.openSharded(index: index, directory: directory)
        } else {
            (files, owner) = try Self.openAll(directory: directory)
        }
    }

    private static func openSharded(index: URL, directory: URL) throws
        -> ([SafetensorsFile], [String: SafetensorsFile]) {
        let weightMap = try JSONFile(index).object("weight_map")
        var shardOf: [String: String] = [:]
        for key in weightMap.keys { shardOf[key] = try weightMap.string(key) }
        var shards: [String: SafetensorsFile] = [:]
        for shard in Set(shardOf.values).sorted() {
            shards[shard] = try SafetensorsFile(directory.appendingPathComponent(shard))
        }
        var owner: [String: SafetensorsFile] = [:]
        for (tensor, shard) in shardOf {
            guard let file = shards[shard], file.tensors[tensor] != nil else {
                throw LoadError.missingTensor(tensor: tensor, files: [directory.appendingPathComponent(shard).path])
            }
            owner[tensor] = file
        }
        return (shards.keys.sorted().map { shards[$0]! }, owner)
    }

    private static func openAll(directory: URL) throws -> ([SafetensorsFile], [String: SafetensorsFile]) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
                .filter { $0.hasSuffix(".safetensors") }.sorted()
        } catch {
            throw LoadError.unreadable(file: directory.path, reason: "cannot list the directory")
        }
        guard !names.isEmpty else {
            throw LoadError.unreadable(file: directory.path, reason: "no *.safetensors file in the directory")
        }
        let files = try names.map { try SafetensorsFile(directory.appendingPathComponent($0)) }
        var owner: [String: SafetensorsFile] = [:]
        for file in files {
            for name in file.tensors.keys {
                if let other = owner[name] {
                    throw LoadError.invalidHeader(file: file.path, reason: "tensor '\(name)' also appears in \(other.path)")
                }
                owner[name] = file
            }
        }
        return (files, owner)
    }

    /// Whether the checkpoint has a tensor of this name.
    public func contains(_ name: String) -> Bool { owner[name] != nil }

    /// Header entry of a tensor.
    public func info(_ name: String) throws -> SafetensorsFile.TensorInfo {
        try file(for: name).info(name)
    }

    /// A float tensor whose shape must equal `shape` (when given).
    public func floatTensor(_ name: String, shape: [Int]? = nil) throws -> FloatTensor {
        try file(for: name, shape: shape).floatTensor(name)
    }

    /// A matmul weight (stored as `weightDType` says) whose shape must equal `shape`.
    public func weightMatrix(_ name: String, shape: [Int]) throws -> WeightMatrix {
        try file(for: name, shape: shape).weightMatrix(name, dtype: weightDType)
    }

    /// An integer table (I64/I32).
    public func integers(_ name: String) throws -> [Int] { try file(for: name).integers(name) }

    /// A boolean mask.
    public func booleans(_ name: String) throws -> [Bool] { try file(for: name).booleans(name) }

    /// Throws `LoadError.unusedTensors` if some tensors were never read (ignoring `allowed`).
    public func checkAllUsed(ignoring allowed: (String) -> Bool = { _ in false }) throws {
        let unused = lock.withLock { owner.keys.filter { !used.contains($0) && !allowed($0) }.sorted() }
        if !unused.isEmpty {
            throw LoadError.unusedTensors(file: directory.path, tensors: unused)
        }
    }

    /// The file holding `name`, after checking the tensor's shape against `shape` (when given).
    private func file(for name: String, shape: [Int]?) throws -> SafetensorsFile {
        let file = try file(for: name)
        guard let shape else { return file }
        let actual = try file.info(name).shape
        if actual != shape { throw LoadError.shapeMismatch(file: file.path, tensor: name, expected: shape, actual: actual) }
        return file
    }

    private func file(for name: String) throws -> SafetensorsFile {
        guard let file = owner[name] else {
            throw LoadError.missingTensor(tensor: name, files: files.map(\.path))
        }
        lock.withLock { _ = used.insert(name) }
        return file
    }
}
