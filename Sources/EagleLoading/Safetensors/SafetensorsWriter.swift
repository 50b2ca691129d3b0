import Foundation

/// Writes `.safetensors` files (used by the model importer and by tests).
public struct SafetensorsWriter {
    /// One tensor to write: raw little-endian bytes of `dtype` elements.
    public struct Entry {
        public let name: String
        public let dtype: DType
        public let shape: [Int]
        public let bytes: Data

        public init(name: String, dtype: DType, shape: [Int], bytes: Data) {
            precondition(shape.reduce(1, *) * dtype.size == bytes.count, "\(name): shape and byte count disagree")
            self.name = name
            self.dtype = dtype
            self.shape = shape
            self.bytes = bytes
        }

        /// An F32 entry from floats.
        public static func float32(_ name: String, shape: [Int], values: [Float]) -> Entry {
            Entry(name: name, dtype: .f32, shape: shape, bytes: values.withUnsafeBytes { Data($0) })
        }
    }

    /// The header JSON and data layout for `entries`, in name order.
    public static func header(for entries: [Entry], metadata: [String: String] = [:]) -> Data {
        var offset = 0
        var parts: [String] = []
        if !metadata.isEmpty {
            let items = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            parts.append("\"__metadata__\":{\(items.joined(separator: ","))}")
        }
        for entry in entries.sorted(by: { $0.name < $1.name }) {
            let end = offset + entry.bytes.count
            parts.append("\(jsonString(entry.name)):{\"dtype\":\"\(entry.dtype.rawValue)\",\"shape\":\(entry.shape),\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var header = Data("{\(parts.joined(separator: ","))}".utf8)
        while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }
        return header
    }

    /// Writes `entries` to `url` atomically (a temporary file renamed into place).
    public static func write(_ entries: [Entry], to url: URL, metadata: [String: String] = [:]) throws {
        let header = header(for: entries, metadata: metadata)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw LoadError.unreadable(file: temporary.path, reason: "cannot create file")
        }
        let handle = try FileHandle(forWritingTo: temporary)
        var length = UInt64(header.count).littleEndian
        try handle.write(contentsOf: Data(bytes: &length, count: 8))
        try handle.write(contentsOf: header)
        for entry in entries.sorted(by: { $0.name < $1.name }) { try handle.write(contentsOf: entry.bytes) }
        try handle.close()
        _ = try? FileManager.default.removeItem(at: url)
        try FileManager.default.moveItem(at: temporary, to: url)
    }

    static func jsonString(_ s: String) -> String {
        let data = try! JSONSerialization.data(withJSONObject: [s], options: [.withoutEscapingSlashes])
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }
}
