import Foundation
import NIOHTTP1
import Testing

/// An ONNX model (`onnx_rf_binary`, skl2onnx's conversion of a random forest) served end to end: its
/// description in the management API and the console, the three API families' answers against
/// onnxruntime's, and an explanation refused with its reason (ONNX keeps no training covers).
@Suite(.serialized) struct ONNXServingTests {
    /// The answer's class-1 probabilities against onnxruntime's in `reference` (a fixture's CSV), as many
    /// and each within 1e-5 relative.
    static func expectOnnxruntimes(_ answer: TestNode.Answer, _ reference: String) throws {
        let expected = try Fixtures.table(reference).rows.map { $0[0]! }
        let probabilities = try #require(answer.positiveProbabilities)
        #expect(probabilities.count == expected.count)
        let worst = zip(probabilities, expected).map { abs($0 - $1) / max(abs($1), 1e-30) }.max()!
        #expect(worst <= 1e-5, "largest relative difference from onnxruntime: \(worst)")
    }

    @Test func anONNXModelIsServedAsOnnxruntimePredicts() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let upload = try await node.call(.POST, "/api/v1/projects/1/models?name=forest", body: try Fixtures.bytes("onnx_rf_binary/model.onnx"))
        #expect(upload.status == 201, "\(upload.text)")
        #expect(upload["format"] as? String == "onnx")
        #expect(upload["task"] as? String == "binary")
        #expect(upload["tree_count"] as? Int == 20)
        let model = try #require(upload["model_id"] as? String)
        let features = try #require(upload["features"] as? [[String: Any]])
        #expect(features.map { $0["name"] as? String } == (0..<30).map { "f\($0)" })

        let api = try await node.createAPI(model: model, type: "official")
        let csv = try Fixtures.bytes("data/X_test_nan.csv")
        let labels = try Fixtures.table("onnx_rf_binary/label_nan.csv").rows.map { String(Int($0[0]!)) }
        let answer = try await node.predict(api.id, key: api.key, body: csv, headers: [("Content-Type", "text/csv")])
        #expect(answer.status == 200, "\(answer.text.prefix(300))")
        try Self.expectOnnxruntimes(answer, "onnx_rf_binary/pred_nan.csv")
        let predictions = try #require(answer["predictions"] as? [[String: Any]])
        #expect(predictions.map { $0["label"] as? String } == labels)

        let explained = try await node.predict(api.id, key: api.key, body: csv, headers: [("Content-Type", "text/csv")], query: "explain=true")
        #expect(explained.status == 422 && explained.errorCode == "invalid_input", "\(explained.text.prefix(300))")
        #expect(explained.text.contains("keeps no training covers"), "\(explained.text.prefix(300))")

        // The inference protocol and Prediction One give the same probabilities for the first rows.
        let rows = try Fixtures.table("data/X_test.csv").rows.prefix(3)
        let v2 = try await node.call(
            .POST, "/v2/models/\(api.id)/infer", token: nil,
            json: ["inputs": [["name": "input-0", "shape": [3, 30], "datatype": "FP32", "data": rows.flatMap { $0 }]]],
            headers: [("X-Api-Key", api.key)])
        #expect(v2.status == 200, "\(v2.text)")
        let v2Probabilities = try #require((v2["outputs"] as? [[String: Any]])?.last?["data"] as? [Double])
        let reference = try Fixtures.table("onnx_rf_binary/pred.csv").rows.prefix(3).map { $0[0]! }
        #expect(zip(stride(from: 1, to: 6, by: 2).map { v2Probabilities[$0] }, reference).allSatisfy { abs($0 - $1) <= 1e-5 * max(abs($1), 1e-30) })
        let one = try await PredictionOneTests.infer(node, api.id, key: api.key, json: PredictionOneTests.body(try PredictionOneTests.csv(rows: 3)))
        #expect(one.status == 200, "\(one.text)")
        let valid = try #require(try PredictionOneTests.output(one, "prediction_valid.csv"))
        #expect(zip(valid.dropFirst().map { Double($0[3])! }, reference).allSatisfy { abs($0 - $1) <= 1e-5 * max(abs($1), 1e-30) })
        let analysed = try await PredictionOneTests.infer(node, api.id, key: api.key, json: PredictionOneTests.body(try PredictionOneTests.csv(rows: 3), ar: true))
        #expect(analysed.status == 400 && analysed.text.contains("keeps no training covers"), "\(analysed.text)")

