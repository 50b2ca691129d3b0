import CBLASShim

/// Splits work across the CBLAS shim's persistent worker threads (no thread creation,
/// no allocation per call).
public enum Parallel {
    /// Number of shares work is split into (the `part` values `forEach` passes).
    public static var parts: Int { Int(eagle_parallel_parts()) }

    /// Calls `body(range, part)` for ranges covering `0..<count` (boundaries are multiples of
    /// `grain`), concurrently; returns when all are done. Ranges are handed out on demand, so
    /// `body` may run several times with the same `part` (never concurrently).
    public static func forEach(_ count: Int, grain: Int = 1, _ body: (Range<Int>, Int) -> Void) {
        withoutActuallyEscaping(body) { escapable in
            var task = escapable
            withUnsafeMutablePointer(to: &task) { pointer in
                eagle_parallel_for_balanced({ context, begin, end, part in
                    let body = context!.assumingMemoryBound(to: ((Range<Int>, Int) -> Void).self).pointee
                    body(Int(begin)..<Int(end), Int(part))
                }, pointer, Int32(count), Int32(grain))
            }
        }
    }
}
