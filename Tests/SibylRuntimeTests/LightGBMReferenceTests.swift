import Foundation
import SibylCore
import Testing
@testable import SibylRuntime

/// The LightGBM fixtures (tools/fixtures_lightgbm.py) against lightgbm 4.7.0's own predict, raw_score and
/// pred_contrib outputs, on test rows with and without missing values.
@Suite struct LightGBMReferenceTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var model: String
        var nan: Bool
        var testDescription: String { "\(model)\(nan ? " with missing values" : "")" }
    }

    static let models = [
        "lgbm_binary", "lgbm_missing_nan", "lgbm_missing_zero", "lgbm_missing_none", "lgbm_categorical",
        "lgbm_multiclass", "lgbm_multiclassova", "lgbm_regression", "lgbm_regression_l1", "lgbm_huber",
        "lgbm_poisson", "lgbm_gamma", "lgbm_tweedie",
    ]
    static let cases = models.flatMap { [Case(model: $0, nan: false), Case(model: $0, nan: true)] }

    static func load(_ model: String) throws -> CompiledModel {
        try LightGBMTextLoader.load(Fixtures.bytes("\(model)/model.txt"))
    }

    /// The first `count` rows the fixture was evaluated on: its own inputs when it has them.
    static func inputs(_ test: Case, count: Int) throws -> (header: [String], input: FeatureMatrix) {
        let suffix = test.nan ? "_nan" : ""
        let own = "\(test.model)/X_test\(suffix).csv"
        let (header, rows): ([String], [[Float]])
        if FileManager.default.fileExists(atPath: Fixtures.root.appendingPathComponent(own).path) {
            let table = try Fixtures.table(own)
            (header, rows) = (table.header, table.rows.map { $0.map(Float.init) })
        } else {
            (header, rows) = try Fixtures.inputs(nan: test.nan)
        }
        let used = rows.prefix(count)
        return (header, FeatureMatrix(rows: used.count, columns: header.count, values: used.flatMap { $0 }))
    }

    @Test(arguments: cases)
    func predictionsMatchLightGBM(_ test: Case) throws {
        let model = try Self.load(test.model)
        let evaluator = try #require(model.evaluator as? LightGBMModel)
        let suffix = test.nan ? "_nan" : ""
        let margins = try Fixtures.table("\(test.model)/margin\(suffix).csv").rows
        let expected = try Fixtures.table("\(test.model)/pred\(suffix).csv").rows
        let (header, input) = try Self.inputs(test, count: expected.count)
        #expect(header == model.schema.featureNames)
        #expect(input.rows == expected.count && margins.count == expected.count)

        let scores = evaluator.scores(input)
        let predictions = model.predict(input)
        let groups = predictions.marginsPerRow
        var worstMargin = 0.0, worstOutput = 0.0
        for row in 0..<input.rows {
            for k in 0..<groups {
                worstMargin = max(worstMargin, abs(scores.margins[row * groups + k] - margins[row][k]))
                worstOutput = max(worstOutput, abs(scores.outputs[row * groups + k] - expected[row][k]))
            }
            let reference = expected[row]
            switch predictions.task {
            case .regression:
                break
            case .binary:
                #expect(predictions.label(ofRow: row) == (reference[0] > 0.5 ? "1" : "0"))
                #expect(Array(predictions.probabilities(ofRow: row)) == [Float(1 - scores.outputs[row]), Float(scores.outputs[row])])
            case .multiclass:
                let argmax = reference.indices.max { reference[$0] < reference[$1] || (reference[$0] == reference[$1] && $0 > $1) }!
                #expect(predictions.label(ofRow: row) == String(argmax))
            }
        }
        // The public predictions are the double results rounded once to float32.
        #expect(predictions.margins == scores.margins.map(Float.init))
        if predictions.task == .regression {
            #expect(predictions.values == scores.outputs.map(Float.init))
        } else if predictions.task == .multiclass {
            #expect(predictions.probabilities == scores.outputs.map(Float.init))
        }
        print("\(test.testDescription): max |margin diff| \(worstMargin), max |output diff| \(worstOutput)")
        #expect(worstMargin <= 1e-6)
        #expect(worstOutput <= 1e-6)
    }

    /// A row predicted alone takes the one-row walk (its sum in a register; where LightGBM's missing-value
    /// rule cannot fire on it, splits without that rule); in a batch, the block walk. Both must give the
    /// same bits, so each row alone gives the margins checked against LightGBM above.
    @Test(arguments: cases)
    func rowsAloneGiveTheBatchsBits(_ test: Case) throws {
        let evaluator = try #require(try Self.load(test.model).evaluator as? LightGBMModel)
        let (_, input) = try Self.inputs(test, count: 60)
        let batch = evaluator.scores(input).margins
        let groups = batch.count / input.rows
        for row in 0..<input.rows {
            let alone = FeatureMatrix(
                rows: 1, columns: input.columns, values: Array(input.values[row * input.columns..<(row + 1) * input.columns]))
            #expect(
                evaluator.scores(alone).margins.map(\.bitPattern) == batch[row * groups..<(row + 1) * groups].map(\.bitPattern),
                "row \(row)")
        }
    }

    /// The rows the complete-row walk may take: the fixtures must have splits that read 0 as missing, and
    /// rows with and without a 0, for the tests above to reach both walks.
    @Test func theFixturesReachBothWalks() throws {
        let forest = try #require((try Self.load("lgbm_missing_zero").evaluator as? LightGBMModel)?.forest)
        #expect(forest.hasZeroMissingSplits)
        #expect(try !(Self.load("lgbm_missing_nan").evaluator as? LightGBMModel)!.forest.hasZeroMissingSplits)
        let (_, input) = try Self.inputs(Case(model: "lgbm_missing_zero", nan: false), count: 60)
        let rows = (0..<input.rows).map { input.values[$0 * input.columns..<($0 + 1) * input.columns] }
        #expect(rows.contains { $0.contains(0) } && rows.contains { !$0.contains(0) })
    }

    @Test(arguments: cases)
    func contributionsMatchLightGBM(_ test: Case) throws {
        let model = try Self.load(test.model)
        let suffix = test.nan ? "_nan" : ""
        let expected = try Fixtures.table("\(test.model)/contrib\(suffix).csv").rows
        let margins = try Fixtures.table("\(test.model)/margin\(suffix).csv").rows
        let (_, input) = try Self.inputs(test, count: expected.count)
        let contributions = model.explain(input)
        let width = contributions.featureCount + 1
        #expect(contributions.rowCount == expected.count)
        #expect(contributions.featureCount == model.schema.featureNames.count)
        #expect(expected.allSatisfy { $0.count == contributions.groupCount * width })

        var worst = 0.0, worstSum = 0.0
        for row in 0..<contributions.rowCount {
            for group in 0..<contributions.groupCount {
                let ours = contributions.values(row: row, group: group)
                for (k, value) in ours.enumerated() {
                    worst = max(worst, abs(value - expected[row][group * width + k]))
                }
                worstSum = max(worstSum, abs(ours.reduce(0, +) - margins[row][group]))
            }
        }
        print("\(test.testDescription): max |contribution diff| \(worst), max |sum - margin| \(worstSum)")
        #expect(worst <= 1e-5)
        #expect(worstSum <= 1e-6)
    }

    @Test func schemaDescribesTheModels() throws {
        let binary = try Self.load("lgbm_binary")
        #expect(binary.schema == ModelSchema(
            format: .lightgbmText, task: .binary, objective: "binary sigmoid:1",
            featureNames: (0..<30).map { "f\($0)" }, classes: ["0", "1"], treeCount: 300))
        let multiclass = try Self.load("lgbm_multiclass")
        #expect(multiclass.schema.task == .multiclass)
        #expect(multiclass.schema.objective == "multiclass num_class:3")
        #expect(multiclass.schema.classes == ["0", "1", "2"])
        #expect(multiclass.schema.treeCount == 45)
        let ova = try Self.load("lgbm_multiclassova")
        #expect(ova.schema.task == .multiclass)
        #expect(ova.schema.objective == "multiclassova num_class:3 sigmoid:1")
        let categorical = try Self.load("lgbm_categorical")
        #expect(categorical.schema.featureNames == ["c0", "c1", "c2"] + (0..<10).map { "f\($0)" })
        for name in ["lgbm_regression", "lgbm_regression_l1", "lgbm_huber", "lgbm_poisson", "lgbm_gamma", "lgbm_tweedie"] {
            let regressor = try Self.load(name)
            #expect(regressor.schema.task == .regression)
            #expect(regressor.schema.classes.isEmpty)
            #expect(regressor.schema.objective == String(name.dropFirst("lgbm_".count)))
            #expect(regressor.schema.treeCount == 30)
        }
    }

    @Test func concurrentPredictionsAgree() async throws {
        let model = try Self.load("lgbm_multiclass")
        let (_, input) = try Self.inputs(Case(model: "lgbm_multiclass", nan: true), count: 200)
        let expected = model.predict(input).margins.map(\.bitPattern)
        let explained = model.explain(input).values.map(\.bitPattern)
        let results = await withTaskGroup(of: ([UInt32], [UInt64]).self) { group in
            for _ in 0..<8 {
                group.addTask { (model.predict(input).margins.map(\.bitPattern), model.explain(input).values.map(\.bitPattern)) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 8)
        #expect(results.allSatisfy { $0.0 == expected && $0.1 == explained })
    }
}
