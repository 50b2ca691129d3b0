/// The filters of `value | name(arguments)`: Jinja2's built-ins that chat templates use, and
/// transformers' `tojson`.
enum JinjaFilters {
    static let names: Set<String> = [
        "abs", "capitalize", "count", "d", "default", "first", "float", "int", "items", "join", "last", "length",
        "list", "lower", "map", "reject", "rejectattr", "replace", "reverse", "select", "selectattr", "string",
        "title", "tojson", "trim", "upper",
    ]

    static func apply(_ name: String, to value: JinjaValue, positional: [JinjaValue],
                      keyword: [(name: String, value: JinjaValue)]) throws -> JinjaValue {
        let arguments = JinjaArgumentList(positional: positional, keyword: keyword, function: name)
        switch name {
        case "abs":
            if case .float(let number) = value { return .float(Swift.abs(number)) }
            guard let integer = value.integer else { throw JinjaRuntimeError("abs needs a number") }
            return .integer(Swift.abs(integer))
        case "capitalize": return .string(value.text.pythonCapitalized())
        case "count", "length": return .integer(try length(of: value))
        case "d", "default":
            let useDefault = value.isUndefined || (arguments.optionalBoolean(1, "boolean") == true && !value.isTruthy)
            return useDefault ? arguments.optional(0, "default_value") ?? .string("") : value
        case "first": return try JinjaOperators.elements(of: value).first ?? .undefined("no first item")
        case "last": return try JinjaOperators.elements(of: value).last ?? .undefined("no last item")
        case "float": return .float(Double(value.text.pythonStripped()) ?? value.number ?? 0)
        case "int": return integer(from: value, default: arguments.optional(0, "default") ?? .integer(0))
        case "items":
            switch value {
            case .undefined: return .list([])
            case .dictionary: return try JinjaMethods.call("items", on: value, positional: [], keyword: [])
            default: throw JinjaRuntimeError("can only get item pairs from a mapping")
            }
        case "join":
            var elements = try JinjaOperators.elements(of: value)
            if let attribute = try arguments.optionalString(1, "attribute") {
                elements = try elements.map { try member(path: attribute, of: $0) }
            }
            return .string(elements.map(\.text).joined(separator: try arguments.optionalString(0, "d") ?? ""))
        case "list": return .list(try JinjaOperators.elements(of: value))
        case "lower": return .string(value.text.lowercased())
        case "upper": return .string(value.text.uppercased())
        case "title": return .string(titleCased(value.text))
        case "trim": return .string(value.text.pythonStripped(try arguments.optionalString(0, "chars")))
        case "string": return .string(value.text)
        case "replace":
            return .string(value.text.pythonReplacing(try arguments.string(0, "old"), with: try arguments.string(1, "new"),
                                                      count: try arguments.optionalInteger(2, "count") ?? -1))
        case "reverse":
            if case .string(let text) = value { return .string(String(scalars: text.unicodeScalars.reversed())) }
            return .list(try JinjaOperators.elements(of: value).reversed())
        case "select", "reject":
            return .list(try JinjaOperators.elements(of: value).filter {
                try passes($0, testArguments: positional) == (name == "select")
            })
        case "selectattr", "rejectattr":
            let attribute = try arguments.string(0, "attribute")
            return .list(try JinjaOperators.elements(of: value).filter {
                try passes(try member(path: attribute, of: $0), testArguments: Array(positional.dropFirst())) == (name == "selectattr")
            })
        case "map":
            let elements = try JinjaOperators.elements(of: value)
            if case .string(let attribute)? = arguments.keyword("attribute") {
                let fallback = arguments.keyword("default")
                return .list(try elements.map {
                    let found = try member(path: attribute, of: $0)
                    return found.isUndefined ? fallback ?? found : found
                })
            }
            guard case .string(let filter)? = positional.first, names.contains(filter) else {
                throw JinjaRuntimeError("map needs attribute= or the name of a filter")
            }
            return .list(try elements.map { try apply(filter, to: $0, positional: Array(positional.dropFirst()), keyword: keyword) })
        default:  // tojson
            return .string(try json(value, arguments))
        }
    }

