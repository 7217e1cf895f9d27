import SibylCore

/// An XGBoost linear model (`booster="gblinear"`): per output group, one weight per feature and a bias.
///
/// The margin is XGBoost's `GBLinear::Pred` in float32 and in its order: the bias plus the base margin,
/// then `value × weight` for each present feature in column order. A missing (NaN) value is absent from
/// XGBoost's sparse row, so it adds nothing, to the margin and to the contributions alike.
///
/// XGBoost's gblinear adds the first output group's base margin to every group, even when `base_score`
/// holds one per class (xgboost 3.2 multiclass models do); so does this model, to give the same outputs.
struct XGBoostLinearModel: ModelEvaluator {
    let schema: ModelSchema
    let objective: Objective
    /// XGBoost's layout: the weight of feature `f` for group `g` at `f × groups + g`, then the group biases.
    let weights: [Float]
    /// The base margin of the first group, which XGBoost's gblinear uses for all of them.
    let baseMargin: Float
    let groups: Int

    /// Reads `model.weights`, which must hold `(num_feature + 1) × groups` finite numbers.
    init(schema: ModelSchema, objective: Objective, model: ModelField, baseMargins: [Float]) throws(SibylError) {
        let field = try model.member("weights")
        let weights = try field.floats()
        let expected = (schema.featureNames.count + 1) * baseMargins.count
        guard weights.count == expected else {
            throw field.invalid("has \(weights.count) elements, expected (num_feature + 1) × \(baseMargins.count) groups = \(expected)")
        }
        self.schema = schema
        self.objective = objective
        self.weights = weights
        baseMargin = baseMargins[0]
        groups = baseMargins.count
    }

    private var featureCount: Int { schema.featureNames.count }

    func predict(_ input: FeatureMatrix) -> Predictions {
        precondition(input.columns == featureCount, "input has \(input.columns) columns, model has \(featureCount)")
        var margins = [Float](repeating: 0, count: input.rows * groups)
        for row in 0..<input.rows {
            let features = input.values[row * featureCount..<(row + 1) * featureCount]
            for group in 0..<groups {
                var sum = weights[featureCount * groups + group] + baseMargin
                for (feature, value) in zip(0..., features) where !value.isNaN {
                    sum += value * weights[feature * groups + group]
                }
                margins[row * groups + group] = sum
            }
        }
        return objective.predictions(margins: margins, rows: input.rows, groups: groups, schema: schema)
    }

    /// XGBoost's `pred_contribs` for gblinear: each present feature contributes `value × weight` (float32,
    /// as XGBoost computes it), and the bias entry is the model's bias plus the base margin.
    func explain(_ input: FeatureMatrix) -> Contributions {
        precondition(input.columns == featureCount, "input has \(input.columns) columns, model has \(featureCount)")
        let width = featureCount + 1
        var values = [Double](repeating: 0, count: input.rows * groups * width)
        for row in 0..<input.rows {
            for group in 0..<groups {
                let start = (row * groups + group) * width
                for feature in 0..<featureCount {
                    let value = input.values[row * featureCount + feature]
                    if !value.isNaN { values[start + feature] = Double(value * weights[feature * groups + group]) }
                }
                values[start + featureCount] = Double(weights[featureCount * groups + group] + baseMargin)
            }
        }
        return Contributions(rowCount: input.rows, groupCount: groups, featureCount: featureCount, values: values)
    }
}
