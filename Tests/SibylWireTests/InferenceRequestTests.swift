import SibylCore
import SibylRuntime
import SibylWire
import Testing

/// The outputs a v2 `infer` request may name: each once, only those of the model's task, and never more than
/// the model gives, refused before the list is read.
@Suite struct InferenceRequestTests {
    static func schema(_ task: ModelTask) -> ModelSchema {
        ModelSchema(
            format: .xgboostJSON, task: task, objective: "test", featureNames: ["f0", "f1"],
            classes: task == .regression ? [] : ["0", "1"], treeCount: 1)
    }

    static func request(_ task: ModelTask, outputs: [String]) throws(SibylError) -> InferenceRequest {
        let list = outputs.map { "{\"name\":\"\($0)\"}" }.joined(separator: ",")
        let body = #"{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}],"outputs":["# + list + "]}"
        let schema = schema(task)
        return try InferenceRequest(
            body: Array(body.utf8), headerLength: nil, schema: schema, features: FeatureIndex(names: schema.featureNames), limits: InputLimits(maxRows: 10, maxCells: 1 << 22))
    }

    @Test func everyOutputOfTheModelOnceIsTheMost() throws {
        #expect(try Self.request(.binary, outputs: ["label", "probabilities", "margin", "contributions"]).outputs.map(\.name)
            == ["label", "probabilities", "margin", "contributions"])
        #expect(try Self.request(.regression, outputs: ["contributions", "margin", "value"]).outputs.map(\.name)
            == ["contributions", "margin", "value"])
        #expect(try Self.request(.multiclass, outputs: []).outputs.isEmpty)
    }

    @Test func anOutputAskedTwiceIsRefusedByName() {
        #expect(throws: SibylError(.invalidInput, "outputs[2]: output \"label\" is asked twice")) {
            try Self.request(.binary, outputs: ["label", "margin", "label"])
        }
    }

    /// Issue 14, item 11: one output asked 5,000 times gave an 11 MB answer.
    @Test func moreOutputsThanTheModelGivesAreRefusedAtOnce() {
        #expect(throws: SibylError(.invalidInput, "outputs: 5000 asked, but this model gives 4 (label, probabilities, margin, contributions)")) {
            try Self.request(.binary, outputs: Array(repeating: "label", count: 5_000))
        }
        #expect(throws: SibylError(.invalidInput, "outputs: 4 asked, but this model gives 3 (value, margin, contributions)")) {
            try Self.request(.regression, outputs: ["value", "margin", "contributions", "value"])
        }
    }

    @Test func anOutputOfAnotherTaskIsRefused() {
        #expect(throws: SibylError(.invalidInput, "output \"value\" is not one this model gives")) {
            try Self.request(.multiclass, outputs: ["value"])
        }
        #expect(throws: SibylError(.invalidInput, "output \"label\" is not one this model gives")) {
            try Self.request(.regression, outputs: ["label"])
        }
    }

    /// Inputs named as features are found by hash, not by a scan of the model's names: 5,000 inputs against a
    /// 200,000-feature model were a billion string comparisons.
    @Test func manyInputsAgainstAWideModelAreReadInLinearTime() throws {
        let names = (0..<200_000).map { "f\($0)" }
        let schema = ModelSchema(format: .xgboostJSON, task: .regression, objective: "test", featureNames: names, classes: [], treeCount: 1)
        let features = FeatureIndex(names: names)
        let inputs = (0..<5_000).map { #"{"name":"f\#(199_999 - $0)","shape":[1],"datatype":"FP32","data":[\#($0)]}"# }
        let body = Array((#"{"inputs":["# + inputs.joined(separator: ",") + "]}").utf8)
        var request: InferenceRequest?
        let elapsed = try ContinuousClock().measure {
            request = try InferenceRequest(body: body, headerLength: nil, schema: schema, features: features, limits: InputLimits(maxRows: 10, maxCells: 1 << 22))
        }
        #expect(request?.matrix.values[199_999] == 0)
        #expect(request?.matrix.values[194_999].isNaN == true)
        #expect(elapsed < .seconds(1), "\(elapsed)")
    }

    /// One input per feature against a wide model: the rows are held to the request's cells (rows × the
    /// model's features) before the matrix of missing values is made, as the other body formats are.
    @Test func rowsOfAWideModelAreCheckedBeforeItsMatrixIsMade() throws {
        let names = (0..<65_536).map { "f\($0)" }
        let schema = ModelSchema(format: .xgboostJSON, task: .regression, objective: "test", featureNames: names, classes: [], treeCount: 1)
        let rows = 65
        let data = Array(repeating: "0", count: rows).joined(separator: ",")
        let body = Array(#"{"inputs":[{"name":"f0","shape":[\#(rows)],"datatype":"FP32","data":[\#(data)]}]}"#.utf8)
        let limits = InputLimits(maxRows: 1_000, maxCells: 4 << 20)
        #expect(limits.rowLimit(features: names.count) == 64)
        #expect(throws: SibylError.self) {
            try InferenceRequest(body: body, headerLength: nil, schema: schema, features: FeatureIndex(names: names), limits: limits)
        }
        do {
            _ = try InferenceRequest(body: body, headerLength: nil, schema: schema, features: FeatureIndex(names: names), limits: limits)
        } catch {
            #expect(error.code == .tooManyRows && error.message.contains("65536 features"), "\(error)")
        }
    }
}
