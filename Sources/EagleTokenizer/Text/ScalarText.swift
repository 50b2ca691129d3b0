/// Text as a slice of Unicode scalars: the unit every added-token, normalization, regex,
/// pre-tokenizer and BPE step works on (the Rust `char` of `tokenizers`). Indices are absolute
/// positions in the underlying array, so ranges found in a piece stay valid for that piece.
typealias ScalarText = ArraySlice<Unicode.Scalar>

extension String {
    /// The string made of exactly these scalars (no normalization).
    init(scalars: some Sequence<Unicode.Scalar>) {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        self.init(view)
    }
}
