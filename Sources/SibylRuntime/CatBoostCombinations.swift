import SibylCore

/// CTRs over combinations of features (`max_ctr_complexity` > 1): each distinct combination becomes one
/// more column after the model's own, whose code is computed from the row's other cells before the trees
/// run, so that a tree asks of it, as of any category, only whether its code is in a set.
///
/// CatBoost keys a combination's table by a hash of its elements, in the order the model lists them
/// (`TFeatureCombination`: categories, then float borders, then one-hot values), each folded in by
/// `CalcHash(h, v) = M·(h + M·v)` modulo 2^64: a category's 32-bit hash sign-extended, a border's or a
/// one-hot value's answer as 0 or 1. The combination's codes are the keys its tables hold; a row whose
/// key is in none of them, or that misses one of the combination's categories, has a category never
/// seen in training, whose CTR is the prior.
///
/// A row's category is known here by its code, so every category of a combination's features must have
/// one: each such feature needs a CTR of its own, whose table lists every category seen in training.
/// A model that combines a feature with no CTR of its own is refused (every combined feature kept one in
/// the models the fixtures made).
struct CatBoostCombinations: Sendable {
    /// The most keys one combination's tables may hold: a code is a float, exact up to 2^24.
    static let maxKeys = 1 << 24
    /// The most elements the distinct combinations may have together: each costs every row a hash step.
    static let maxElements = 1 << 16

    struct Combination: Sendable {
        enum Element: Sendable {
            /// The category in `column`, as its hash: `hashes[code]`, sign-extended.
            case category(column: Int, hashes: [UInt64])
            /// Whether the number in `column` is above `border`; a missing one answers `missingIsTrue`.
            case border(column: Int, border: Double, missingIsTrue: Bool)
            /// Whether the category in `column` is the one of `code`.
            case value(column: Int, code: Int)
        }

        let elements: [Element]
        /// The code of each key the combination's tables hold.
        let codes: [UInt64: Int32]
        /// The model's columns of the combination's categories, which share its SHAP values as catboost's
        /// `ShapValues` shares them: equally.
        let categoryColumns: [Int]

        /// The row's code for the combination, NaN where it is one never seen in training.
        func code(_ row: UnsafeBufferPointer<Float>) -> Float {
            var hash: UInt64 = 0
            for element in elements {
                let value: UInt64
                switch element {
                case .category(let column, let hashes):
                    guard let code = LightGBMMixedSplits.code(of: row[column]), code < hashes.count else { return .nan }
                    value = hashes[code]
                case .border(let column, let border, let missingIsTrue):
                    let number = row[column]
                    value = (number.isNaN ? missingIsTrue : Double(number) > border) ? 1 : 0
                case .value(let column, let code):
                    value = LightGBMMixedSplits.code(of: row[column]) == code ? 1 : 0
                }
                hash = CatBoostCategories.magic &* (hash &+ CatBoostCategories.magic &* value)
            }
            return codes[hash].map(Float.init) ?? .nan
        }
    }

    let combinations: [Combination]
    /// The model's own columns; combination k is column `columns + k`.
    let columns: Int
    /// Hash steps a row costs: every combination's elements.
    let work: Int
    /// For TreeSHAP, the feature each column counts as: a model column as itself, a combination of one
    /// category as that category's column, a combination of several as the set of them (`sets[k]` is
    /// feature `columns + k`): catboost's "combination classes", which ignore borders and one-hot values.
    let shapFeatures: [Int32]
    let sets: [[Int]]

    init(combinations: [Combination], columns: Int) {
        (self.combinations, self.columns) = (combinations, columns)
        work = combinations.reduce(0) { $0 + $1.elements.count }
        var features = (0..<columns).map(Int32.init)
        var sets: [[Int]] = []
        var numbers: [[Int]: Int32] = [:]
        for combination in combinations {
            let set = combination.categoryColumns
            if set.count == 1 {
                features.append(Int32(set[0]))
                continue
            }
            let number = numbers[set] ?? Int32(columns + sets.count)
            if numbers[set] == nil {
                numbers[set] = number
                sets.append(set)
            }
            features.append(number)
        }
        (shapFeatures, self.sets) = (features, sets)
    }

    /// `input` with one more column per combination, holding each row's code.
    func widen(_ input: FeatureMatrix) -> FeatureMatrix {
        let width = columns + combinations.count
        var values = [Float](repeating: 0, count: input.rows * width)
        input.values.withUnsafeBufferPointer { source in
            values.withUnsafeMutableBufferPointer { target in
                for row in 0..<input.rows {
                    let cells = UnsafeBufferPointer(rebasing: source[row * columns..<(row + 1) * columns])
                    let start = row * width
                    for column in 0..<columns { target[start + column] = cells[column] }
                    for (k, combination) in combinations.enumerated() { target[start + columns + k] = combination.code(cells) }
                }
            }
        }
        return FeatureMatrix(rows: input.rows, columns: width, values: values, absentColumns: input.absentColumns)
    }

    /// TreeSHAP values over `shapFeatures` (per row and group, the model's columns, the sets, the bias)
    /// folded onto the model's columns: each set's value divided equally among its columns.
    func fold(_ contributions: [Double], rows: Int, groups: Int) -> [Double] {
        let inner = columns + sets.count + 1
        var folded = [Double](repeating: 0, count: rows * groups * (columns + 1))
        for block in 0..<rows * groups {
            let from = block * inner, to = block * (columns + 1)
            for column in 0..<columns { folded[to + column] = contributions[from + column] }
            for (k, set) in sets.enumerated() {
                let share = contributions[from + columns + k] / Double(set.count)
                for column in set { folded[to + column] += share }
            }
            folded[to + columns] = contributions[from + inner - 1]
        }
        return folded
    }
}