    private static func length(of value: JinjaValue) throws -> Int {
        switch value {
        case .string(let text): return text.unicodeScalars.count
        case .list(let elements), .tuple(let elements): return elements.count
        case .dictionary(let dictionary): return dictionary.count
        case .undefined: return 0
        default: throw JinjaRuntimeError("object of type '\(value.typeName)' has no len()")
        }
    }

    /// Jinja's `int`: Python's `int()`, else `int(float())` ("42.5" gives 42), else the default.
    private static func integer(from value: JinjaValue, default fallback: JinjaValue) -> JinjaValue {
        if let integer = value.integer { return .integer(integer) }
        let number: Double?
        switch value {
        case .float(let float): number = float
        case .string(let text):
            let digits = String(scalars: text.pythonStripped().unicodeScalars.filter { $0 != "_" })
            if let integer = Int(digits) { return .integer(integer) }
            number = Double(digits)
        default: number = nil
        }
        guard let number, number.isFinite, Swift.abs(number) < 9.2e18 else { return fallback }
        return .integer(Int(number))
    }

    /// Jinja's `title`: each word (split at whitespace, `-`, `(`, `{`, `[`, `<`) upper-cased first.
    private static func titleCased(_ text: String) -> String {
        var result = "", atWordStart = true
        for scalar in text.unicodeScalars {
            let isDelimiter = scalar.isPythonWhitespace || "-({[<".unicodeScalars.contains(scalar)
            result += isDelimiter ? String(scalar) : atWordStart ? scalar.properties.uppercaseMapping : scalar.properties.lowercaseMapping
            atWordStart = isDelimiter
        }
        return result
    }

    /// `select`/`reject`: the test named by the first argument (truthiness when none).
    private static func passes(_ value: JinjaValue, testArguments: [JinjaValue]) throws -> Bool {
        guard case .string(let test)? = testArguments.first else { return value.isTruthy }
        guard JinjaTestPredicates.names.contains(test) else { throw JinjaRuntimeError("no test named '\(test)'") }
        return try JinjaTestPredicates.apply(test, to: value, arguments: Array(testArguments.dropFirst()))
    }

    /// `attribute="a.b"` of `selectattr`, `map`, `join`.
    private static func member(path: String, of value: JinjaValue) throws -> JinjaValue {
        try path.split(separator: ".").reduce(value) { object, name in
            if let index = Int(name) { return try JinjaOperators.item(.integer(index), of: object) }
            return try JinjaOperators.member(String(name), of: object)
        }
    }

    /// `tojson(ensure_ascii=False, indent=None, separators=None, sort_keys=False)`.
    private static func json(_ value: JinjaValue, _ arguments: JinjaArgumentList) throws -> String {
        let indent: String?
        switch arguments.optional(1, "indent") {
        case nil, .none?: indent = nil
        case .string(let text)?: indent = text
        case let width?:
            guard let spaces = width.integer else { throw JinjaRuntimeError("tojson: indent must be a number or a string") }
            indent = String(repeating: " ", count: max(0, spaces))
        }
        var separators: (item: String, key: String)?
        if let pair = arguments.optional(2, "separators"), !pair.isNone {
            let parts = try JinjaOperators.elements(of: pair)
            guard parts.count == 2, case .string(let item) = parts[0], case .string(let key) = parts[1] else {
                throw JinjaRuntimeError("tojson: separators must be a pair of strings")
            }
            separators = (item, key)
        }
        var encoder = JinjaJSON(indent: indent, separators: separators)
        encoder.escapesNonASCII = arguments.optionalBoolean(0, "ensure_ascii") ?? false
        encoder.sortsKeys = arguments.optionalBoolean(3, "sort_keys") ?? false
        return try encoder.encode(value)
    }
}
