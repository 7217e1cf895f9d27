import SibylCore

/// An XGBoost tree model (gbtree or DART): its compiled forest and objective, evaluated in XGBoost's own
/// float32 arithmetic.
struct XGBoostModel: ModelEvaluator {
    let schema: ModelSchema
    let objective: Objective
    let forest: Forest

    /// The margins match XGBoost's own predictor bit for bit (same float32 operations in the same order),
    /// and the transforms are XGBoost's float32 formulas; labels follow xgboost's scikit-learn wrapper.
    func predict(_ input: FeatureMatrix) -> Predictions {
        objective.predictions(margins: forest.margins(input), rows: input.rows, groups: forest.groupCount, schema: schema)
    }

    /// XGBoost's `pred_contribs`: per row and output group, the bias starts at the base margin and each
    /// tree of the group adds its exact TreeSHAP values, in double precision (XGBoost accumulates in
    /// float32, so the two agree to float32 rounding). DART trees enter with their weights, which the
    /// forest has already folded into their leaves.
    func explain(_ input: FeatureMatrix) -> Contributions {
        let forest = forest
        precondition(input.columns == forest.featureCount, "input has \(input.columns) columns, model has \(forest.featureCount)")
        let width = forest.featureCount + 1
        let groups = forest.groupCount
        let explainers = forest.explainer.prepared()
        var values = [Double](repeating: 0, count: input.rows * groups * width)
        for row in 0..<input.rows {
            for group in 0..<groups { values[(row * groups + group) * width + width - 1] = Double(forest.baseMargins[group]) }
        }
        values.withUnsafeMutableBufferPointer { out in
            input.values.withUnsafeBufferPointer { rows in
                forest.nodes.withUnsafeBufferPointer { nodes in
                    forest.categories.withUnsafeBufferPointer { categories in
                        var first = 0
                        while first < input.rows {
                            let block = first..<min(first + SHAPExplainer.blockRows, input.rows)
                            for (tree, explainer) in zip(forest.trees, explainers) {
                                let root = Int(tree.root)
                                explainer.accumulate(
                                    block,
                                    phi: { row in
                                        let start = (row * groups + Int(tree.group)) * width
                                        return UnsafeMutableBufferPointer(rebasing: out[start..<start + width])
                                    },
                                    goesLeft: { row, node in
                                        Forest.goesLeft(nodes, categories, root + node, rows.baseAddress! + row * forest.featureCount)
                                    })
                            }
                            first = block.upperBound
                        }
                    }
                }
            }
        }
        return Contributions(rowCount: input.rows, groupCount: groups, featureCount: forest.featureCount, values: values)
    }
}
