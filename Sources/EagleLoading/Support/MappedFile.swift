import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory map of a whole file; unmapped when released.
public final class MappedFile: @unchecked Sendable {
    public let url: URL
    public let base: UnsafeRawPointer
    public let count: Int

    /// Maps `url` read-only. Throws `LoadError.unreadable` naming the file on failure.
    public init(_ url: URL) throws {
        self.url = url
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { throw LoadError.unreadable(file: url.path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw LoadError.unreadable(file: url.path, reason: String(cString: strerror(errno)))
        }
        count = Int(info.st_size)
        if count == 0 {
            base = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 64))
            return
        }
        #if os(Linux)
        let flags = MAP_PRIVATE | MAP_POPULATE   // weights are read in full: fault them in now, not mid-decode
        #else
        let flags = MAP_PRIVATE
        #endif
        guard let pointer = mmap(nil, count, PROT_READ, flags, fd, 0), pointer != MAP_FAILED else {
            throw LoadError.unreadable(file: url.path, reason: String(cString: strerror(errno)))
        }
        base = UnsafeRawPointer(pointer)
    }

    deinit {
        if count == 0 {
            UnsafeMutableRawPointer(mutating: base).deallocate()
        } else {
            munmap(UnsafeMutableRawPointer(mutating: base), count)
        }
    }
}
