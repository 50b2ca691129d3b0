import EagleLoading
import Foundation

/// Locations of the shared fixtures (`Tests/Fixtures`) and of the imported real model.
public enum TestPaths {
    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static var fixtures: URL { packageRoot.appendingPathComponent("Tests/Fixtures") }

    /// The imported SmolLM2-135M-Instruct (`Models/import-smollm2.sh` creates it).
    public static var smolLM2: URL {
        get throws {
            let url = packageRoot.appendingPathComponent("Models/SmolLM2-135M-Instruct")
            guard FileManager.default.fileExists(atPath: url.appendingPathComponent("model.safetensors").path) else {
                throw TestSetupError(message: "\(url.path) is missing: run Models/import-smollm2.sh")
            }
            return url
        }
    }
}

public struct TestSetupError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// Largest absolute elementwise difference.
public func maxAbsDifference<A: Collection, B: Collection>(_ a: A, _ b: B) -> Float
    where A.Element == Float, B.Element == Float {
    precondition(a.count == b.count, "sizes differ: \(a.count) vs \(b.count)")
    return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

extension SafetensorsFile {
    /// Row `i` of a 2-D float tensor.
    public func row(_ name: String, _ i: Int) throws -> [Float] {
        let t = try floatTensor(name)
        let width = t.shape.last!
        return Array(UnsafeBufferPointer(start: t.pointer + i * width, count: width))
    }
}
