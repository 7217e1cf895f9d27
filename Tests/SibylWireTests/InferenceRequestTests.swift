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
            body: Array(body.utf8), headerLength: nil, schema: schema, features: FeatureIndex(names: schema.featureNames), maxRows: 10)
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
            request = try InferenceRequest(body: body, headerLength: nil, schema: schema, features: features, maxRows: 10)
        }
        #expect(request?.matrix.values[199_999] == 0)
        #expect(request?.matrix.values[194_999].isNaN == true)
        #expect(elapsed < .seconds(1), "\(elapsed)")
    }
}
