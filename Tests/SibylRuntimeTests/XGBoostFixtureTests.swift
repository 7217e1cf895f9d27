import Foundation
import SibylCore
import Testing
@testable import SibylRuntime

/// The small models of `tools/fixtures_xgboost.py` (every objective, DART, gblinear, categorical splits,
/// JSON and UBJSON files) against xgboost 3.2.0's own predictions, margins and contributions.
@Suite struct XGBoostFixtureTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var model: String
        var file: String
        var objective: String
        var testDescription: String { "\(model)/\(file)" }
    }

    static let cases: [Case] = {
        let objectives = [
            ("xgb_logitraw", "binary:logitraw"), ("xgb_reglogistic", "reg:logistic"),
            ("xgb_absoluteerror", "reg:absoluteerror"), ("xgb_pseudohuber", "reg:pseudohubererror"),
            ("xgb_poisson", "count:poisson"), ("xgb_gamma", "reg:gamma"), ("xgb_tweedie", "reg:tweedie"),
            ("xgb_small_binary", "binary:logistic"), ("xgb_small_multiclass", "multi:softprob"),
            ("xgb_softmax", "multi:softmax"), ("xgb_dart", "reg:squarederror"), ("xgb_gblinear", "binary:logistic"),
            ("xgb_gblinear_multiclass", "multi:softprob"), ("xgb_categorical", "binary:logistic"),
        ]
        let withUBJ: Set = ["xgb_small_binary", "xgb_small_multiclass", "xgb_gblinear", "xgb_categorical"]
        return objectives.flatMap { model, objective in
            [Case(model: model, file: "model.json", objective: objective)]
                + (withUBJ.contains(model) ? [Case(model: model, file: "model.ubj", objective: objective)] : [])
        }
    }()

    /// The rows a fixture's outputs are for: its own input file, or the first rows of the shared one.
    static func inputs(_ model: String, nan: Bool, rows: Int) throws -> (header: [String], rows: [[Float]]) {
        let own = "\(model)/X_test\(nan ? "_nan" : "").csv"
        if FileManager.default.fileExists(atPath: Fixtures.root.appendingPathComponent(own).path) {
            let (header, table) = try Fixtures.table(own)
            return (header, table.map { $0.map(Float.init) })
        }
        let (header, table) = try Fixtures.inputs(nan: nan)
        return (header, Array(table.prefix(rows)))
    }

    static func matrix(_ rows: [[Float]]) -> FeatureMatrix {
        FeatureMatrix(rows: rows.count, columns: rows[0].count, values: rows.flatMap { $0 })
    }

    @Test(arguments: cases)
    func matchesXGBoost(_ test: Case) throws {
        let model = try CompiledModel.load(Fixtures.bytes("\(test.model)/\(test.file)"), format: nil)
        #expect(model.schema.format == (test.file.hasSuffix(".ubj") ? .xgboostUBJ : .xgboostJSON))
        #expect(model.schema.objective == test.objective)
        var worstMargin: Float = 0, worstOutput: Float = 0
        var worstContribution = 0.0, worstRelative = 0.0, worstSum = 0.0
        for nan in [false, true] {
            let suffix = nan ? "_nan" : ""
            let margins = try Fixtures.table("\(test.model)/margin\(suffix).csv").rows
            let expected = try Fixtures.table("\(test.model)/pred\(suffix).csv").rows
            let (header, rows) = try Self.inputs(test.model, nan: nan, rows: margins.count)
            #expect(header == model.schema.featureNames)
            #expect(rows.count == margins.count && expected.count == margins.count)
            let predictions = model.predict(Self.matrix(rows))
            for row in rows.indices {
                for (ours, theirs) in zip(predictions.margins(ofRow: row), margins[row]) {
                    worstMargin = max(worstMargin, abs(ours - Float(theirs)))
                }
                worstOutput = max(worstOutput, try Self.outputDifference(predictions, row: row, expected: expected[row]))
            }

            let (_, contributions) = try Fixtures.table("\(test.model)/contribs\(suffix).csv")
            let explained = model.explain(Self.matrix(Array(rows.prefix(contributions.count))))
            let width = header.count + 1
            for row in contributions.indices {
                for group in 0..<explained.groupCount {
                    let ours = explained.values(row: row, group: group)
                    for (a, b) in zip(ours, contributions[row][group * width..<(group + 1) * width]) {
                        worstContribution = max(worstContribution, abs(a - b))
                        worstRelative = max(worstRelative, ReferenceModelTests.difference(a, b))
                    }
                    let margin = Double(predictions.margins[row * explained.groupCount + group])
                    worstSum = max(worstSum, ReferenceModelTests.difference(ours.reduce(0, +), margin))
                }
            }
        }
        print("\(test.testDescription): max |margin diff| \(worstMargin), max |output diff| \(worstOutput), "
            + "max |contribution diff| \(worstContribution) (relative \(worstRelative)), max relative |sum - margin| \(worstSum)")
        #expect(worstMargin <= 1e-6)
        #expect(worstOutput <= 1e-6)
        #expect(worstRelative <= 1e-5)
        #expect(worstSum <= 1e-5)
    }

    /// The largest difference between our output for `row` and xgboost's `predict`, whose meaning
    /// depends on the objective; labels must be identical.
    static func outputDifference(_ predictions: Predictions, row: Int, expected: [Double]) throws -> Float {
        let reference = expected.map(Float.init)
        switch (predictions.task, predictions.hasProbabilities) {
        case (.regression, _):
            return abs(predictions.values[row] - reference[0])
        case (.binary, true):
            #expect(predictions.label(ofRow: row) == (reference[0] > 0.5 ? "1" : "0"))
            let ours = predictions.probabilities(ofRow: row)
            return max(abs(ours.last! - reference[0]), abs(ours.first! - (1 - reference[0])))
        case (.binary, false):
            // binary:logitraw predicts the margin itself.
            #expect(predictions.label(ofRow: row) == (reference[0] > 0 ? "1" : "0"))
            return abs(predictions.margins[row] - reference[0])
        case (.multiclass, true):
            let argmax = reference.indices.max { reference[$0] < reference[$1] || (reference[$0] == reference[$1] && $0 > $1) }!
            #expect(predictions.label(ofRow: row) == String(argmax))
            return zip(predictions.probabilities(ofRow: row), reference).map { abs($0 - $1) }.max()!
        case (.multiclass, false):
            // multi:softmax predicts the class index.
            #expect(predictions.label(ofRow: row) == String(Int(reference[0])))
            return 0
        }
    }

    /// A row predicted alone takes the one-row walk (its sum in a register; without a missing value, splits
    /// with no missing-value test); in a batch it takes the block walk or a vector kernel. Every path must
    /// give the same bits, for rows with and without missing values.
    @Test(arguments: ["xgb_binary", "xgb_regressor", "xgb_multiclass", "xgb_dart", "xgb_categorical"])
    func rowsAloneGiveTheBatchsBits(_ model: String) throws {
        let compiled = try CompiledModel.load(Fixtures.bytes("\(model)/model.json"), format: nil)
        let rows = try Self.inputs(model, nan: false, rows: 40).rows + Self.inputs(model, nan: true, rows: 40).rows
        #expect(rows.contains { $0.contains(where: \.isNaN) } && rows.contains { !$0.contains(where: \.isNaN) })
        let batch = compiled.predict(Self.matrix(rows)).margins
        let groups = batch.count / rows.count
        for (index, row) in rows.enumerated() {
            let alone = compiled.predict(Self.matrix([row])).margins
            #expect(alone.map(\.bitPattern) == batch[index * groups..<(index + 1) * groups].map(\.bitPattern), "row \(index)")
        }
    }

    @Test func readsTheSameModelFromJSONAndUBJSON() throws {
        for model in ["xgb_small_binary", "xgb_small_multiclass", "xgb_gblinear", "xgb_categorical"] {
            let json = try CompiledModel.load(Fixtures.bytes("\(model)/model.json"), format: .xgboostJSON)
            let ubj = try CompiledModel.load(Fixtures.bytes("\(model)/model.ubj"), format: .xgboostUBJ)
            var schema = ubj.schema
            schema.format = .xgboostJSON
            #expect(schema == json.schema)
            let (_, rows) = try Self.inputs(model, nan: true, rows: 50)
            let input = Self.matrix(Array(rows.prefix(50)))
            #expect(json.predict(input).margins == ubj.predict(input).margins)
            #expect(json.explain(input).values == ubj.explain(input).values)
        }
    }
}
