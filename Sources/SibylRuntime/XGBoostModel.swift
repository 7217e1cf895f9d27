import SibylCore

/// An XGBoost tree model: its compiled forest and objective, evaluated in XGBoost's own float32 arithmetic.
struct XGBoostModel: ModelEvaluator {
    let schema: ModelSchema
    let objective: Objective
    let forest: Forest

    /// The margins match XGBoost's own predictor bit for bit (same float32 operations in the same order),
    /// and the transforms are XGBoost's float32 formulas; labels follow xgboost's scikit-learn wrapper.
    func predict(_ input: FeatureMatrix) -> Predictions {
        let margins = forest.margins(input)
        let rows = input.rows
        let groups = forest.groupCount
        var probabilities: [Float] = []
        var labels: [Int] = []
        var values: [Float] = []
        switch objective {
        case .binaryLogistic:
            probabilities.reserveCapacity(rows * 2)
            labels.reserveCapacity(rows)
            for margin in margins {
                let positive = Objective.sigmoid(margin)
                // The wrapper's predict_proba computes the other column as 1 - p in float32.
                probabilities.append(1 - positive)
                probabilities.append(positive)
                labels.append(positive > 0.5 ? 1 : 0)
            }
        case .binaryLogitRaw:
            labels = margins.map { $0 > 0 ? 1 : 0 }
        case .regSquaredError:
            values = margins
        case .regLogistic:
            values = margins.map(Objective.sigmoid)
        case .multiSoftprob:
            probabilities = margins
            labels.reserveCapacity(rows)
            probabilities.withUnsafeMutableBufferPointer { all in
                for row in 0..<rows {
                    let slice = UnsafeMutableBufferPointer(rebasing: all[row * groups..<(row + 1) * groups])
                    Objective.softmax(slice)
                    labels.append(Objective.firstMaxIndex(UnsafeBufferPointer(slice)))
                }
            }
        case .multiSoftmax:
            labels.reserveCapacity(rows)
            margins.withUnsafeBufferPointer { all in
                for row in 0..<rows {
                    labels.append(Objective.firstMaxIndex(UnsafeBufferPointer(rebasing: all[row * groups..<(row + 1) * groups])))
                }
            }
        }
        return Predictions(
            task: schema.task, classes: schema.classes, rowCount: rows, marginsPerRow: groups, margins: margins,
            hasProbabilities: objective == .binaryLogistic || objective == .multiSoftprob,
            probabilities: probabilities, labels: labels, values: values)
    }

    func explain(_ input: FeatureMatrix) -> Contributions {
        preconditionFailure("TreeSHAP for XGBoost is not wired yet")
    }
}
