/// The BPE `model` of tokenizer.json: the vocabulary, the ranked merges and the merge loop of
/// the `tokenizers` crate (`Word::merge_all`), reproduced exactly.
struct BytePairEncoding: Sendable {
    /// Token → id.
    let vocabulary: [[Unicode.Scalar]: Int]
    /// Id → token (nil for ids the vocabulary skips).
    let tokensByID: [[Unicode.Scalar]?]
    /// Pair of ids (`left << 32 | right`) → `rank << 32 | merged id`.
    private let merges: [UInt64: UInt64]
    /// The id of every single-scalar token, the starting symbols of a word.
    private let singleScalarIDs: [Unicode.Scalar: Int]
    /// With `byte_fallback`: the ids of the `<0x00>`...`<0xFF>` tokens (nil when one is missing).
    private let byteFallbackIDs: [Int]?
    private let unknownTokenID: Int?
    private let fusesUnknownTokens: Bool
    /// Words that are themselves in the vocabulary skip the merges (Llama-3).
    private let ignoresMerges: Bool
    private let cache = WordCache(capacity: 10_000)

    /// The vocabulary entry of `id`.
    func token(for id: Int) -> [Unicode.Scalar]? {
        tokensByID.indices.contains(id) ? tokensByID[id] : nil
    }

    /// Appends the ids of `word`, one pre-tokenized piece.
    func encode(_ word: ScalarText, into ids: inout [Int]) {
        guard !word.isEmpty else { return }
        let key = Array(word)
        if ignoresMerges, let id = vocabulary[key] {
            ids.append(id)
            return
        }
        if let cached = cache.ids(for: key) {
            ids += cached
            return
        }
        var iterations = 0
        let merged = mergedIDs(initialIDs(word), iterations: &iterations)
        cache.store(merged, for: key)
        ids += merged
    }

    /// One id per scalar; unknown scalars become byte-fallback tokens, the unknown token
    /// (consecutive ones fused with `fuse_unk`) or nothing, in that order of preference.
    private func initialIDs(_ word: ScalarText) -> [Int] {
        var ids: [Int] = []
        ids.reserveCapacity(word.count)
        var pendingUnknown = false
        for scalar in word {
            if let id = singleScalarIDs[scalar] {
                if pendingUnknown, let unknown = unknownTokenID { ids.append(unknown) }
                pendingUnknown = false
                ids.append(id)
            } else if let byteIDs = byteFallbackIDs {
                UTF8.encode(scalar) { ids.append(byteIDs[Int($0)]) }
            } else if unknownTokenID != nil {
                if pendingUnknown && !fusesUnknownTokens, let unknown = unknownTokenID { ids.append(unknown) }
                pendingUnknown = true
            }
        }
        if pendingUnknown, let unknown = unknownTokenID { ids.append(unknown) }
        return ids
    }

    /// Applies the merges to `ids` lowest rank first (leftmost first among equal ranks), using a
    /// heap of candidate pairs with lazy invalidation over a linked list of symbols:
    /// O(n log n) for a word of n symbols. `iterations` counts the candidates popped.
    func mergedIDs(_ ids: [Int], iterations: inout Int) -> [Int] {
        let count = ids.count
        guard count > 1 else { return ids }
        var ids = ids
        var previous = Array(-1..<(count - 1))
        var next = Array(1...count)
        next[count - 1] = -1
        var removed = [Bool](repeating: false, count: count)
        var candidates = BinaryMinHeap<MergeCandidate>(capacity: count)
        func considerPair(at position: Int, nextPosition: Int) {
            if let merge = merges[Self.pairKey(ids[position], ids[nextPosition])] {
                candidates.insert(MergeCandidate(merge: merge, position: position))
            }
        }
        for position in 0..<(count - 1) { considerPair(at: position, nextPosition: position + 1) }

        while let candidate = candidates.popMin() {
            iterations += 1
            let position = candidate.position
            let right = next[position]
            // Skip candidates whose left or right symbol has changed since they were queued.
            guard !removed[position], right >= 0,
                  let current = merges[Self.pairKey(ids[position], ids[right])],
                  MergeCandidate.mergedID(of: current) == candidate.mergedID else {
                continue
            }
            ids[position] = candidate.mergedID
            removed[right] = true
            let afterRight = next[right]
            next[position] = afterRight
            if afterRight >= 0 { previous[afterRight] = position }
            if previous[position] >= 0 { considerPair(at: previous[position], nextPosition: position) }
            if afterRight >= 0 { considerPair(at: position, nextPosition: afterRight) }
        }
        return ids.indices.filter { !removed[$0] }.map { ids[$0] }
    }

