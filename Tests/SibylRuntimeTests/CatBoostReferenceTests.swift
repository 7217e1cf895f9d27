import Foundation
import SibylCore
import Testing
@testable import SibylRuntime

/// CatBoost JSON models (tools/fixtures_catboost.py) against catboost 1.2.10's own predictions, raw
/// values and SHAP values for the same raw rows: text categories (one-hot, Borders CTRs of binary and
/// multiclass targets, a Counter CTR in cb_tiny, Buckets CTRs in cb_buckets, CTRs over combinations of
/// features in cb_combinations*), blanks, and categories never seen in training.
@Suite struct CatBoostReferenceTests {
    static let limits = InputLimits(maxRows: 1000, maxCells: 1 << 22)

    static func load(_ name: String) throws -> CompiledModel {
        try CompiledModel.load(Fixtures.bytes("\(name)/model.json"), format: nil)
    }

    @Test func theModelsDescribeThemselves() throws {
        let binary = try Self.load("cb_binary")
        #expect(binary.schema.format == .catboostJSON)
        #expect(binary.schema.task == .binary)
        #expect(binary.schema.objective == "Logloss")
        #expect(binary.schema.classes == ["0", "1"])
        #expect(binary.schema.treeCount == 60)
        #expect(binary.schema.featureNames == ["credit score", "city", "income", "plan", "tenure", "channel", "age"])
        #expect(binary.schema.featureTypes == [.number, .anyText, .number, .anyText, .number, .anyText, .number])
        let multiclass = try Self.load("cb_multiclass")
        #expect(multiclass.schema.task == .multiclass)
        #expect(multiclass.schema.classes == ["0", "1", "2"])
        let regression = try Self.load("cb_regression")
        #expect(regression.schema.task == .regression)
        #expect(regression.schema.objective == "RMSE")
        #expect(regression.schema.featureTypes == nil)
    }

    /// Raw rows as CSV and as JSON records give CatBoost's raw values, predictions and SHAP values.
    @Test(
        arguments: [
            "cb_binary", "cb_multiclass", "cb_regression", "cb_tiny", "cb_buckets", "cb_numbers", "cb_combinations",
            "cb_combinations_regression",
        ], [false, true])
    func rawRowsMatchCatBoost(name: String, nan: Bool) throws {
        let model = try Self.load(name)
        let suffix = nan ? "_nan" : ""
        // cb_numbers, the benchmark's 300 trees, is trained on the shared data set and tested on its rows.
        let rows = name == "cb_numbers" ? "data/X_test\(suffix).csv" : "\(name)/X_test\(suffix).csv"
        let csv = String(decoding: try Fixtures.bytes(rows), as: UTF8.self)
        let fromCSV = try PredictionInput.decode(Array(csv.utf8), mediaType: "text/csv", features: model.features, limits: Self.limits)
        let fromJSON = try PredictionInput.decode(
            Array(RawValueTests.records(csv).utf8), mediaType: "application/json", features: model.features, limits: Self.limits)
        #expect(fromCSV.values.map(\.bitPattern) == fromJSON.values.map(\.bitPattern))

        let evaluator = try #require(model.evaluator as? LightGBMModel)
        let scores = evaluator.scores(fromCSV)
        let margins = try Fixtures.table("\(name)/margin\(suffix).csv").rows.flatMap { $0 }
        let predictions = try Fixtures.table("\(name)/pred\(suffix).csv").rows.flatMap { $0 }
        #expect(scores.margins.count == margins.count)
        #expect(scores.outputs.count == predictions.count)
        let worstMargin = zip(scores.margins, margins).map { abs($0 - $1) / max(abs($1), 1) }.max()!
        let worstPrediction = zip(scores.outputs, predictions).map { abs($0 - $1) / max(abs($1), 1e-300) }.max()!
        #expect(worstMargin <= 1e-9)
        #expect(worstPrediction <= 1e-6)

        let explained = model.explain(fromCSV)
        let expected = try Fixtures.table("\(name)/contrib\(suffix).csv").rows
        var worstContribution = 0.0
        for row in 0..<explained.rowCount {
            let values = (0..<explained.groupCount).flatMap { explained.values(row: row, group: $0) }
            #expect(values.count == expected[row].count)
            for (value, reference) in zip(values, expected[row]) { worstContribution = max(worstContribution, abs(value - reference)) }
        }
        print("\(name)\(suffix): worst margin \(worstMargin), prediction \(worstPrediction), contribution \(worstContribution)")
        #expect(worstContribution <= 1e-5)
    }

    /// CatBoost's hashes of texts of every length CityHash 1.0 treats apart: the keys of a CTR table
    /// over those texts (`cb_hashes`) are exactly the texts' hashes as Sibyl computes them.
    @Test func textsHashAsCatBoostHashesThem() throws {
        let texts = String(decoding: try Fixtures.bytes("cb_hashes/texts.txt"), as: UTF8.self)
            .split(separator: "\n").map(String.init)
        #expect(texts.count == 23)
        #expect(texts.contains { $0.utf8.count > 128 })
        let document = try JSONReader.parse(Fixtures.bytes("cb_hashes/model.json"), as: JSONValue.self)
        guard case .object(let root) = document, case .object(let data)? = root["ctr_data"], data.count == 1,
              case .object(let table)? = data.first?.value, case .array(let cells)? = table["hash_map"] else {
            Issue.record("cb_hashes has no CTR table")
            return
        }
        var keys: Set<Int32> = []
        for start in stride(from: 0, to: cells.count, by: 3) {
            guard case .string(let text) = cells[start], let key = UInt64(text), key != .max else { continue }
            keys.insert(try #require(CatBoostCategories.category(ofKey: key)))
        }
        let hashes = texts.map { text in
            var text = text
            return text.withUTF8 { CityHash.category($0) }
        }
        #expect(Set(hashes) == keys)
        #expect(Set(hashes).count == texts.count)
    }
}
