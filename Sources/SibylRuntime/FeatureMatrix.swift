/// A batch of input rows for a model: `rows × columns` float32 values, row-major, NaN for a missing value.
///
/// Columns are in the model's feature order (`ModelSchema.featureNames`). Float32 is what XGBoost
/// compares split conditions in, so this is the precision every input is reduced to before evaluation.
public struct FeatureMatrix: Sendable {
    public let rows: Int
    public let columns: Int
    public let values: [Float]

    public init(rows: Int, columns: Int, values: [Float]) {
        precondition(rows >= 0 && columns >= 0 && values.count == rows * columns,
                     "FeatureMatrix needs rows × columns values")
        self.rows = rows
        self.columns = columns
        self.values = values
    }
}
