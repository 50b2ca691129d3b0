/// The `tojson` filter of transformers: Python's `json.dumps(value, ensure_ascii, indent,
/// separators, sort_keys)` (not Jinja's HTML-escaping one).
struct JinjaJSON {
    /// Indentation per level; nil keeps everything on one line.
    var indent: String?
    var itemSeparator: String
    var keySeparator: String
    var sortsKeys = false
    var escapesNonASCII = false

    /// Python's defaults: `", "` between items on one line, `","` when indenting.
    init(indent: String?, separators: (item: String, key: String)? = nil) {
        self.indent = indent
        itemSeparator = separators?.item ?? (indent == nil ? ", " : ",")
        keySeparator = separators?.key ?? ": "
    }

    func encode(_ value: JinjaValue, level: Int = 0) throws -> String {
        switch value {
        case .none: return "null"
        case .boolean(let flag): return flag ? "true" : "false"
        case .integer(let integer): return String(integer)
        case .float(let number):
            if number.isNaN { return "NaN" }
            if number.isInfinite { return number < 0 ? "-Infinity" : "Infinity" }
            return JinjaValue.pythonRepresentation(of: number)
        case .string(let string): return quoted(string)
        case .list(let elements), .tuple(let elements):
            return try container("[", "]", elements.map { try encode($0, level: level + 1) }, level: level)
        case .dictionary(let dictionary):
            let entries = sortsKeys ? dictionary.entries.sorted { $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) }
                : dictionary.entries
            return try container("{", "}", entries.map { quoted($0.key) + keySeparator + (try encode($0.value, level: level + 1)) },
                                 level: level)
        case .undefined, .namespace, .function:
            throw JinjaRuntimeError("Object of type \(value.typeName) is not JSON serializable")
        }
    }

    private func container(_ open: String, _ close: String, _ items: [String], level: Int) -> String {
        guard !items.isEmpty else { return open + close }
        guard let indent else { return open + items.joined(separator: itemSeparator) + close }
        let inner = "\n" + String(repeating: indent, count: level + 1)
        let outer = "\n" + String(repeating: indent, count: level)
        return open + inner + items.joined(separator: itemSeparator + inner) + outer + close
    }

    private func quoted(_ string: String) -> String {
        var result = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            case _ where scalar.value < 0x20 || (escapesNonASCII && scalar.value > 0x7E):
                for unit in String(scalar).utf16 {
                    let hex = String(unit, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                }
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
