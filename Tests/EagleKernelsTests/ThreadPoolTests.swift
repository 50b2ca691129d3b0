import CBLASShim
import Foundation
import Synchronization
import Testing

/// The shim's pool hands out every share of a job exactly once, whichever threads claim them,
/// also while another busy thread competes for the cores (workers get descheduled, and the
/// caller then claims their shares).
@Suite(.serialized) struct ThreadPoolTests {
    /// Per-index hit counts of one job, filled by the C callback.
    struct Hits {
        var counts: UnsafeMutablePointer<Int32>
        var parts: UnsafeMutablePointer<Int32>
        var caller: pthread_t
        /// Set when a share ran on a worker thread.
        var byWorker: UnsafeMutablePointer<Int32>
    }

    /// Runs `rounds` jobs; returns the failures and how many jobs a worker took part in.
    static func run(balanced: Bool, rounds: Int) -> (failures: [String], workerJobs: Int) {
        let capacity = 700
        let counts = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
        let parts = UnsafeMutablePointer<Int32>.allocate(capacity: 64)
        let byWorker = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        defer { counts.deallocate(); parts.deallocate(); byWorker.deallocate() }
        var hits = Hits(counts: counts, parts: parts, caller: pthread_self(), byWorker: byWorker)
        var failures: [String] = []
        var workerJobs = 0
        let body: @convention(c) (UnsafeMutableRawPointer?, Int32, Int32, Int32) -> Void = { context, begin, end, part in
            let hits = context!.assumingMemoryBound(to: Hits.self).pointee
            hits.parts[Int(part)] += 1
            if pthread_equal(pthread_self(), hits.caller) == 0 { hits.byWorker.pointee = 1 }
            for i in Int(begin)..<Int(end) {
                // About a microsecond per index, so that workers wake in time to take part.
                var x = Double(i)
                for _ in 0..<300 { x = x * 0.999_999 + 1 }
                hits.counts[i] += x > 0 ? 1 : 2
            }
        }
        for round in 0..<rounds where failures.count < 5 {
            let count = 1 + (round * 37) % capacity, grain = 1 + round % 9
            counts.initialize(repeating: 0, count: capacity)
            parts.initialize(repeating: 0, count: 64)
            byWorker.pointee = 0
            withUnsafeMutablePointer(to: &hits) { pointer in
                if balanced {
                    eagle_parallel_for_balanced(body, pointer, Int32(count), Int32(grain))
                } else {
                    eagle_parallel_for(body, pointer, Int32(count), Int32(grain))
                }
            }
            let seen = Array(UnsafeBufferPointer(start: counts, count: count))
            if let i = seen.firstIndex(where: { $0 != 1 }) {
                failures.append("round \(round): index \(i) of \(count) ran \(seen[i]) times")
            }
            workerJobs += Int(byWorker.pointee)
            let shares = Int(eagle_parallel_parts())
            if !balanced, let p = (0..<shares).first(where: { parts[$0] > 1 }) {
                failures.append("round \(round): static part \(p) ran \(parts[p]) times")
            }
        }
        return (failures, workerJobs)
    }

    @Test(arguments: [false, true])
    func everyIndexRunsOnce(balanced: Bool) {
        let result = Self.run(balanced: balanced, rounds: 2000)
        #expect(result.failures == [])
        if eagle_parallel_parts() > 1 { #expect(result.workerJobs > 0, "no share ever ran on a worker") }
    }

    @Test(arguments: [false, true])
    func everyIndexRunsOnceWhileAnotherThreadHogsACore(balanced: Bool) {
        let hog = Hog()
        Thread { while !hog.stop.load(ordering: .relaxed) {} }.start()
        let failures = Self.run(balanced: balanced, rounds: 2000).failures
        hog.stop.store(true, ordering: .relaxed)
        #expect(failures == [])
    }
}

/// A flag that ends a busy-looping thread.
final class Hog: Sendable {
    let stop = Atomic<Bool>(false)
}
