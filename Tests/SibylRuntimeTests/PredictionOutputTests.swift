import SibylCore
import Testing
@testable import SibylRuntime

@Suite struct PredictionOutputTests {
    static let binary = Predictions(
        task: .binary, classes: ["0", "1"], rowCount: 2, marginsPerRow: 1, margins: [-5.1692753, 1.0986123],
        hasProbabilities: true, probabilities: [0.9943435, 0.0056565115, 0.25, 0.75], labels: [0, 1], values: [])

    static let regression = Predictions(
        task: .regression, classes: [], rowCount: 4, marginsPerRow: 1, margins: [12.5, .nan, 1e-5, -0.0],
        hasProbabilities: false, probabilities: [], labels: [], values: [12.5, .nan, 1e-5, -0.0])

    static let softmax = Predictions(
        task: .multiclass, classes: ["0", "1", "2"], rowCount: 2, marginsPerRow: 3, margins: [0, 1, 2, 2, 1, 0],
        hasProbabilities: false, probabilities: [], labels: [2, 0], values: [])

    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func writesClassifierJSON() {
        #expect(text(PredictionOutput.json(Self.binary)) == #"""
        {"predictions":[{"label":"0","probabilities":{"0":0.9943435,"1":0.0056565115}},{"label":"1","probabilities":{"0":0.25,"1":0.75}}]}
        """#)
        #expect(text(PredictionOutput.json(Self.softmax)) == #"{"predictions":[{"label":"2"},{"label":"0"}]}"#)
    }

    @Test func writesRegressorJSON() {
        #expect(text(PredictionOutput.json(Self.regression)) == #"{"predictions":[{"value":12.5},{"value":null},{"value":1e-05},{"value":-0.0}]}"#)
    }

    @Test func writesCSV() {
        #expect(text(PredictionOutput.csv(Self.binary)) == "label,p_0,p_1\n0,0.9943435,0.0056565115\n1,0.25,0.75\n")
        #expect(text(PredictionOutput.csv(Self.regression)) == "value\n12.5\n\n1e-05\n-0.0\n")
        #expect(text(PredictionOutput.csv(Self.softmax)) == "label\n2\n0\n")
    }

    @Test func escapesNames() {
        #expect(text(PredictionOutput.jsonString("a\"b\\c\n\u{1}é")) == #""a\"b\\c\n\u0001é""#)
        #expect(text(PredictionOutput.csvCell("a,\"b\"")) == #""a,""b""""#)
        #expect(text(PredictionOutput.csvCell("plain")) == "plain")
    }

    @Test func outputIsValidJSONThatReadsBackExactly() throws {
        let model = try CompiledModel.load(Fixtures.bytes("xgb_multiclass/model.json"), format: nil)
        let (_, rows) = try Fixtures.inputs(nan: true)
        let predictions = model.predict(FeatureMatrix(rows: 50, columns: 30, values: rows.prefix(50).flatMap { $0 }))
        guard case .object(let root) = try JSONValue.parse(PredictionOutput.json(predictions)),
              case .array(let items) = root["predictions"] else {
            Issue.record("not a predictions object")
            return
        }
        #expect(items.count == 50)
        for (row, item) in items.enumerated() {
            guard case .object(let fields) = item, case .object(let probabilities) = fields["probabilities"] else {
                Issue.record("row \(row) has no probabilities")
                continue
            }
            #expect(fields["label"] == .string(predictions.label(ofRow: row)))
            for (index, expected) in predictions.probabilities(ofRow: row).enumerated() {
                guard case .number(let written) = probabilities[String(index)] else {
                    Issue.record("row \(row) lacks class \(index)")
                    continue
                }
                #expect(Float(written).bitPattern == expected.bitPattern)
            }
        }
    }
}
