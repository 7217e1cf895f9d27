import Foundation
/// How one model format evaluates, in that format's own arithmetic: XGBoost in float32 as its C++ does,
/// LightGBM in double as its C++ does. `CompiledModel` holds one and knows nothing of formats.
protocol ModelEvaluator: Sendable {
    /// Predictions for every row of `input` (columns in schema order, NaN for missing).
    func predict(_ input: FeatureMatrix) -> Predictions

    /// Exact contributions for every row of `input` (TreeSHAP for trees, weight × value for XGBoost's
    /// linear booster), as the library's own `pred_contribs` / `pred_contrib` gives them.
    func explain(_ input: FeatureMatrix) -> Contributions

    /// Whether `explain` gives exact contributions: false for a format that keeps no training covers (ONNX).
    var explains: Bool { get }

    /// The columns whose missing value has no prediction: trees send one down a branch, but arithmetic on
    /// it (an ONNX graph's scaler or linear model with no imputer before it) gives no number at all.
    var columnsNeedingValues: IndexSet { get }

    /// Operations a row costs beyond walking the trees and reading its cells (an ONNX graph's arithmetic).
    var workPerRow: Int { get }
}

extension ModelEvaluator {
    var explains: Bool { true }
    var columnsNeedingValues: IndexSet { IndexSet() }
    var workPerRow: Int { 0 }
}
