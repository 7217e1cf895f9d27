import SibylCore

/// What a CatBoost model knows of its categorical features, and each question its trees ask.
///
/// CatBoost keeps no category names: a category is the low 32 bits of its text's CityHash (`CityHash`),
/// named in one-hot splits and, through `CalcHash`, in the keys of the CTR tables (`ctr_data`). Each hash
/// the model knows gets a code per feature (its place in `hashes`), and every one-hot value and CTR is
/// evaluated once per code here, so that a tree asks of a category only whether its code is in a set.
/// A category the model never saw, or none, answers as CatBoost answers for an unseen hash: no one-hot
/// value matches, and a CTR is its prior.
struct CatBoostCategories {
    /// Per categorical feature (`feature_index`), the hashes it knows, each at its code.
    private(set) var hashes: [[Int32]]
    private var ctrs: [Ctr] = []
    /// The CTRs' combinations of features, each a column after the model's own.
    private(set) var combinations = CatBoostCombinations(combinations: [], columns: 0)
    /// The `split_index` of the first CTR border: CatBoost numbers binary features as every float
    /// feature's borders, then every one-hot value, then every CTR's borders.
    private let firstCtrSplit: Int
    private let columns: [Int32]
    /// The category questions already asked, by what names them: trees ask the same ones again, and
    /// answering one takes a pass over every code.
    private var asked: [AskedKey: Question] = [:]
    /// Codes answered so far, summed over the distinct questions: each becomes a set of a bit per code in
    /// the compiled model, so a file of many categories and many CTR borders could otherwise claim
    /// gigabytes. 2^28 bits is 32 MiB of sets (a million categories asked 256 distinct questions).
    private var answered = 0
    static let maxAnswers = 1 << 28

    private struct AskedKey: Hashable {
        var ctrSplit: Bool
        var index: Int
        var value: UInt64
    }

    /// One CTR of `features_info.ctrs`: the column its questions read (a categorical feature's, or a
    /// combination's after the model's own), its value for each code there and for an unseen category.
    private struct Ctr {
        var column: Int32
        var borders: [Float]
        var values: [Float]
        var unseen: Float
    }

    /// A question of an oblivious tree: its answer is bit i of the leaf index.
    struct Question {
        var column: Int32
        var kind: Kind

        enum Kind {
            /// `value > border`; a missing value answers `missingIsTrue`.
            case border(Double, missingIsTrue: Bool)
            /// The answer of each code, and of an unseen or missing category.
            case categories([Bool], unseen: Bool)
        }
    }

    /// For the `FeatureIndex`: each categorical column's hashes at their codes.
    var knownHashes: [Int: [Int32]] {
        Dictionary(uniqueKeysWithValues: zip(columns.map(Int.init), hashes))
    }

