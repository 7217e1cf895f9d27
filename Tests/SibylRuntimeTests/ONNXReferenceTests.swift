import Foundation
import SibylCore
import Testing
@testable import SibylRuntime

/// ONNX tree ensembles (tools/fixtures_onnx.py: skl2onnx 1.20's conversions of scikit-learn's random forests,
/// extra trees and gradient boosting, and
/// onnx_modes written by hand) against onnxruntime 1.32's own outputs for the same rows, missing cells
/// included: every output the same float32 as onnxruntime's.
@Suite struct ONNXReferenceTests {
    static let limits = InputLimits(maxRows: 1000, maxCells: 1 << 22)

    static func load(_ name: String) throws -> CompiledModel {
        try CompiledModel.load(Fixtures.bytes("\(name)/model.onnx"), format: nil)
    }

    @Test func theModelsDescribeThemselves() throws {
        let forest = try Self.load("onnx_rf_binary")
        #expect(forest.schema.format == .onnx)
        #expect(forest.schema.task == .binary)
        #expect(forest.schema.objective == "TreeEnsembleClassifier post_transform=NONE")
        #expect(forest.schema.classes == ["0", "1"])
        #expect(forest.schema.treeCount == 20)
        #expect(forest.schema.featureNames == (0..<30).map { "f\($0)" })
        #expect(!forest.explains)
        let binary = try Self.load("onnx_gbc_binary")
        #expect(binary.schema.objective == "TreeEnsembleClassifier post_transform=LOGISTIC")
        #expect(binary.schema.treeCount == 40)
        let multiclass = try Self.load("onnx_gbc_multiclass")
        #expect(multiclass.schema.task == .multiclass)
        #expect(multiclass.schema.classes == ["0", "1", "2"])
        #expect(multiclass.schema.objective == "TreeEnsembleClassifier post_transform=SOFTMAX")
        #expect(multiclass.schema.treeCount == 60)
        let regression = try Self.load("onnx_gbr_regression")
        #expect(regression.schema.task == .regression)
        #expect(regression.schema.objective == "TreeEnsembleRegressor aggregate_function=SUM")
        #expect(regression.schema.classes.isEmpty)
        #expect(regression.schema.treeCount == 60)
        #expect(try Self.load("onnx_et_multiclass").schema.objective == "TreeEnsembleClassifier post_transform=NONE")
    }

    /// Probabilities (or values) equal to onnxruntime's, float for float, and the same labels: the sums,
    /// base values and transforms are its float32 operations in its order.
    @Test(
        arguments: [
            "onnx_rf_binary", "onnx_gbc_binary", "onnx_gbc_multiclass", "onnx_gbr_regression", "onnx_rf_regression", "onnx_et_multiclass",
            "onnx_xgb_binary",
            "onnx_modes",
        ], [false, true])
    func predictionsMatchOnnxruntime(name: String, nan: Bool) throws {
        // onnx_modes has its own rows, missing cells among them.
        if name == "onnx_modes" && nan { return }
        let model = try Self.load(name)
        let suffix = nan ? "_nan" : ""
        let rows = name == "onnx_modes" ? "onnx_modes/X_test.csv" : "data/X_test\(suffix).csv"
        let input = try PredictionInput.decode(
            Fixtures.bytes(rows), mediaType: "text/csv", features: model.features, limits: Self.limits)
        let predictions = model.predict(input)
        let expected = try Fixtures.table("\(name)/pred\(suffix).csv").rows
        #expect(predictions.rowCount == expected.count)
        // onnxruntime's outputs are float32 written with 9 digits, which read back to the same float.
        var differing = 0
        for row in 0..<predictions.rowCount {
            let actual: [Float] = switch model.schema.task {
            case .binary: [predictions.probabilities[2 * row + 1]]
            case .multiclass: Array(predictions.probabilities[3 * row..<3 * row + 3])
            case .regression: [predictions.values[row]]
            }
            #expect(actual.count == expected[row].count)
            differing += zip(actual, expected[row]).filter { $0 != Float($1) }.count
        }
        #expect(differing == 0, "\(name)\(suffix): \(differing) outputs differ from onnxruntime's")
        // A row alone takes the scalar walk; the batch took the vector kernel where the CPU has one.
        let (columns, groups) = (input.columns, predictions.marginsPerRow)
        for row in 0..<8 {
            let alone = model.predict(FeatureMatrix(rows: 1, columns: columns, values: Array(input.values[row * columns..<(row + 1) * columns])))
            #expect(alone.margins == Array(predictions.margins[row * groups..<(row + 1) * groups]))
        }
        guard model.schema.task != .regression else { return }
        let labels = try Fixtures.table("\(name)/label\(suffix).csv").rows.map { Int($0[0]) }
        #expect(predictions.labels == labels)
    }
}
