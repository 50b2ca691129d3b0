import Foundation

/// The ids of recently encoded words, shared by all threads using one tokenizer.
///
/// Bounded: when `capacity` words are stored it starts over, so memory stays flat however much
/// text is encoded. Sendable because every access to `storage` holds `lock`.
final class WordCache: @unchecked Sendable {
    /// Words this long (in scalars) or longer are not cached, like the `tokenizers` crate.
    static let maximumWordLength = 256

    private let capacity: Int
    private let lock = NSLock()
    private var storage: [[Unicode.Scalar]: [Int]] = [:]

    init(capacity: Int) {
        self.capacity = capacity
    }

    func ids(for word: [Unicode.Scalar]) -> [Int]? {
        lock.withLock { storage[word] }
    }

    func store(_ ids: [Int], for word: [Unicode.Scalar]) {
        guard word.count < Self.maximumWordLength else { return }
        lock.withLock {
            if storage.count >= capacity { storage.removeAll(keepingCapacity: true) }
            storage[word] = ids
        }
    }
}
