/// Per-feature contributions to the raw margins (TreeSHAP values), row-major like the input.
///
/// For each row and output group there are `featureCount + 1` values: one per feature in schema order,
/// then the bias (the model's expected margin). They sum to the row's margin for that group.
public struct Contributions: Sendable {
    public let rowCount: Int
    /// Output groups: 1, or the class count of a multiclass model.
    public let groupCount: Int
    public let featureCount: Int
    public let values: [Double]

    public init(rowCount: Int, groupCount: Int, featureCount: Int, values: [Double]) {
        self.rowCount = rowCount
        self.groupCount = groupCount
        self.featureCount = featureCount
        self.values = values
    }

    /// The `featureCount + 1` values of one row and group; the last is the bias.
    public func values(row: Int, group: Int) -> ArraySlice<Double> {
        let width = featureCount + 1
        let start = (row * groupCount + group) * width
        return values[start..<start + width]
    }
}
