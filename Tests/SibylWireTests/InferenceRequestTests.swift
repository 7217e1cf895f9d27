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
        return try InferenceRequest(body: Array(body.utf8), headerLength: nil, schema: schema(task), maxRows: 10)
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
}
