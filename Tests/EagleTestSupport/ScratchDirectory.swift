import Foundation

/// Temporary directories for tests, all removed when the test process exits (tests that map a
/// file keep it until then; a crash leaves them in the system temporary directory).
public enum ScratchDirectory {
    /// A new empty directory `<tmp>/<prefix>-<uuid>`.
    public static func make(prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        registry.add(url)
        return url
    }

    private static let registry = Registry()

    private final class Registry: @unchecked Sendable {
        private let lock = NSLock()
        private var urls: [URL] = []

        init() {
            atexit { ScratchDirectory.registry.removeAll() }
        }

        func add(_ url: URL) {
            lock.withLock { urls.append(url) }
        }

        func removeAll() {
            lock.withLock {
                for url in urls { try? FileManager.default.removeItem(at: url) }
                urls.removeAll()
            }
        }
    }
}
