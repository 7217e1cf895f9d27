import Foundation
import SibylCore
import Testing
@testable import SibylRuntime

/// Raw rows as a user sends them: the training frame's column names and category names
/// (tools/fixtures_lightgbm.py, `lgbm_frame`), against lightgbm 4.7.0's predict on the same pandas frame.
@Suite struct RawValueTests {
    static let limits = InputLimits(maxRows: 1000, maxCells: 1 << 22)

    static func frameModel() throws -> CompiledModel {
        try LightGBMTextLoader.load(Fixtures.bytes("lgbm_frame/model.txt"))
    }

    static func decode(_ body: String, _ model: CompiledModel, _ mediaType: String = "application/json") throws -> FeatureMatrix {
        try PredictionInput.decode(Array(body.utf8), mediaType: mediaType, features: model.features, limits: limits)
    }

    /// The fixture's CSV rows as JSON records: numbers as numbers, text as strings, blanks left out.
    static func records(_ csv: String) -> String {
        let lines = csv.split(whereSeparator: \.isNewline)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false)
        let records = lines.dropFirst().map { line in
            let cells = zip(header, line.split(separator: ",", omittingEmptySubsequences: false)).compactMap { name, cell in
                cell.isEmpty ? nil : "\"\(name)\":" + (Double(cell) != nil ? String(cell) : "\"\(cell)\"")
            }
            return "{" + cells.joined(separator: ",") + "}"
        }
        return #"{"records":["# + records.joined(separator: ",") + "]}"
    }

    @Test func theModelDescribesItsCategories() throws {
        let model = try Self.frameModel()
        #expect(model.schema.featureNames == ["credit_score", "city", "monthly_income", "plan", "tenure", "age"])
        #expect(model.schema.featureTypes == [
            .number, .category(["Braga", "Faro", "Lisbon", "Porto", "Vila Real", "Évora"]), .number,
            .category(["basic", "plus", "pro"]), .number, .number,
        ])
        // Trained on codes (no pandas frame): categories known by code only.
        let codes = try LightGBMReferenceTests.load("lgbm_categorical")
        #expect(codes.schema.featureTypes == [.category([]), .category([]), .category([])] + Array(repeating: .number, count: 10))
        #expect(try LightGBMReferenceTests.load("lgbm_binary").schema.featureTypes == nil)
        let xgboost = try CompiledModel.load(Fixtures.bytes("xgb_categorical/model.json"), format: nil)
        #expect(xgboost.schema.featureTypes?.filter(\.isCategory).count == 2)
    }

    /// CSV and JSON records of raw values, with blanks and categories never seen in training ("Madrid",
    /// "enterprise"), give LightGBM's own predictions and contributions.
    @Test(arguments: [false, true])
    func rawRowsMatchLightGBM(nan: Bool) throws {
        let model = try Self.frameModel()
        let suffix = nan ? "_nan" : ""
        let csv = String(decoding: try Fixtures.bytes("lgbm_frame/X_test\(suffix).csv"), as: UTF8.self)
        #expect(csv.hasPrefix("credit score,city,"))
        #expect(csv.contains("Madrid") == nan)
        let fromCSV = try Self.decode(csv, model, "text/csv")
        let fromJSON = try Self.decode(Self.records(csv), model)
        #expect(fromCSV.values.map(\.bitPattern) == fromJSON.values.map(\.bitPattern))

        let expected = try Fixtures.table("lgbm_frame/pred\(suffix).csv").rows.map { $0[0] }
        let contributions = try Fixtures.table("lgbm_frame/contrib\(suffix).csv").rows
        #expect(fromCSV.rows == expected.count)
        let evaluator = try #require(model.evaluator as? LightGBMModel)
        let scores = evaluator.scores(fromCSV)
        let worst = zip(scores.outputs, expected).map { abs($0 - $1) / max(abs($1), 1e-300) }.max()!
        print("lgbm_frame\(suffix): worst relative prediction difference \(worst)")
        #expect(worst <= 1e-6)
        let explained = model.explain(fromCSV)
        var worstContribution = 0.0
        for row in 0..<explained.rowCount {
            for (k, value) in explained.values(row: row, group: 0).enumerated() {
                worstContribution = max(worstContribution, abs(value - contributions[row][k]))
            }
        }
        #expect(worstContribution <= 1e-5)
    }

    @Test func anUnseenCategoryIsAMissingValue() throws {
        let model = try Self.frameModel()
        let unseen = try Self.decode(#"{"records":[{"city":"Madrid","plan":"enterprise","age":40}]}"#, model)
        let missing = try Self.decode(#"{"records":[{"city":null,"age":40}]}"#, model)
        #expect(unseen.values.map(\.bitPattern) == missing.values.map(\.bitPattern))
        let named = try Self.decode(#"{"rows":[[1.5,"\u00c9vora",2,"pro",3,40]]}"#, model)
        let coded = try Self.decode(#"{"rows":[[1.5,5,2,2,3,40]]}"#, model)
        #expect(named.values == coded.values)
    }

    @Test func namesAreTakenAsWrittenInTraining() throws {
        let model = try Self.frameModel()
        let spaced = try Self.decode(#"{"records":[{"credit score":1.5,"monthly income":2}]}"#, model)
        let stored = try Self.decode(#"{"records":[{"credit_score":1.5,"monthly_income":2}]}"#, model)
        #expect(spaced.values.map(\.bitPattern) == stored.values.map(\.bitPattern))
        #expect(throws: SibylError(.invalidInput, #"records[0]: duplicate feature "credit_score""#)) {
            try Self.decode(#"{"records":[{"credit score":1.5,"credit_score":2}]}"#, model)
        }
        // XGBoost keeps names as they are: no such rule there.
        let xgboost = try CompiledModel.load(Fixtures.bytes("xgb_binary/model.json"), format: nil)
        #expect(xgboost.features.column(of: Array("f 1".utf8).withUnsafeBufferPointer { $0 }) == nil)
    }

    @Test func textWhereTheModelTakesNoNameIsRefused() throws {
        let model = try Self.frameModel()
        #expect(throws: SibylError(.invalidInput, #"records[0]: feature "age" is a number, not the text "old""#)) {
            try Self.decode(#"{"records":[{"age":"old"}]}"#, model)
        }
        #expect(throws: SibylError(.invalidInput, #"line 2, column "age": "old" is not a number"#)) {
            try Self.decode("age,city\nold,Porto\n", model, "text/csv")
        }
        let codes = try LightGBMReferenceTests.load("lgbm_categorical")
        #expect(throws: SibylError(.invalidInput, #"rows[0][0] (feature "c0") is a category the model knows by code only: send its code (a number), not "red""#)) {
            try Self.decode(#"{"rows":[["red",1,2,0,0,0,0,0,0,0,0,0,0]]}"#, codes)
        }
    }

    /// A hostile or odd `pandas_categorical` line: refused when it is no list of category lists, ignored
    /// (codes only) when its lists cannot be placed on the categorical features.
    @Test func pandasCategoricalIsChecked() throws {
        let text = String(decoding: try Fixtures.bytes("lgbm_frame/model.txt"), as: UTF8.self)
        let line = text.split(separator: "\n").last { $0.hasPrefix("pandas_categorical:") }!
        func load(_ replacement: String) throws -> CompiledModel {
            try LightGBMTextLoader.load(Array(text.replacingOccurrences(of: line, with: replacement).utf8))
        }
        for bad in ["pandas_categorical:[[\"a\"", "pandas_categorical:[[{}]]", "pandas_categorical:{}", "pandas_categorical:[1]"] {
            let error = #expect(throws: SibylError.self, "\(bad)") { try load(bad) }
            #expect(error?.code == .invalidModel && error?.message.hasPrefix("pandas_categorical: ") == true, "\(bad)")
        }
        let misplaced = try load(#"pandas_categorical:[["a","b"]]"#)
        #expect(misplaced.schema.featureTypes?[1] == .category([]))
        #expect(try load("pandas_categorical:null").schema.featureTypes?[1] == .category([]))
        let numbered = try load(#"pandas_categorical:[[10,20.5,true],["x"]]"#)
        #expect(numbered.schema.featureTypes?[1] == .category(["10", "20.5", "True"]))
    }
}
