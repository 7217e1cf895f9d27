import SibylCore

/// A LightGBM model: its flattened forest and objective, evaluated in LightGBM's own double arithmetic.
/// CatBoost models compile to the same forest, and keep their oblivious trees for margins.
struct LightGBMModel: ModelEvaluator {
    let schema: ModelSchema
    let objective: LightGBMObjective
    let forest: LightGBMForest
    /// A CatBoost model's trees as catboost evaluates them, which give the forest's margins faster; the
    /// forest still gives contributions.
    var oblivious: ObliviousForest? = nil
    /// A CatBoost model's combinations of features, computed into columns after the model's own before the
    /// trees run.
    var combinations: CatBoostCombinations? = nil

    /// A CatBoost model's combinations cost a row their hash steps before the trees.
    var workPerRow: Int { combinations?.work ?? 0 }

    /// The raw scores and LightGBM's `predict` outputs (probabilities or values) of every row, in double,
    /// `forest.groupCount` of each per row.
    func scores(_ input: FeatureMatrix) -> (margins: [Double], outputs: [Double]) {
        let input = combinations?.widen(input) ?? input
        let margins = oblivious?.margins(input) ?? forest.margins(input)
        var outputs = margins
        let groups = forest.groupCount
        outputs.withUnsafeMutableBufferPointer { all in
            for row in 0..<input.rows {
                objective.convert(UnsafeMutableBufferPointer(rebasing: all[row * groups..<(row + 1) * groups]))
            }
        }
        return (margins, outputs)
    }

    /// Outputs are computed in double and rounded to float32 only here. Labels follow LightGBM's
    /// scikit-learn wrapper: the first class of largest probability, so a binary row is "1" iff p > 0.5.
    func predict(_ input: FeatureMatrix) -> Predictions {
        let (margins, outputs) = scores(input)
        let groups = forest.groupCount
        var probabilities: [Float] = []
        var labels: [Int] = []
        var values: [Float] = []
        switch schema.task {
        case .binary:
            probabilities.reserveCapacity(input.rows * 2)
            for positive in outputs {
                probabilities.append(Float(1 - positive))
                probabilities.append(Float(positive))
            }
            labels = outputs.map { $0 > 0.5 ? 1 : 0 }
        case .multiclass:
            probabilities = outputs.map(Float.init)
            labels = (0..<input.rows).map { row in
                let slice = outputs[row * groups..<(row + 1) * groups]
                var best = slice.startIndex
                for k in slice.indices where slice[k] > slice[best] { best = k }
                return best - slice.startIndex
            }
        case .regression:
            values = outputs.map(Float.init)
        }
        return Predictions(
            task: schema.task, classes: schema.classes, rowCount: input.rows, marginsPerRow: groups,
            margins: margins.map(Float.init), hasProbabilities: schema.task != .regression,
            probabilities: probabilities, labels: labels, values: values)
    }

    /// LightGBM's `pred_contrib`: per row and class, each feature's TreeSHAP value and the bias.
    func explain(_ input: FeatureMatrix) -> Contributions {
        guard let combinations else {
            return Contributions(
                rowCount: input.rows, groupCount: forest.groupCount, featureCount: forest.featureCount,
                values: forest.contributions(input))
        }
        let values = combinations.fold(forest.contributions(combinations.widen(input)), rows: input.rows, groups: forest.groupCount)
        return Contributions(rowCount: input.rows, groupCount: forest.groupCount, featureCount: combinations.columns, values: values)
    }
}
