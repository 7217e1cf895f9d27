import Foundation
import NIOHTTP1
import SibylApp
import SibylCore
@testable import SibylDataPlane
import SibylServer
import SibylWire
import Testing

/// Issue 14, items 11 and 14 at the node: a request cannot ask for an answer much larger than itself (each
/// v2 output once, and every answer within `maxAnswerBytes`, estimated before evaluation), and a multipart
/// body costs time linear in its size even before sign-in.
@Suite(.serialized) struct AnswerAndBodyLimitTests {
    /// The schema of the `xgb_binary` fixture, for the estimates the node makes.
    static let binarySchema = ModelSchema(
        format: .xgboostJSON, task: .binary, objective: "binary:logistic", featureNames: (0..<30).map { "f\($0)" },
        classes: ["0", "1"], treeCount: 0)

    static func rows(_ count: Int) throws -> [[Any]] {
        try Fixtures.table("data/X_test_nan.csv").rows.prefix(count).map { $0.map { $0 as Any? ?? NSNull() } }
    }

    static func v2Body(rows: [[Any]], outputs: [String]) -> [String: Any] {
        ["inputs": [["name": "x", "shape": [rows.count, 30], "datatype": "FP32", "data": rows]],
         "outputs": outputs.map { ["name": $0] }]
    }

