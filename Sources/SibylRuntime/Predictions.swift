import SibylCore

/// The outputs of one `CompiledModel.predict` call, row-major like the input.
///
/// Which arrays are filled depends on the task and objective:
/// - classifiers fill `labels` (an index into `classes`) and, except for `multi:softmax` and
///   `binary:logitraw` (whose XGBoost output is a class or a raw score, not a distribution),
///   `probabilities` with `classes.count` values per row;
/// - regressors fill `values`, one per row;
/// - `margins` always holds the raw scores before the objective's transform, `marginsPerRow` per row
///   (1, or the class count for a multiclass model), as XGBoost's `output_margin=True` gives them.
public struct Predictions: Sendable {
    public let task: ModelTask
    public let classes: [String]
    public let rowCount: Int
    public let marginsPerRow: Int
    public let margins: [Float]
    /// Whether `probabilities` is filled; false for regressors, `multi:softmax` and `binary:logitraw`.
    public let hasProbabilities: Bool
    public let probabilities: [Float]
    public let labels: [Int]
    public let values: [Float]

    /// The class label of `row`; classifiers only.
    public func label(ofRow row: Int) -> String {
        classes[labels[row]]
    }

    /// The class probabilities of `row`, in `classes` order; empty when `hasProbabilities` is false.
    public func probabilities(ofRow row: Int) -> ArraySlice<Float> {
        guard hasProbabilities else { return [] }
        return probabilities[row * classes.count..<(row + 1) * classes.count]
    }

    /// The raw margins of `row`.
    public func margins(ofRow row: Int) -> ArraySlice<Float> {
        margins[row * marginsPerRow..<(row + 1) * marginsPerRow]
    }
}
