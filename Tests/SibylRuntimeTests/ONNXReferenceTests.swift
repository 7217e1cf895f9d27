import Foundation
import SibylCore
import SwiftProtobuf
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
        // Opset 5's TreeEnsemble: the same trees as onnx_gbr_regression, its base added after.
        let fifth = try Self.load("onnx_treeensemble_v5")
        #expect(fifth.schema.objective == "TreeEnsemble aggregate_function=SUM → Add")
        #expect(fifth.schema.treeCount == 60)
    }

    /// Probabilities (or values) equal to onnxruntime's, float for float, and the same labels: the sums,
    /// base values and transforms are its float32 operations in its order.
    @Test(
        arguments: [
            "onnx_rf_binary", "onnx_gbc_binary", "onnx_gbc_multiclass", "onnx_gbr_regression", "onnx_rf_regression", "onnx_et_multiclass",
            "onnx_xgb_binary", "onnx_lgbm_binary", "onnx_lgbm_multiclass", "onnx_lgbm_regression",
            "onnx_hgb_binary", "onnx_hgb_regression", "onnx_treeensemble_v5", "onnx_modes",
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
            let actual = outputs(predictions, row: row)
            #expect(actual.count == expected[row].count)
            differing += zip(actual, expected[row]).filter { $0 != Float($1) }.count
        }
        #expect(differing == 0, "\(name)\(suffix): \(differing) outputs differ from onnxruntime's")
        try expectLabels(name, suffix, predictions)
        // A row alone takes the scalar walk; the batch took the vector kernel where the CPU has one.
        let (columns, groups) = (input.columns, predictions.marginsPerRow)
        for row in 0..<8 {
            let alone = model.predict(FeatureMatrix(rows: 1, columns: columns, values: Array(input.values[row * columns..<(row + 1) * columns])))
            #expect(alone.margins == Array(predictions.margins[row * groups..<(row + 1) * groups]))
        }
    }

    /// Numeric pipelines planned as a graph (scalers, an imputer, linear models, perceptrons, a forest after
    /// an imputer): within 1e-5 relative of onnxruntime (its matrix products sum in float32 in its own order;
    /// Sibyl's in double, rounded once), and the same labels.
    @Test(
        arguments: [
            "onnx_scaler_logreg", "onnx_logreg_multiclass", "onnx_minmax_ridge", "onnx_mlp_multiclass", "onnx_mlp_regression",
            "onnx_imputer_forest", "onnx_svr_rbf", "onnx_svc_binary", "onnx_svc_poly_multiclass", "onnx_binarizer_logreg",
            "onnx_linearsvc_binary", "onnx_linearsvc_multiclass", "onnx_kbins_logreg", "onnx_kbins_onehot_logreg", "onnx_power_logreg",
            "onnx_svc_scores_binary", "onnx_svc_scores_4classes", "onnx_calibrated_linearsvc", "onnx_calibrated_svc",
            "onnx_adaboost_binary", "onnx_adaboost_multiclass", "onnx_stacking_multiclass", "onnx_bagging_multiclass",
            "onnx_bagging_regression", "onnx_poly_logreg",
        ], [false, true])
    func pipelinesMatchOnnxruntime(name: String, nan: Bool) throws {
        let model = try Self.load(name)
        // onnxruntime fails on a missing value at a binarizer: no outputs to compare, every row refused.
        if name == "onnx_binarizer_logreg" && nan {
            #expect(model.columnsNeedingValues == IndexSet(integersIn: 0..<30))
            return
        }
        let suffix = nan ? "_nan" : ""
        let input = try PredictionInput.decode(
            Fixtures.bytes("data/X_test\(suffix).csv"), mediaType: "text/csv", features: model.features, limits: Self.limits)
        let predictions = model.predict(input)
        let expected = try Fixtures.table("\(name)/pred\(suffix).csv").rows
        #expect(predictions.rowCount == expected.count)
        // A row missing a value the model needs is refused before it is evaluated (ServingTests): what
        // onnxruntime makes of it (NaN through a linear model, a tie through a machine's kernels) is not a
        // prediction.
        let refused = IndexSet((0..<input.rows).filter { row in
            model.columnsNeedingValues.contains { input.values[row * input.columns + $0].isNaN }
        })
        var worst = 0.0, worstAt = (0, 0.0, Float(0))
        for row in 0..<predictions.rowCount {
            let actual = outputs(predictions, row: row)
            #expect(actual.count == expected[row].count)
            for (a, e) in zip(actual, expected[row]) {
                // NaN where onnxruntime gives NaN (a missing cell through a linear model); else relative to
                // the value, with 1e-2 the floor (a probability below it is held to 1e-7 absolute).
                if e.isNaN { #expect(a.isNaN); continue }
                if refused.contains(row) { continue }
                let error = abs(Double(a) - e) / max(abs(e), 1e-2)
                if error > worst { (worst, worstAt) = (error, (row, e, a)) }
            }
        }
        #expect(worst <= 1e-5, "\(name)\(suffix): \(worst) relative from onnxruntime's \(worstAt)")
        try expectLabels(name, suffix, predictions, skipping: refused)
        // A row alone gives what it gave in the batch (NaN where it was NaN).
        let (columns, groups) = (input.columns, predictions.marginsPerRow)
        for row in 0..<8 {
            let alone = model.predict(FeatureMatrix(rows: 1, columns: columns, values: Array(input.values[row * columns..<(row + 1) * columns])))
            let batch = predictions.margins[row * groups..<(row + 1) * groups]
            #expect(zip(alone.margins, batch).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }, "row \(row): \(alone.margins) alone, \(batch) in the batch")
        }
    }

    /// What each pipeline is planned as: its task, classes, operators and whether a missing value has a
    /// prediction (only where an imputer or the trees take it before any arithmetic).
    @Test func pipelinesDescribeThemselves() throws {
        let logistic = try Self.load("onnx_scaler_logreg")
        #expect(logistic.schema.task == .binary)
        #expect(logistic.schema.classes == ["0", "1"])
        #expect(logistic.schema.objective == "Scaler → LinearClassifier")
        #expect(logistic.schema.treeCount == 0)
        #expect(logistic.columnsNeedingValues == IndexSet(integersIn: 0..<30))
        #expect(logistic.workPerRow == 30 + 2 * 30)
        let perceptron = try Self.load("onnx_mlp_multiclass")
        #expect(perceptron.schema.task == .multiclass)
        #expect(perceptron.schema.objective == "Scaler → Cast → MatMul → Add → Relu → MatMul → Add → Softmax")
        #expect(perceptron.columnsNeedingValues == IndexSet(integersIn: 0..<30))
        #expect(try Self.load("onnx_mlp_regression").schema.task == .regression)
        #expect(try Self.load("onnx_minmax_ridge").schema.objective == "Cast → Mul → Add → LinearRegressor")
        let imputed = try Self.load("onnx_imputer_forest")
        #expect(imputed.schema.objective == "Imputer → TreeEnsembleClassifier post_transform=NONE")
        #expect(imputed.schema.treeCount == 10)
        #expect(imputed.columnsNeedingValues.isEmpty)
        #expect(try Self.load("onnx_rf_binary").columnsNeedingValues.isEmpty)
        // LinearSVC gives decision values: served as margins, with no probabilities.
        let linear = try Self.load("onnx_linearsvc_binary")
        #expect(linear.schema.task == .binary)
        #expect(linear.schema.objective == "LinearClassifier → ArrayFeatureExtractor")
        let decided = linear.predict(FeatureMatrix(rows: 1, columns: 30, values: Array(repeating: 0.5, count: 30)))
        #expect(!decided.hasProbabilities && decided.probabilities.isEmpty && decided.margins.count == 1)
        #expect(try !Self.load("onnx_linearsvc_multiclass").predict(FeatureMatrix(rows: 1, columns: 30, values: Array(repeating: 0.5, count: 30))).hasProbabilities)
        // Calibrated, the same machines' decision values are made probabilities.
        #expect(try Self.load("onnx_calibrated_svc").predict(FeatureMatrix(rows: 1, columns: 30, values: Array(repeating: 0.5, count: 30))).hasProbabilities)
        #expect(try Self.load("onnx_calibrated_linearsvc").predict(FeatureMatrix(rows: 1, columns: 30, values: Array(repeating: 0.5, count: 30))).hasProbabilities)
        // An SVC without probabilities: its decision values, labelled by its votes.
        let scored = try Self.load("onnx_svc_scores_4classes")
        #expect(scored.schema.task == .multiclass && scored.schema.classes == ["0", "1", "2", "3"])
        #expect(try !scored.predict(PredictionInput.decode(
            Fixtures.bytes("data/X_test.csv"), mediaType: "text/csv", features: scored.features, limits: Self.limits)).hasProbabilities)
        let machine = try Self.load("onnx_svc_poly_multiclass")
        #expect(machine.schema.objective == "Scaler → SVMClassifier → Cast")
        #expect(machine.schema.classes == ["0", "1", "2"])
        #expect(machine.columnsNeedingValues == IndexSet(integersIn: 0..<30))
        #expect(try Self.load("onnx_svr_rbf").schema.objective == "Scaler → SVMRegressor → Cast")
        #expect(try Self.load("onnx_binarizer_logreg").schema.objective == "Binarizer → LinearClassifier")
        let ordinal = try Self.load("onnx_columns_ordinal_hgb").schema.objective
        #expect(ordinal == "Concat → LabelEncoder → LabelEncoder → Reshape → Reshape → Concat → Cast → Concat → TreeEnsembleClassifier post_transform=SOFTMAX")
        let hist = try Self.load("onnx_hgb_binary")
        #expect(hist.schema.objective == "TreeEnsembleClassifier post_transform=LOGISTIC")
        #expect(hist.schema.treeCount == 40)
        #expect(hist.columnsNeedingValues.isEmpty)
    }

    /// A step with no answer for a missing value (onnxruntime fails there) refuses it whatever follows, even
    /// trees that would take it: a one-hot encoder with `zeros=0` before a forest.
    @Test func aStepWithoutAnAnswerForAMissingValueRefusesIt() throws {
        var model = try Onnx_ModelProto(serializedBytes: Fixtures.bytes("onnx_columns_forest/model.onnx"))
        let encoder = model.graph.node.firstIndex { $0.opType == "OneHotEncoder" }!
        let zeros = model.graph.node[encoder].attribute.firstIndex { $0.name == "zeros" }!
        model.graph.node[encoder].attribute[zeros].i = 0
        let strict = try CompiledModel.load(try model.serializedBytes(), format: .onnx)
        #expect(strict.columnsNeedingValues == IndexSet(integer: 2))
        #expect(try Self.load("onnx_columns_forest").columnsNeedingValues.isEmpty)
    }

    /// Row `row`'s outputs as the fixtures hold onnxruntime's: the probability of class 1, every class's
    /// probability, or the value; a classifier without probabilities, its decision values (its margins).
    private func outputs(_ predictions: Predictions, row: Int) -> [Float] {
        let classes = predictions.classes.count
        guard predictions.task == .regression || predictions.hasProbabilities else {
            let width = predictions.marginsPerRow
            return Array(predictions.margins[width * row..<width * (row + 1)])
        }
        return switch predictions.task {
        case .binary: [predictions.probabilities[2 * row + 1]]
        case .multiclass: Array(predictions.probabilities[classes * row..<classes * (row + 1)])
        case .regression: [predictions.values[row]]
        }
    }

    private func expectLabels(_ name: String, _ suffix: String, _ predictions: Predictions, skipping: IndexSet = []) throws {
        guard predictions.task != .regression else { return }
        let labels = try Fixtures.table("\(name)/label\(suffix).csv").rows.map { Int($0[0]) }
        let kept = (0..<labels.count).filter { !skipping.contains($0) }
        #expect(kept.map { predictions.labels[$0] } == kept.map { labels[$0] })
    }

    /// ColumnTransformer pipelines over raw rows, one graph input per column: numbers imputed and scaled,
    /// text one-hot encoded (an unknown or empty category as none), into a forest or a logistic regression;
    /// the rows sent as the user's CSV, category names and all. `onnx_frame_forest` is converted from the
    /// training frame itself, as most users convert one, and reads each text column through a Gather.
    @Test(arguments: ["onnx_columns_forest", "onnx_columns_logreg", "onnx_columns_ordinal_hgb", "onnx_frame_forest"])
    func columnPipelinesMatchOnnxruntime(name: String) throws {
        let model = try Self.load(name)
        #expect(model.schema.featureNames == ["age", "income", "city", "plan"])
        #expect(model.schema.featureTypes == [.number, .number, .category(["lyon", "nice", "paris"]), .category(["free", "pro"])])
        #expect(model.columnsNeedingValues.isEmpty)
        try expectRawRowsMatch(name, model)
    }

    /// A frame with int64 columns too (`onnx_frame_integers_forest`): one scaled, one one-hot encoded as
    /// numbers. They take whole numbers, and no missing value (an integer has none).
    @Test func framesWithIntegerColumnsMatchOnnxruntime() throws {
        let name = "onnx_frame_integers_forest"
        let model = try Self.load(name)
        #expect(model.schema.featureNames == ["age", "income", "city", "plan", "visits", "children"])
        #expect(model.schema.featureTypes?[4...] == [.wholeNumbers, .wholeNumbers])
        #expect(model.columnsNeedingValues == IndexSet([4, 5]))
        try expectRawRowsMatch(name, model)
        let fraction = #expect(throws: SibylError.self) {
            try PredictionInput.decode(
                Array(#"{"records": [{"visits": 2.5}]}"#.utf8), mediaType: "application/json", features: model.features, limits: Self.limits)
        }
        #expect(fraction?.message == #"records[0]: feature "visits" takes whole numbers (the model's input is an integer), not 2.5"#)
        let csv = #expect(throws: SibylError.self) {
            try PredictionInput.decode(Array("children\n1e-3\n".utf8), mediaType: "text/csv", features: model.features, limits: Self.limits)
        }
        #expect(csv?.message.contains(#"column "children" takes whole numbers"#) == true, "\(csv?.message ?? "")")
        let whole = try PredictionInput.decode(
            Array(#"{"records": [{"visits": 2.0, "children": 3}]}"#.utf8), mediaType: "application/json", features: model.features, limits: Self.limits)
        #expect(Array(whole.values[4...]) == [2, 3])
        // The inference protocol's tensors are numbers already: the same rule.
        let tensors = FeatureMatrix(rows: 1, columns: 6, values: [0, 0, .nan, .nan, 7.5, 1])
        #expect(throws: SibylError.self) { try model.features.readingNumbers(of: tensors) }
    }

    /// Decodes `name`'s test rows (X_test.csv, or X_test.json records) and compares the predictions with
    /// onnxruntime's, labels included; returns the rows.
    @discardableResult
    private func expectRawRowsMatch(_ name: String, _ model: CompiledModel, json: Bool = false) throws -> FeatureMatrix {
        let input = try PredictionInput.decode(
            Fixtures.bytes("\(name)/X_test.\(json ? "json" : "csv")"), mediaType: json ? "application/json" : "text/csv",
            features: model.features, limits: Self.limits)
        let predictions = model.predict(input)
        let expected = try Fixtures.table("\(name)/pred.csv").rows
        #expect(predictions.rowCount == expected.count)
        var worst = 0.0
        for row in 0..<predictions.rowCount {
            for (a, e) in zip(outputs(predictions, row: row), expected[row]) { worst = max(worst, abs(Double(a) - e) / max(abs(e), 1e-2)) }
        }
        #expect(worst <= 1e-5, "\(name): \(worst) relative from onnxruntime's")
        try expectLabels(name, "", predictions)
        return input
    }

    /// A DictVectorizer pipeline over records (a map input): its vocabulary is the features, a key a record
    /// leaves out is 0 (as the vectorizer reads it), a null sent is missing, which its arithmetic refuses.
    @Test func dictPipelinesMatchOnnxruntime() throws {
        let name = "onnx_dict_logreg"
        let model = try Self.load(name)
        #expect(model.schema.featureNames == ["f0", "f1", "f2", "f3", "f4", "f5", "vip"])
        #expect(model.features.absentValue == 0)
        #expect(model.columnsNeedingValues == IndexSet(integersIn: 0..<7))
        #expect(try expectRawRowsMatch(name, model, json: true).values.allSatisfy { !$0.isNaN })

        // An empty record is every key at 0; a CSV without the vip column reads it as 0 too; a null is missing.
        let empty = try PredictionInput.decode(Array(#"{"records": [{}, {"vip": null}]}"#.utf8), mediaType: "application/json", features: model.features, limits: Self.limits)
        #expect(Array(empty.values[0..<7]) == [Float](repeating: 0, count: 7))
        #expect(empty.values[13].isNaN && empty.values[7..<13].allSatisfy { $0 == 0 })
        let csv = try PredictionInput.decode(Array("f0,f3\n1.5,\n".utf8), mediaType: "text/csv", features: model.features, limits: Self.limits)
        #expect(csv.values[0] == 1.5 && csv.values[3].isNaN && csv.absentColumns == [1, 2, 4, 5, 6])
        #expect(csv.values.enumerated().allSatisfy { [0, 3].contains($0.offset) || $0.element == 0 })
    }

    /// The same pipeline over maps keyed by int64 positions, read by a CastMap (SPARSE): its keys `0 ..<
    /// max_map` are the features, a key a record leaves out is 0, and it answers as onnxruntime does.
    @Test func castMapPipelinesMatchOnnxruntime() throws {
        let name = "onnx_castmap_logreg"
        let model = try Self.load(name)
        #expect(model.schema.featureNames == (0..<7).map(String.init))
        #expect(model.features.absentValue == 0)
        #expect(try expectRawRowsMatch(name, model, json: true).values.allSatisfy { !$0.isNaN })
        let empty = try PredictionInput.decode(Array(#"{"records": [{"6": 1}]}"#.utf8), mediaType: "application/json", features: model.features, limits: Self.limits)
        #expect(Array(empty.values) == [0, 0, 0, 0, 0, 0, 1])
    }
}