    init(_ info: ModelField, root: ModelField, columns: CatBoostColumns) throws(SibylError) {
        self.columns = columns.categorical
        let categorical = try info.optionalElements("categorical_features")
        let floats = try info.optionalElements("float_features")
        var known = [[Int32]](repeating: [], count: categorical.count)
        var seen = [Set<Int32>](repeating: [], count: categorical.count)
        func know(_ hash: Int32, _ feature: Int) {
            if seen[feature].insert(hash).inserted { known[feature].append(hash) }
        }
        var oneHotCount = 0
        for (feature, field) in categorical.enumerated() {
            guard let values = try field.optionalMember("values") else { continue }
            for hash in try values.integers() {
                guard let hash = Int32(exactly: hash) else { throw values.invalid("\(hash) is not a 32-bit category hash") }
                know(hash, feature)
                oneHotCount += 1
            }
        }
        var borderCount = 0
        for field in floats { borderCount += try field.optionalMember("borders")?.elements().count ?? 0 }
        firstCtrSplit = borderCount + oneHotCount

        // The CTR tables: per CTR, what it is over and the counts of each key it keeps, in the file's order.
        let ctrData = try root.optionalMember("ctr_data")
        var tables: [(over: Over, field: ModelField, counts: [(key: UInt64, row: [Int])], stride: Int, denominator: Int)] = []
        var combinations: [[Element]] = []
        var combinationIndex: [[Element]: Int] = [:]
        var combinationKeys: [[UInt64: Int32]] = []
        var alone = Set<Int>()
        var elementCount = 0
        for field in try info.optionalElements("ctrs") {
            let elements = try field.optionalElements("elements").map { element throws(SibylError) in
                try Self.element(element, categorical: categorical.count, floats: floats.count)
            }
            guard !elements.isEmpty, elements.contains(where: { if case .category = $0 { true } else { false } }) else {
                throw field.invalid("a CTR must be over at least one categorical feature")
            }
            let identifier = try field.member("identifier").string()
            guard let data = try ctrData?.optionalMember(identifier) else {
                throw field.invalid("its table is missing from ctr_data")
            }
            let width = try data.member("hash_stride").integer(in: 2...CatBoostJSONLoader.maxClasses + 1)
            let map = try data.member("hash_map")
            let cells = try map.elements()
            guard cells.count % width == 0 else { throw map.invalid("has \(cells.count) cells, not a multiple of hash_stride \(width)") }
            var counts: [(key: UInt64, row: [Int])] = []
            for start in stride(from: 0, to: cells.count, by: width) {
                let key = try Self.key(cells[start])
                // CatBoost's hash table marks an empty slot with the all-ones key.
                guard key != .max else { continue }
                var row: [Int] = []
                for k in start + 1..<start + width { row.append(try cells[k].integer(in: 0...Int(Int32.max))) }
                counts.append((key, row))
            }
            let denominator = try data.optionalMember("counter_denominator")?.integer(in: 0...Int(Int32.max)) ?? 0
            let over: Over
            if elements.count == 1, case .category(let feature) = elements[0] {
                alone.insert(feature)
                for (key, _) in counts { if let hash = Self.category(ofKey: key) { know(hash, feature) } }
                over = .feature(feature)
            } else {
                for case .value(let feature, let hash) in elements { know(hash, feature) }
                let index = combinationIndex[elements] ?? combinations.count
                if index == combinations.count {
                    combinationIndex[elements] = index
                    elementCount += elements.count
                    guard elementCount <= CatBoostCombinations.maxElements else {
                        throw field.invalid("the model's combinations have more than \(CatBoostCombinations.maxElements) elements")
                    }
                    combinations.append(elements)
                    combinationKeys.append([:])
                }
                for (key, _) in counts where combinationKeys[index][key] == nil {
                    guard combinationKeys[index].count < CatBoostCombinations.maxKeys else {
                        throw map.invalid("a combination's tables hold more than \(CatBoostCombinations.maxKeys) keys")
                    }
                    combinationKeys[index][key] = Int32(combinationKeys[index].count)
                }
                over = .combination(index)
            }
            tables.append((over, field, counts, width, denominator))
        }
        hashes = known
        self.combinations = try Self.resolve(
            combinations, keys: combinationKeys, alone: alone, hashes: known, columns: columns, field: info)
        for table in tables {
            let column: Int32
            let rows: [[Int]?]
            switch table.over {
            case .feature(let feature):
                var byHash: [Int32: [Int]] = [:]
                for (key, row) in table.counts { if let hash = Self.category(ofKey: key) { byHash[hash] = row } }
                column = columns.categorical[feature]
                rows = known[feature].map { byHash[$0] }
            case .combination(let index):
                let keys = combinationKeys[index]
                var byCode = [[Int]?](repeating: nil, count: keys.count)
                for (key, row) in table.counts { byCode[Int(keys[key]!)] = row }
                column = Int32(columns.names.count + index)
                rows = byCode
            }
            ctrs.append(try Self.ctr(table.field, column: column, rows: rows, stride: table.stride, denominator: table.denominator))
        }
    }

    /// What a CTR is over: one categorical feature, or a combination (its index).
    private enum Over {
        case feature(Int)
        case combination(Int)
    }

    /// An element of a CTR's `elements`, as the file names it.
    private enum Element: Hashable {
        /// A categorical feature's category (`cat_feature_value`).
        case category(Int)
        /// A float feature's answer to `x > border` (`float_feature`), the border's bits.
        case border(Int, UInt64)
        /// A categorical feature's answer to whether it is the category of `hash` (`cat_feature_exact_value`).
        case value(Int, Int32)
    }