    /// Item 11: one output asked 5,000 times gave an 11 MB answer; now the list is refused before it is read.
    @Test func aV2OutputAskedManyTimesIsRefusedByName() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let api = try await node.createAPI(model: try await node.uploadModel("xgb_binary"), type: "official")
        let key = [("X-Api-Key", api.key)]
        let many = try await node.call(
            .POST, "/v2/models/\(api.id)/infer", token: nil, json: Self.v2Body(rows: try Self.rows(1), outputs: Array(repeating: "label", count: 5_000)),
            headers: key)
        #expect(many.status == 422 && many.errorCode == "invalid_input")
        #expect(many.errorMessage == "outputs: 5000 asked, but this model gives 4 (label, probabilities, margin, contributions)")
        let twice = try await node.call(
            .POST, "/v2/models/\(api.id)/infer", token: nil, json: Self.v2Body(rows: try Self.rows(1), outputs: ["contributions", "contributions"]),
            headers: key)
        #expect(twice.status == 422 && twice.errorCode == "invalid_input")
        #expect(twice.errorMessage == "outputs[1]: output \"contributions\" is asked twice")
        let all = try await node.call(
            .POST, "/v2/models/\(api.id)/infer", token: nil,
            json: Self.v2Body(rows: try Self.rows(2), outputs: ["label", "probabilities", "margin", "contributions"]), headers: key)
        #expect(all.status == 200, "\(all.text)")
        #expect((all["outputs"] as? [[String: Any]])?.map { $0["shape"] as? [Int] } == [[2], [2, 2], [2, 1], [2, 1, 31]])
        await node.stop()
    }

    /// The limit is the estimate of 20 rows of every output: 20 rows pass, 21 are refused before evaluation.
    @Test func aV2AnswerIsBoundedAtTheLimit() async throws {
        let outputs = ["label", "probabilities", "margin", "contributions"].map { InferenceRequest.Output(name: $0, binary: false) }
        let limit = AnswerBudget.inference(outputs: outputs, rows: 20, schema: Self.binarySchema, id: nil)
        let over = AnswerBudget.inference(outputs: outputs, rows: 21, schema: Self.binarySchema, id: nil)
        let node = try await TestNode { $0.maxAnswerBytes = limit }
        defer { node.removeData() }
        let api = try await node.createAPI(model: try await node.uploadModel("xgb_binary"), type: "official")
        func infer(_ rows: Int) async throws -> TestNode.Answer {
            try await node.call(
                .POST, "/v2/models/\(api.id)/infer", token: nil, json: Self.v2Body(rows: try Self.rows(rows), outputs: outputs.map(\.name)),
                headers: [("X-Api-Key", api.key)])
        }
        let atLimit = try await infer(20)
        #expect(atLimit.status == 200, "\(atLimit.text)")
        #expect(atLimit.body.count <= limit)
        let refused = try await infer(21)
        #expect(refused.status == 413 && refused.errorCode == "answer_too_large")
        #expect(
            refused.errorMessage
                == "the answer would take up to \(over) bytes, more than the limit of \(limit); ask for fewer rows or outputs")
        await node.stop()
    }

    /// `/predict?explain=true` names every feature in every row: the same limit applies.
    @Test func anExplainedPredictAnswerIsBoundedAtTheLimit() async throws {
        let limit = AnswerBudget.predict(rows: 30, schema: Self.binarySchema, explain: true)
        let node = try await TestNode { $0.maxAnswerBytes = limit }
        defer { node.removeData() }
        let api = try await node.createAPI(model: try await node.uploadModel("xgb_binary"), type: "official")
        let atLimit = try await node.predict(api.id, key: api.key, json: ["rows": try Self.rows(30)], query: "explain=true")
        #expect(atLimit.status == 200, "\(atLimit.text)")
        #expect(atLimit.body.count <= limit)
        let refused = try await node.predict(api.id, key: api.key, json: ["rows": try Self.rows(31)], query: "explain=true")
        #expect(refused.status == 413 && refused.errorCode == "answer_too_large")
        // Without contributions the same rows are far within the limit.
        #expect(try await node.predict(api.id, key: api.key, json: ["rows": try Self.rows(31)]).status == 200)
        await node.stop()
    }

    /// Prediction One's flags repeat the input and add reasons: its answer is bounded the same way, refused
    /// with the call's own 400.
    @Test func aPredictionOneAnswerIsBoundedAtTheLimit() async throws {
        func body(_ rows: Int) throws -> [String: Any] {
            PredictionOneTests.body(try PredictionOneTests.csv(rows: rows), ar: true, ad: true, nr: false, pc: "f0")
        }
        func estimate(_ rows: Int) throws -> Int {
            let request = try PredictionOneRequest(Array(try JSONSerialization.data(withJSONObject: try body(rows))))
            return AnswerBudget.predictionOne(request, rows: rows, schema: Self.binarySchema)
        }
        let limit = try estimate(10)
        let node = try await TestNode { $0.maxAnswerBytes = limit }
        defer { node.removeData() }
        let api = try await node.createAPI(model: try await node.uploadModel("xgb_binary"), type: "official")
        let atLimit = try await PredictionOneTests.infer(node, api.id, key: api.key, json: try body(10))
        #expect(atLimit.status == 200, "\(atLimit.text)")
        #expect(atLimit.body.count <= limit)
        let refused = try await PredictionOneTests.infer(node, api.id, key: api.key, json: try body(11))
        #expect(PredictionOneTests.error(refused) == (4_001_030_104, "BAD_REQUEST", "Invalid request"))
        #expect(
            refused["detail"] as? String
                == "the answer would take up to \(try estimate(11)) bytes, more than the limit of \(limit); ask for fewer rows or outputs")
        await node.stop()
    }

    /// Item 14: a 70,000-character boundary on the sign-in form took 7 s per 256 KB; now the boundary is
    /// refused by RFC 2046's grammar, and a body made to defeat a naive search with the longest valid one is
    /// read in linear time.
    @Test func aHostileMultipartSignInIsRefusedAtOnce() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let browser = ConsoleClient(node)
        let body = [UInt8](repeating: UInt8(ascii: "-"), count: 256 << 10)
        for (boundary, message) in [
            (String(repeating: "-", count: 70_000), "multipart boundary must be 1 to 70 characters"),
            (String(repeating: "-", count: 69) + "a", "multipart body is not well-formed: no boundary"),
        ] {
            let start = ContinuousClock.now
            let answer = try await browser.send(.POST, "/login", body: body, contentType: "multipart/form-data; boundary=\(boundary)")
            #expect(ContinuousClock.now - start < .seconds(2))
            #expect(answer.status == 400)
            #expect(answer.text.contains(message), "\(answer.text.prefix(2_000))")
        }
        // The model upload reads multipart the same way, as a JSON error.
        let upload = try await node.call(
            .POST, "/api/v1/projects/1/models", body: Array("--a b \r\n\r\n--a b --".utf8),
            headers: [("Content-Type", "multipart/form-data; boundary=\"a b \"")])
        #expect(upload.status == 400 && upload.errorCode == "malformed_body")
        #expect(upload.errorMessage == "the multipart boundary must be 1 to 70 characters: letters, digits, '()+_,-./:=? and inner spaces")
        await node.stop()
    }
}
