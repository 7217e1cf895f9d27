import SibylCore
import Testing
@testable import SibylRuntime

/// Predictions and contributions of the three reference models against xgboost 3.2.0's own outputs on
/// 1,000 rows.
@Suite struct ReferenceModelTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var model: String
        var nan: Bool
        var testDescription: String { "\(model)\(nan ? " with missing values" : "")" }
    }

    static let cases = ["xgb_binary", "xgb_regressor", "xgb_multiclass"].flatMap { model in
        [Case(model: model, nan: false), Case(model: model, nan: true)]
    }

    @Test(arguments: cases)
    func matchesXGBoost(_ test: Case) throws {
        let model = try CompiledModel.load(Fixtures.bytes("\(test.model)/model.json"), format: nil)
        let (header, rows) = try Fixtures.inputs(nan: test.nan)
        #expect(header == model.schema.featureNames)
        let input = FeatureMatrix(rows: rows.count, columns: header.count, values: rows.flatMap { $0 })
        let predictions = model.predict(input)
        let suffix = test.nan ? "_nan" : ""
        let margins = try Fixtures.table("\(test.model)/margin\(suffix).csv").rows
        let expected = try Fixtures.table("\(test.model)/pred\(suffix).csv").rows
        #expect(margins.count == rows.count && expected.count == rows.count)

        var worstMargin: Float = 0, worstOutput: Float = 0
        for row in 0..<rows.count {
            for (ours, theirs) in zip(predictions.margins(ofRow: row), margins[row]) {
                worstMargin = max(worstMargin, abs(ours - Float(theirs)))
            }
            let reference = expected[row].map(Float.init)
            switch predictions.task {
            case .regression:
                worstOutput = max(worstOutput, abs(predictions.values[row] - reference[0]))
            case .binary:
                let ours = predictions.probabilities(ofRow: row)
                worstOutput = max(worstOutput, abs(ours.last! - reference[0]), abs(ours.first! - (1 - reference[0])))
                #expect(predictions.label(ofRow: row) == (reference[0] > 0.5 ? "1" : "0"))
            case .multiclass:
                for (ours, theirs) in zip(predictions.probabilities(ofRow: row), reference) {
                    worstOutput = max(worstOutput, abs(ours - theirs))
                }
                let argmax = reference.indices.max { reference[$0] < reference[$1] || (reference[$0] == reference[$1] && $0 > $1) }!
                #expect(predictions.label(ofRow: row) == String(argmax))
            }
        }
        print("\(test.testDescription): max |margin diff| \(worstMargin), max |output diff| \(worstOutput)")
        #expect(worstMargin <= 1e-6)
        #expect(worstOutput <= 1e-6)
    }

    /// Rows whose contributions are compared: all of them in an optimised build; every tenth in a debug
    /// build, where TreeSHAP runs about ten times slower.
    static let explainedRows: StrideTo<Int> = {
        #if DEBUG
        stride(from: 0, to: 1000, by: 10)
        #else
        stride(from: 0, to: 1000, by: 1)
        #endif
    }()

    /// XGBoost accumulates contributions and margins in float32, so its own values carry rounding errors
    /// that grow with their size (its regressor's contributions miss its margins by up to 3.1e-5 where
    /// margins reach 43); differences are therefore measured relative to max(1, |value|).
    static func difference(_ ours: Double, _ theirs: Double) -> Double {
        abs(ours - theirs) / max(1, abs(theirs))
    }

    @Test(arguments: cases)
    func explainsLikeXGBoost(_ test: Case) throws {
        let model = try CompiledModel.load(Fixtures.bytes("\(test.model)/model.json"), format: nil)
        let (header, allRows) = try Fixtures.inputs(nan: test.nan)
        let (expectedHeader, allExpected) = try Fixtures.table("\(test.model)/contribs\(test.nan ? "_nan" : "").csv")
        #expect(allExpected.count == allRows.count)
        let rows = Self.explainedRows.map { allRows[$0] }, expected = Self.explainedRows.map { allExpected[$0] }
        let input = FeatureMatrix(rows: rows.count, columns: header.count, values: rows.flatMap { $0 })
        let contributions = model.explain(input)
        let margins = model.predict(input).margins
        let groups = contributions.groupCount, width = header.count + 1
        #expect(expectedHeader.count == groups * width)

        var worst = 0.0, worstRelative = 0.0, worstSum = 0.0
        for row in 0..<rows.count {
            for group in 0..<groups {
                let ours = contributions.values(row: row, group: group)
                for (a, b) in zip(ours, expected[row][group * width..<(group + 1) * width]) {
                    worst = max(worst, abs(a - b))
                    worstRelative = max(worstRelative, Self.difference(a, b))
                }
                worstSum = max(worstSum, Self.difference(ours.reduce(0, +), Double(margins[row * groups + group])))
            }
        }
        print("\(test.testDescription): max |contribution diff| \(worst) (relative \(worstRelative)), max relative |sum - margin| \(worstSum)")
        #expect(worstRelative <= 1e-5)
        #expect(worstSum <= 1e-5)
    }

    @Test func concurrentExplanationsAgree() async throws {
        let model = try CompiledModel.load(Fixtures.bytes("xgb_multiclass/model.json"), format: nil)
        let (_, rows) = try Fixtures.inputs(nan: true)
        let input = FeatureMatrix(rows: 20, columns: 30, values: rows.prefix(20).flatMap { $0 })
        let expected = model.explain(input).values.map(\.bitPattern)
        let results = await withTaskGroup(of: [UInt64].self) { group in
            for _ in 0..<8 { group.addTask { model.explain(input).values.map(\.bitPattern) } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 8)
        #expect(results.allSatisfy { $0 == expected })
    }

    @Test func schemaDescribesTheModels() throws {
        let binary = try CompiledModel.load(Fixtures.bytes("xgb_binary/model.json"), format: .xgboostJSON)
        #expect(binary.schema == ModelSchema(
            format: .xgboostJSON, task: .binary, objective: "binary:logistic",
            featureNames: (0..<30).map { "f\($0)" }, classes: ["0", "1"], treeCount: 300))
        let multiclass = try CompiledModel.load(Fixtures.bytes("xgb_multiclass/model.json"), format: nil)
        #expect(multiclass.schema.task == .multiclass)
        #expect(multiclass.schema.classes == ["0", "1", "2"])
        let regressor = try CompiledModel.load(Fixtures.bytes("xgb_regressor/model.json"), format: nil)
        #expect(regressor.schema.task == .regression)
        #expect(regressor.schema.classes.isEmpty)
        #expect(regressor.schema.treeCount == 200)
    }

    @Test func concurrentPredictionsAgree() async throws {
        let model = try CompiledModel.load(Fixtures.bytes("xgb_multiclass/model.json"), format: nil)
        let (_, rows) = try Fixtures.inputs(nan: true)
        let input = FeatureMatrix(rows: rows.count, columns: 30, values: rows.flatMap { $0 })
        let expected = model.predict(input).margins.map(\.bitPattern)
        let results = await withTaskGroup(of: [UInt32].self) { group in
            for _ in 0..<8 { group.addTask { model.predict(input).margins.map(\.bitPattern) } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 8)
        #expect(results.allSatisfy { $0 == expected })
    }
}