        let browser = ConsoleClient(node)
        try await browser.signIn("admin", "admin-password")
        let page = try await browser.get("/projects/1/models/\(model)")
        #expect(page.text.contains("<td>ONNX</td>") || page.text.contains(">ONNX<"), "\(page.text.prefix(2000))")
        await node.stop()
    }

    /// A scikit-learn pipeline (a scaler and a logistic regression) runs as a planned graph, and a row with
    /// a missing value is refused with its row and feature named: its arithmetic has no number for it.
    @Test func aPipelineIsServedAndRefusesMissingValues() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let upload = try await node.call(.POST, "/api/v1/projects/1/models?name=logistic", body: try Fixtures.bytes("onnx_scaler_logreg/model.onnx"))
        #expect(upload.status == 201, "\(upload.text)")
        #expect(upload["task"] as? String == "binary")
        #expect(upload["objective"] as? String == "Scaler → LinearClassifier")
        let api = try await node.createAPI(model: try #require(upload["model_id"] as? String), type: "official")

        let answer = try await node.predict(api.id, key: api.key, body: try Fixtures.bytes("data/X_test.csv"), headers: [("Content-Type", "text/csv")])
        #expect(answer.status == 200, "\(answer.text.prefix(300))")
        try Self.expectOnnxruntimes(answer, "onnx_scaler_logreg/pred.csv")

        // X_test_nan.csv's first row misses f15 (an empty cell).
        let missing = try await node.predict(api.id, key: api.key, body: try Fixtures.bytes("data/X_test_nan.csv"), headers: [("Content-Type", "text/csv")])
        #expect(missing.status == 422 && missing.errorCode == "invalid_input", "\(missing.text.prefix(300))")
        #expect(missing.text.contains("has no prediction for a missing value here"), "\(missing.text.prefix(300))")
        let firstMissing = try Fixtures.table("data/X_test_nan.csv").rows.enumerated().lazy.compactMap { row, values in
            values.firstIndex { $0 == nil }.map { (row, $0) }
        }.first!
        #expect(missing.text.contains("row \(firstMissing.0), feature f\(firstMissing.1)"), "\(missing.text.prefix(300))")
        await node.stop()
    }

    /// LinearSVC gives decision values, not probabilities: its predictions are onnxruntime's labels, with no
    /// probabilities beside them.
    /// A DictVectorizer pipeline takes records with keys left out (0, as the vectorizer reads them): the
    /// answer is onnxruntime's and says how many features were absent; the inference protocol leaves out
    /// inputs the same way; a null is a missing value, which its arithmetic refuses.
    @Test func recordsWithKeysLeftOutAreServedAsTheVectorizerReadsThem() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let upload = try await node.call(.POST, "/api/v1/projects/1/models?name=records", body: try Fixtures.bytes("onnx_dict_logreg/model.onnx"))
        #expect(upload.status == 201, "\(upload.text)")
        let features = try #require(upload["features"] as? [[String: Any]])
        #expect(features.map { $0["name"] as? String } == ["f0", "f1", "f2", "f3", "f4", "f5", "vip"])
        let api = try await node.createAPI(model: try #require(upload["model_id"] as? String), type: "official")

        let answer = try await node.predict(api.id, key: api.key, body: try Fixtures.bytes("onnx_dict_logreg/X_test.json"))
        #expect(answer.status == 200, "\(answer.text.prefix(300))")
        try Self.expectOnnxruntimes(answer, "onnx_dict_logreg/pred.csv")

        let sparse = try await node.predict(api.id, key: api.key, json: ["records": [["f0": 1.5, "vip": 1]]])
        #expect(sparse.status == 200 && sparse.header("Sibyl-Missing-Features") == ["5"], "\(sparse.text)")
        let full = try await node.predict(api.id, key: api.key, json: ["records": [["f0": 1.5, "f1": 0, "f2": 0, "f3": 0, "f4": 0, "f5": 0, "vip": 1]]])
        #expect(full.positiveProbabilities == sparse.positiveProbabilities)
        let v2 = try await node.call(
            .POST, "/v2/models/\(api.id)/infer", token: nil,
            json: ["inputs": [["name": "f0", "shape": [1], "datatype": "FP32", "data": [1.5]], ["name": "vip", "shape": [1], "datatype": "FP32", "data": [1]]]],
            headers: [("X-Api-Key", api.key)])
        #expect(v2.status == 200, "\(v2.text)")
        let v2Probabilities = try #require(((v2["outputs"] as? [[String: Any]])?.first { $0["name"] as? String == "probabilities" }?["data"] as? [Double]))
        #expect(abs(v2Probabilities[1] - (sparse.positiveProbabilities?.first ?? -1)) <= 1e-7, "\(v2Probabilities) \(sparse.text)")
        let null = try await node.predict(api.id, key: api.key, json: ["records": [["f0": NSNull()]]])
        #expect(null.status == 422 && null.text.contains("row 0, feature f0"), "\(null.text)")
        await node.stop()
    }

    /// The same pipeline over maps keyed by int64 positions (a CastMap): records keyed "0", "1", … answered as
    /// onnxruntime answers them, a key left out 0, a key past `max_map` named in a 422.
    @Test func mapsOfPositionsAreServedAsCastMapReadsThem() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let upload = try await node.call(.POST, "/api/v1/projects/1/models?name=positions", body: try Fixtures.bytes("onnx_castmap_logreg/model.onnx"))
        #expect(upload.status == 201, "\(upload.text)")
        let features = try #require(upload["features"] as? [[String: Any]])
        #expect(features.map { $0["name"] as? String } == (0..<7).map(String.init))
        let api = try await node.createAPI(model: try #require(upload["model_id"] as? String), type: "official")
        let answer = try await node.predict(api.id, key: api.key, body: try Fixtures.bytes("onnx_castmap_logreg/X_test.json"))
        #expect(answer.status == 200, "\(answer.text.prefix(300))")
        try Self.expectOnnxruntimes(answer, "onnx_castmap_logreg/pred.csv")
        let sparse = try await node.predict(api.id, key: api.key, json: ["records": [["0": 1.5, "6": 1]]])
        #expect(sparse.status == 200 && sparse.header("Sibyl-Missing-Features") == ["5"], "\(sparse.text)")
        let past = try await node.predict(api.id, key: api.key, json: ["records": [["7": 1]]])
        #expect(past.status == 422 && past.text.contains("records[0]: unknown feature \\\"7\\\""), "\(past.text)")
        await node.stop()
    }

    /// A pipeline converted from a frame with int64 columns: raw CSV rows as onnxruntime predicts them; a
    /// fraction for an integer refused in JSON and over the inference protocol; the console says what the
    /// feature takes.
    @Test func integerColumnsTakeWholeNumbers() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let upload = try await node.call(.POST, "/api/v1/projects/1/models?name=counts", body: try Fixtures.bytes("onnx_frame_integers_forest/model.onnx"))
        #expect(upload.status == 201, "\(upload.text)")
        let model = try #require(upload["model_id"] as? String)
        let api = try await node.createAPI(model: model, type: "official")
        let answer = try await node.predict(
            api.id, key: api.key, body: try Fixtures.bytes("onnx_frame_integers_forest/X_test.csv"), headers: [("Content-Type", "text/csv")])
        #expect(answer.status == 200, "\(answer.text.prefix(300))")
        let expected = try Fixtures.table("onnx_frame_integers_forest/pred.csv").rows
        let predictions = try #require(answer["predictions"] as? [[String: Any]])
        #expect(predictions.count == expected.count)
        var worst = 0.0
        for (prediction, row) in zip(predictions, expected) {
            let probabilities = try #require(prediction["probabilities"] as? [String: Double])
            for (k, value) in row.enumerated() { worst = max(worst, abs(probabilities[String(k)]! - value!)) }
        }
        #expect(worst <= 1e-5, "largest difference from onnxruntime: \(worst)")

        let fraction = try await node.predict(api.id, key: api.key, json: ["records": [["visits": 2.5]]])
        #expect(fraction.status == 422 && fraction.text.contains("takes whole numbers"), "\(fraction.text)")
        let v2 = try await node.call(
            .POST, "/v2/models/\(api.id)/infer", token: nil,
            json: ["inputs": [["name": "visits", "shape": [1], "datatype": "FP32", "data": [2.5]]]], headers: [("X-Api-Key", api.key)])
        #expect(v2.status == 422 && v2.text.contains("takes whole numbers"), "\(v2.text)")

        let browser = ConsoleClient(node)
        try await browser.signIn("admin", "admin-password")
        let page = try await browser.get("/projects/1/models/\(model)")
        #expect(page.text.contains("<code>visits</code></td><td>number</td><td>whole numbers only (the model&#39;s input is an integer)</td>"))
        await node.stop()
    }

    @Test func aClassifierOfDecisionValuesAnswersLabelsAlone() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let upload = try await node.call(.POST, "/api/v1/projects/1/models?name=svm", body: try Fixtures.bytes("onnx_linearsvc_multiclass/model.onnx"))
        #expect(upload.status == 201, "\(upload.text)")
        let api = try await node.createAPI(model: try #require(upload["model_id"] as? String), type: "official")
        let answer = try await node.predict(api.id, key: api.key, body: try Fixtures.bytes("data/X_test.csv"), headers: [("Content-Type", "text/csv")])
        #expect(answer.status == 200, "\(answer.text.prefix(300))")
        let predictions = try #require(answer["predictions"] as? [[String: Any]])
        let expected = try Fixtures.table("onnx_linearsvc_multiclass/label.csv").rows.map { String(Int($0[0]!)) }
        #expect(predictions.map { "\($0["label"] ?? "")" } == expected)
        #expect(predictions.allSatisfy { $0["probabilities"] == nil }, "\(predictions.first ?? [:])")
        await node.stop()
    }
}