    private static func pairKey(_ left: Int, _ right: Int) -> UInt64 {
        UInt64(UInt32(truncatingIfNeeded: left)) << 32 | UInt64(UInt32(truncatingIfNeeded: right))
    }
}

/// A queued merge of the symbol at `position` with its right neighbour, ordered by rank, then
/// position (the order of `tokenizers`' `Merge`).
private struct MergeCandidate: Comparable {
    /// `rank << 32 | position`: comparing it compares rank first.
    let order: UInt64
    let mergedID: Int

    init(merge: UInt64, position: Int) {
        order = merge & 0xFFFF_FFFF_0000_0000 | UInt64(position)
        mergedID = Self.mergedID(of: merge)
    }

    static func mergedID(of merge: UInt64) -> Int { Int(merge & 0xFFFF_FFFF) }

    var position: Int { Int(order & 0xFFFF_FFFF) }

    static func < (lhs: Self, rhs: Self) -> Bool { lhs.order < rhs.order }
}

extension BytePairEncoding {
    /// Reads a `model` object of type BPE.
    init(json: JSONNode) throws {
        let type = try json.optional("type")?.string() ?? "BPE"
        guard type == "BPE" else { throw json.unsupported(type: type, supported: ["BPE"]) }
        if let dropout = json.optional("dropout"), try dropout.number() != 0 {
            throw TokenizerError.unsupportedOption(file: json.file, key: dropout.path,
                                                   reason: "BPE dropout makes encoding random")
        }
        for affix in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let value = json.optional(affix), try !value.string().isEmpty {
                throw TokenizerError.unsupportedOption(file: json.file, key: value.path,
                                                       reason: "only byte-level BPE without word affixes is implemented")
            }
        }

        var vocabulary: [[Unicode.Scalar]: Int] = [:]
        for (token, id) in try json.required("vocab").members() {
            vocabulary[Array(token.unicodeScalars)] = try id.int()
        }
        self.vocabulary = vocabulary
        var tokensByID = [[Unicode.Scalar]?](repeating: nil, count: (vocabulary.values.max() ?? -1) + 1)
        for (token, id) in vocabulary where id >= 0 { tokensByID[id] = token }
        self.tokensByID = tokensByID
        singleScalarIDs = Dictionary(uniqueKeysWithValues: vocabulary.compactMap { token, id in
            token.count == 1 ? (token[0], id) : nil
        })
        merges = try Self.readMerges(json.required("merges"), vocabulary: vocabulary)

        if let unknown = json.optional("unk_token") {
            guard let id = vocabulary[Array(try unknown.string().unicodeScalars)] else {
                throw TokenizerError.unknownToken(file: json.file, key: unknown.path, token: try unknown.string())
            }
            unknownTokenID = id
        } else {
            unknownTokenID = nil
        }
        fusesUnknownTokens = try json.optional("fuse_unk")?.bool() ?? false
        ignoresMerges = try json.optional("ignore_merges")?.bool() ?? false
        if try json.optional("byte_fallback")?.bool() ?? false {
            let ids = (0...255).map { byte in
                vocabulary[Array(("<0x" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true) + ">").unicodeScalars)]
            }
            byteFallbackIDs = ids.allSatisfy { $0 != nil } ? ids.compactMap { $0 } : nil
        } else {
            byteFallbackIDs = nil
        }
    }

    /// `merges`: `["a b", ...]` (lines starting with `#version` skipped) or `[["a", "b"], ...]`.
    /// A pair listed twice keeps its last rank, like the `tokenizers` crate.
    private static func readMerges(_ json: JSONNode, vocabulary: [[Unicode.Scalar]: Int]) throws -> [UInt64: UInt64] {
        var merges: [UInt64: UInt64] = [:]
        var rank: UInt64 = 0
        for entry in try json.array() {
            let pair: [String]
            if let line = entry.value as? String {
                if line.hasPrefix("#version") { continue }
                pair = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
                guard pair.count == 2 else {
                    throw TokenizerError.invalidMerge(file: json.file, key: entry.path, merge: line)
                }
            } else {
                pair = try entry.array().map { try $0.string() }
                guard pair.count == 2 else { throw entry.invalid("a pair of tokens") }
            }
            func id(_ token: String) throws -> Int {
                guard let id = vocabulary[Array(token.unicodeScalars)] else {
                    throw TokenizerError.unknownMergeToken(file: json.file, key: entry.path,
                                                           merge: pair.joined(separator: " "), token: token)
                }
                return id
            }
            let left = try id(pair[0]), right = try id(pair[1]), merged = try id(pair[0] + pair[1])
            merges[pairKey(left, right)] = rank << 32 | UInt64(merged)
            rank += 1
        }
        return merges
    }
}
