import SibylCore

/// Maps a feature name, given as UTF-8 bytes, to its column without building a `String`, and a category
/// name sent for a categorical feature to its code.
///
/// Request decoding looks a name up for every key of every record, so the names are kept as one byte
/// blob with an open-addressing table of FNV-1a hashes: a lookup hashes the key once and compares bytes.
public struct FeatureIndex: Sendable {
    /// Feature names in column order.
    public let names: [String]
    private let blob: [UInt8]
    /// Start of each name in `blob`, plus the end of the last one.
    private let offsets: [Int]
    /// Column + 1 per slot, 0 for an empty slot; the size is a power of two at least twice the names.
    private let slots: [Int32]
    /// Per column, what a text cell there means; empty when every column takes numbers only.
    private let textCells: [TextColumn]
    /// The columns that take any text, and those that take whole numbers only.
    private let anyTextColumns: [Int]
    private let wholeNumberColumns: [Int]
    /// LightGBM stores a feature name's spaces as `_`: a key with spaces that matches no name is tried so.
    private let spacesAsUnderscores: Bool
    /// The value of a feature a request leaves out: missing (NaN), or 0 for a model of sparse records (an
    /// ONNX `DictVectorizer`'s, which reads an absent key as 0). A `null` sent is missing either way.
    public let absentValue: Float

    private enum TextColumn: Sendable {
        case number, codes
        /// A number that must be whole (`FeatureType.wholeNumber`).
        case wholeNumber
        /// The column's category names, each at its code.
        case names(FeatureIndex)
        /// Any text, known by its CatBoost hash: the code of each hash the model knows.
        case hashed([Int32: Float])
    }

    /// The index of a model's features: their names, their categories, and LightGBM's rule for spaces.
    /// `knownHashes` gives, for a column that takes any text, the hashes the model knows, at their codes.
    public init(schema: ModelSchema, knownHashes: [Int: [Int32]] = [:], absentValue: Float = .nan) {
        self.init(
            names: schema.featureNames, types: schema.featureTypes ?? [],
            spacesAsUnderscores: schema.format == .lightgbmText, knownHashes: knownHashes, absentValue: absentValue)
    }

    /// `types` empty means every feature is a number.
    public init(
        names: [String], types: [FeatureType] = [], spacesAsUnderscores: Bool = false, knownHashes: [Int: [Int32]] = [:],
        absentValue: Float = .nan
    ) {
        precondition(types.isEmpty || types.count == names.count)
        self.absentValue = absentValue
        textCells = types.indices.map { column in
            let type = types[column]
            if type.takesAnyText == true {
                let hashes = knownHashes[column] ?? []
                return .hashed(Dictionary(zip(hashes, hashes.indices.lazy.map(Float.init)), uniquingKeysWith: { first, _ in first }))
            }
            if type.wholeNumber == true { return .wholeNumber }
            return !type.isCategory ? .number : type.categories.isEmpty ? .codes : .names(FeatureIndex(names: type.categories))
        }
        anyTextColumns = types.indices.filter { types[$0].takesAnyText == true }
        wholeNumberColumns = types.indices.filter { types[$0].wholeNumber == true }
        self.spacesAsUnderscores = spacesAsUnderscores
        self.names = names
        var blob: [UInt8] = []
        var offsets = [0]
        for name in names {
            blob.append(contentsOf: name.utf8)
            offsets.append(blob.count)
        }
        var size = 8
        while size < names.count * 2 { size *= 2 }
        var slots = [Int32](repeating: 0, count: size)
        blob.withUnsafeBufferPointer { blob in
            for column in names.indices {
                let name = UnsafeBufferPointer(rebasing: blob[offsets[column]..<offsets[column + 1]])
                var slot = Self.hash(name) & (size - 1)
                // A repeated name keeps its first column, so lookups are stable.
                while slots[slot] != 0 {
                    if name.elementsEqual(blob[offsets[Int(slots[slot]) - 1]..<offsets[Int(slots[slot])]]) { break }
                    slot = (slot + 1) & (size - 1)
                }
                if slots[slot] == 0 { slots[slot] = Int32(column + 1) }
            }
        }
        self.blob = blob
        self.offsets = offsets
        self.slots = slots
    }