    private static func element(_ field: ModelField, categorical: Int, floats: Int) throws(SibylError) -> Element {
        func index(_ name: String, _ count: Int) throws(SibylError) -> Int {
            let index = try field.member(name).integer(in: 0...max(0, count - 1))
            guard index < count else { throw field.invalid("the model has no such feature") }
            return index
        }
        let kind = try field.member("combination_element").string()
        switch kind {
        case "cat_feature_value":
            return .category(try index("cat_feature_index", categorical))
        case "float_feature":
            return .border(try index("float_feature_index", floats), try field.member("border").double().bitPattern)
        case "cat_feature_exact_value":
            let value = try field.member("value").integer(in: Int(Int32.min)...Int(Int32.max))
            return .value(try index("cat_feature_index", categorical), Int32(value))
        default:
            throw field.invalid("unsupported combination_element \"\(kind.prefix(64))\" (supported: cat_feature_value, float_feature, cat_feature_exact_value)")
        }
    }

    /// The combinations, their elements read from the row by column and code; each categorical feature
    /// they combine must have a CTR of its own (`alone`), whose table lists its categories.
    private static func resolve(
        _ combinations: [[Element]], keys: [[UInt64: Int32]], alone: Set<Int>, hashes: [[Int32]], columns: CatBoostColumns,
        field: ModelField
    ) throws(SibylError) -> CatBoostCombinations {
        var built: [CatBoostCombinations.Combination] = []
        for (elements, codes) in zip(combinations, keys) {
            var combined: [CatBoostCombinations.Combination.Element] = []
            var categoryColumns: [Int] = []
            for element in elements {
                switch element {
                case .category(let feature):
                    guard alone.contains(feature) else {
                        throw field.invalid("a CTR combines categorical feature \(feature) (\(columns.names[Int(columns.categorical[feature])].prefix(64))), which has no CTR of its own to list its categories")
                    }
                    let column = Int(columns.categorical[feature])
                    categoryColumns.append(column)
                    combined.append(.category(column: column, hashes: hashes[feature].map { UInt64(bitPattern: Int64($0)) }))
                case .border(let feature, let border):
                    let float = columns.floats[feature]
                    combined.append(.border(column: Int(float.column), border: Double(bitPattern: border), missingIsTrue: float.missingIsTrue))
                case .value(let feature, let hash):
                    combined.append(.value(column: Int(columns.categorical[feature]), code: hashes[feature].firstIndex(of: hash)!))
                }
            }
            built.append(.init(elements: combined, codes: codes, categoryColumns: Array(Set(categoryColumns)).sorted()))
        }
        return CatBoostCombinations(combinations: built, columns: columns.names.count)
    }

    /// A CTR's value for each code of the column its questions read (`rows`: each code's counts, nil for
    /// none) and for an unseen category, in CatBoost's float arithmetic (`TModelCtr::Calc`):
    /// `((good + prior_numerator) / (total + prior_denomerator) + shift) * scale`.
    private static func ctr(
        _ field: ModelField, column: Int32, rows: [[Int]?], stride: Int, denominator: Int
    ) throws(SibylError) -> Ctr {
        let type = try field.member("ctr_type").string()
        let classes = stride - 1
        let target = try field.optionalMember("target_border_idx")?.integer(in: 0...classes - 1) ?? 0
        let priorNumerator = Float(try field.member("prior_numerator").double())
        let priorDenominator = Float(try field.member("prior_denomerator").double())
        let shift = Float(try field.member("shift").double())
        let scale = Float(try field.member("scale").double())
        func value(_ good: Int, _ total: Int) -> Float {
            let ctr = (Float(good) + priorNumerator) / (Float(total) + priorDenominator)
            return (ctr + shift) * scale
        }
        let count: ([Int]) -> Float
        switch type {
        case "Borders":
            // Good: the classes above the target border.
            count = { row in value(row[(target + 1)...].reduce(0, +), row.reduce(0, +)) }
        case "Buckets":
            // Good: the target class itself.
            count = { row in value(row[target], row.reduce(0, +)) }
        case "Counter", "FeatureFreq":
            guard classes == 1 else { throw field.invalid("a \(type) CTR's table must have hash_stride 2, not \(stride)") }
            count = { row in value(row[0], denominator) }
        default:
            throw field.invalid("unsupported ctr_type \"\(type.prefix(64))\" (supported: Borders, Buckets, Counter, FeatureFreq)")
        }
        let borders = try field.member("borders").doubles().map(Float.init)
        return Ctr(column: column, borders: borders, values: rows.map { $0.map(count) ?? value(0, 0) }, unseen: value(0, 0))
    }

