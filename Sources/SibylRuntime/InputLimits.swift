import SibylCore

/// How much input one prediction request may make the node hold: rows, and cells (rows × the model's
/// features), the size of the `FeatureMatrix` built for it.
///
/// The body's size does not bound the matrix: an empty record costs a client three bytes and the node a row
/// of missing values as wide as the model, so for a wide model the cells are the limit that holds.
public struct InputLimits: Sendable {
    public var maxRows: Int
    public var maxCells: Int

    public init(maxRows: Int, maxCells: Int) {
        self.maxRows = maxRows
        self.maxCells = maxCells
    }

    /// The most rows one request may hold for a model of `features` columns.
    public func rowLimit(features: Int) -> Int {
        min(maxRows, maxCells / max(1, features))
    }

    /// Refuses more than `rowLimit(features:)` rows.
    public func check(rows: Int, features: Int) throws(SibylError) {
        guard rows <= rowLimit(features: features) else { throw exceeded(features: features) }
    }

    /// `.tooManyRows`, naming the limit that applies to this model: the row limit, or the cells of its width.
    func exceeded(features: Int) -> SibylError {
        let limit = rowLimit(features: features)
        guard limit < maxRows else { return SibylError(.tooManyRows, "the body has more than \(maxRows) rows") }
        return SibylError(
            .tooManyRows,
            "the body has more than \(limit) rows: a request may hold \(maxCells) values (rows × features), and this model has \(features) features")
    }
}
