/// A batch of input rows for a model: `rows × columns` float32 values, row-major, NaN for a missing value.
///
/// Columns are in the model's feature order (`ModelSchema.featureNames`). Float32 is what XGBoost
/// compares split conditions in, so this is the precision every input is reduced to before evaluation.
public struct FeatureMatrix: Sendable {
    public let rows: Int
    public let columns: Int
    public let values: [Float]
    /// The columns the request left out in at least one row (no key in a record, no column in a CSV header,
    /// no input tensor), ascending. A value given as `null` or an empty cell is missing but not absent: the
    /// client said it has none. Each API decides whether absent features are allowed.
    public let absentColumns: [Int]

    public init(rows: Int, columns: Int, values: [Float], absentColumns: [Int] = []) {
        precondition(rows >= 0 && columns >= 0 && values.count == rows * columns,
                     "FeatureMatrix needs rows × columns values")
        self.rows = rows
        self.columns = columns
        self.values = values
        self.absentColumns = absentColumns
    }
}