    /// The question split `field` of a tree asks.
    mutating func question(_ field: ModelField, columns: CatBoostColumns) throws(SibylError) -> Question {
        let type = try field.member("split_type").string()
        switch type {
        case "FloatFeature":
            let feature = try field.member("float_feature_index").integer(in: 0...max(0, columns.floats.count - 1))
            guard feature < columns.floats.count else { throw field.invalid("the model has no float features") }
            let border = try field.member("border").double()
            return Question(column: columns.floats[feature].column, kind: .border(border, missingIsTrue: columns.floats[feature].missingIsTrue))
        case "OneHotFeature":
            let feature = try categoricalFeature(field)
            let value = try field.member("value").integer(in: Int(Int32.min)...Int(Int32.max))
            let key = AskedKey(ctrSplit: false, index: feature, value: UInt64(bitPattern: Int64(value)))
            if let known = asked[key] { return known }
            try answer(hashes[feature].count, field)
            let question = Question(
                column: columns.categorical[feature], kind: .categories(hashes[feature].map { $0 == value }, unseen: false))
            asked[key] = question
            return question
        case "OnlineCtr":
            let splitIndex = try field.member("split_index").integer(in: firstCtrSplit...Int(Int32.max))
            let border = Float(try field.member("border").double())
            let key = AskedKey(ctrSplit: true, index: splitIndex, value: UInt64(border.bitPattern))
            if let known = asked[key] { return known }
            var index = splitIndex - firstCtrSplit
            for ctr in ctrs {
                guard index >= ctr.borders.count else {
                    guard ctr.borders[index] == border else {
                        throw field.invalid("border \(border) is not border \(index) of its CTR (\(ctr.borders[index]))")
                    }
                    try answer(ctr.values.count, field)
                    let question = Question(
                        column: ctr.column,
                        kind: .categories(ctr.values.map { $0 > border }, unseen: ctr.unseen > border))
                    asked[key] = question
                    return question
                }
                index -= ctr.borders.count
            }
            throw field.invalid("split_index names no CTR border")
        default:
            throw field.invalid("unsupported split_type \"\(type.prefix(64))\" (supported: FloatFeature, OneHotFeature, OnlineCtr)")
        }
    }

    /// Counts a new question's answers against `maxAnswers`.
    private mutating func answer(_ codes: Int, _ field: ModelField) throws(SibylError) {
        answered += codes
        guard answered <= Self.maxAnswers else {
            throw field.invalid("the model's category questions need more than \(Self.maxAnswers) answers (categories × distinct questions)")
        }
    }

    private func categoricalFeature(_ field: ModelField) throws(SibylError) -> Int {
        let feature = try field.member("cat_feature_index").integer(in: 0...max(0, hashes.count - 1))
        guard feature < hashes.count else { throw field.invalid("the model has no categorical features") }
        return feature
    }

    /// A CTR table's key: a 64-bit number, which CatBoost writes as a decimal text.
    private static func key(_ field: ModelField) throws(SibylError) -> UInt64 {
        switch field.value {
        case .string(let text): if let key = UInt64(text) { return key }
        case .number(let number): if let key = UInt64(exactly: number) { return key }
        default: break
        }
        throw field.invalid("expected a 64-bit hash")
    }

    /// The category hash whose single-feature CTR key is `key`: CatBoost's `CalcHash(0, hash)` is
    /// `M·(M·hash)` modulo 2^64 for an odd M, so the hash is the key times the inverse of M²; a key
    /// that is not of one 32-bit hash is of no category a request can send.
    static func category(ofKey key: UInt64) -> Int32? {
        let value = Int64(bitPattern: key &* inverseMagicSquared)
        return Int32(exactly: value)
    }

    static let magic: UInt64 = 0x4906_ba49_4954_cb65

    /// The inverse of `magic²` modulo 2^64, by Newton's iteration (each step doubles the bits that are right).
    private static let inverseMagicSquared: UInt64 = {
        let square = magic &* magic
        var inverse = square
        for _ in 0..<6 { inverse = inverse &* (2 &- square &* inverse) }
        return inverse
    }()
}
