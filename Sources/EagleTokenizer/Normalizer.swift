import Foundation

/// The `normalizer` of tokenizer.json: Unicode normalization forms, possibly in a `Sequence`.
indirect enum Normalizer: Sendable {
    case nfc, nfd, nfkc, nfkd
    case sequence([Normalizer])

    static let supportedTypes = ["NFC", "NFD", "NFKC", "NFKD", "Sequence"]

    /// `text` normalized.
    func apply(to text: ScalarText) -> [Unicode.Scalar] {
        Array(apply(to: String(scalars: text)).unicodeScalars)
    }

    private func apply(to text: String) -> String {
        switch self {
        case .nfc: return text.precomposedStringWithCanonicalMapping
        case .nfd: return text.decomposedStringWithCanonicalMapping
        case .nfkc: return text.precomposedStringWithCompatibilityMapping
        case .nfkd: return text.decomposedStringWithCompatibilityMapping
        case .sequence(let steps): return steps.reduce(text) { $1.apply(to: $0) }
        }
    }
}

extension Normalizer {
    /// Reads a `normalizer` object.
    init(json: JSONNode) throws {
        let type = try json.componentType()
        switch type {
        case "NFC": self = .nfc
        case "NFD": self = .nfd
        case "NFKC": self = .nfkc
        case "NFKD": self = .nfkd
        case "Sequence": self = .sequence(try json.required("normalizers").array().map(Normalizer.init(json:)))
        default: throw json.unsupported(type: type, supported: Self.supportedTypes)
        }
    }
}