    /// The column of the feature named by `key`, or nil.
    public func column(of key: UnsafeBufferPointer<UInt8>) -> Int? {
        if let column = exactColumn(of: key) { return column }
        guard spacesAsUnderscores, key.contains(0x20) else { return nil }
        let underscored = key.map { $0 == 0x20 ? UInt8(ascii: "_") : $0 }
        return underscored.withUnsafeBufferPointer { exactColumn(of: $0) }
    }

    /// What a text cell sent for a feature means.
    public enum TextCell: Equatable {
        /// A category's code, or NaN (missing) for a category the model never saw in training, as the
        /// training libraries read one.
        case code(Float)
        /// The feature is a number: text is no value for it.
        case notACategory
        /// The feature is a category the model knows by code only.
        case codesOnly
    }

    /// What `text` means in `column`.
    public func meaning(of text: UnsafeBufferPointer<UInt8>, column: Int) -> TextCell {
        guard !textCells.isEmpty else { return .notACategory }
        switch textCells[column] {
        case .number, .wholeNumber: return .notACategory
        case .codes: return .codesOnly
        case .names(let categories): return .code(categories.exactColumn(of: text).map(Float.init) ?? .nan)
        case .hashed(let codes): return .code(codes[CityHash.category(text)] ?? .nan)
        }
    }

    /// Whether `column` takes any text (a CatBoost category), so that even a cell that reads as a number
    /// is a category's text.
    public func takesAnyText(column: Int) -> Bool {
        guard !textCells.isEmpty, case .hashed = textCells[column] else { return false }
        return true
    }

    /// Whether `column` takes whole numbers only (`FeatureType.wholeNumber`).
    public func takesWholeNumbers(column: Int) -> Bool {
        guard !textCells.isEmpty, case .wholeNumber = textCells[column] else { return false }
        return true
    }

    /// The refusal of `number` (its text) for a feature of whole numbers.
    static func notWholeNumber(_ field: String, _ number: UnsafeBufferPointer<UInt8>) -> SibylError {
        SibylError(.invalidInput, "\(field) takes whole numbers (the model's input is an integer), not \(PredictionInput.excerpt(number))")
    }

    /// The code of a whole number sent for a column that takes any text, which CatBoost's Python package
    /// reads as its decimal text (`str(3)`); nil for a number that is not whole (it refuses those).
    public func code(ofWholeNumber value: Double, column: Int) -> Float? {
        guard value == value.rounded(), abs(value) < 0x1p53 else { return nil }
        var text = String(Int64(value))
        return text.withUTF8 { text in
            guard case .code(let code) = meaning(of: text, column: column) else { return nil }
            return code
        }
    }

    /// `matrix`, a request's numbers alone (the inference protocol's tensors), as the model's features take
    /// them: in the columns that take any text, read as categories, as `code(ofWholeNumber:)` reads them; a
    /// number that is not whole there, or in a column of whole numbers, is refused naming its feature.
    public func readingNumbers(of matrix: FeatureMatrix) throws(SibylError) -> FeatureMatrix {
        for row in 0..<matrix.rows {
            for column in wholeNumberColumns {
                let value = matrix.values[row * matrix.columns + column]
                guard value.isNaN || value == value.rounded() else {
                    var text = "\(value)"
                    throw text.withUTF8 { Self.notWholeNumber("row \(row): feature \"\(names[column])\"", $0) }
                }
            }
        }
        guard !anyTextColumns.isEmpty else { return matrix }
        var values = matrix.values
        for row in 0..<matrix.rows {
            for column in anyTextColumns {
                let value = values[row * matrix.columns + column]
                guard !value.isNaN else { continue }
                guard let code = code(ofWholeNumber: Double(value), column: column) else {
                    var text = "\(value)"
                    throw text.withUTF8 { PredictionInput.notWhole("row \(row): feature \"\(names[column])\"", $0) }
                }
                values[row * matrix.columns + column] = code
            }
        }
        return FeatureMatrix(rows: matrix.rows, columns: matrix.columns, values: values, absentColumns: matrix.absentColumns)
    }

    private func exactColumn(of key: UnsafeBufferPointer<UInt8>) -> Int? {
        let mask = slots.count - 1
        var slot = Self.hash(key) & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { return nil }
            let start = offsets[entry - 1]
            if offsets[entry] - start == key.count && matches(key, at: start) { return entry - 1 }
            slot = (slot + 1) & mask
        }
    }

    private func matches(_ key: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        for index in key.indices where blob[start + index] != key[index] { return false }
        return true
    }

    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return Int(truncatingIfNeeded: hash ^ (hash >> 32))
    }
}
