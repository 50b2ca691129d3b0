import CBLASShim

/// Splits work across the CBLAS shim's persistent worker threads (no thread creation; one
/// 32-byte allocation per call, `withoutActuallyEscaping`'s, so keep it out of per-row loops).
public enum Parallel {
    /// Number of shares work is split into (the `part` values `forEach` passes).
    public static var parts: Int { Int(eagle_parallel_parts()) }

    /// Calls `body(range, part)` for ranges covering `0..<count` (boundaries are multiples of
    /// `grain`), concurrently; returns when all are done. Ranges are handed out on demand, so
    /// `body` may run several times with the same `part` (never concurrently).
    public static func forEach(_ count: Int, grain: Int = 1, _ body: (Range<Int>, Int) -> Void) {
        withoutActuallyEscaping(body) { escapable in
            // A concrete box keeps the closure at its own abstraction (a bare closure stored
            // through a generic pointer gets a heap-allocated reabstraction thunk per call).
            withUnsafePointer(to: Task(body: escapable)) { pointer in
                eagle_parallel_for_balanced({ context, begin, end, part in
                    context!.assumingMemoryBound(to: Task.self).pointee.body(Int(begin)..<Int(end), Int(part))
                }, UnsafeMutableRawPointer(mutating: pointer), Int32(count), Int32(grain))
            }
        }
    }

    private struct Task {
        let body: (Range<Int>, Int) -> Void
    }
}
