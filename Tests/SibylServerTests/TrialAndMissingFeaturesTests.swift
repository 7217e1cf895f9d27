import Foundation
import NIOHTTP1
import SibylApp
import SibylCore
import SibylServer
import Testing

/// What a prediction costs a trial API (nothing when it is refused for its input), features a request leaves
/// out (counted, or refused when the API says so), and the whitelist refusal naming the caller.
@Suite(.serialized) struct TrialAndMissingFeaturesTests {
    static var allFeatures: [String: Any] { Dictionary(uniqueKeysWithValues: (0..<30).map { ("f\($0)", 0.5 as Any) }) }

    @Test func badInputUsesNoTrialRequestAndAnExhaustedTrialRefusesBeforeTheBody() async throws {
        let node = try await TestNode { $0.maxPredictBodyBytes = 64 << 10 }
        defer { node.removeData() }
        let model = try await node.uploadModel("xgb_binary")
        let api = try await node.createAPI(model: model, type: "trial")
        let refusing = try await node.createAPI(model: model, type: "trial")
        _ = try await node.call(.PATCH, "/api/v1/projects/1/apis/\(refusing.id)", json: ["missing_features": "refuse"])
        // Every kind of bad input, on every route: none uses a request.
        let bad: [TestNode.Answer] = [
            try await node.predict(api.id, key: api.key, json: ["records": [["nope": 1]]]),
            try await node.predict(api.id, key: api.key, json: ["records": [["f0": "high"]]]),
            try await node.predict(api.id, key: api.key, body: Array("<x/>".utf8), headers: [("Content-Type", "text/xml")]),
            try await node.predict(api.id, key: api.key, body: Array("{\"records\": [".utf8)),
            try await node.predict(api.id, key: api.key, json: ["records": [["f0": 1]]], query: "explain=maybe"),
            try await PredictionOneTests.infer(node, api.id, key: api.key, raw: Array("{\"inputs\": 7".utf8)),
            try await PredictionOneTests.infer(node, api.id, key: api.key, json: PredictionOneTests.body("nope\n1\n")),
            try await node.call(
                .POST, "/v2/models/\(api.id)/infer", token: nil, json: ["inputs": [["name": "nope", "shape": [1], "datatype": "FP32", "data": [1]]]],
                headers: [("X-Api-Key", api.key)]),
            try await node.predict(refusing.id, key: refusing.key, json: ["records": [["f0": 1]]]),
        ]
        #expect(bad.map(\.status) == [422, 422, 415, 400, 422, 400, 400, 422, 422], "\(bad.map(\.text))")
        let info = try await node.call(.GET, "/api/v1/projects/1/apis/\(api.id)")
        #expect(info["requests_used"] as? Int == 0 && info["requests_left"] as? Int == 100 && info["exhausted"] as? Bool == false)
        #expect(try await node.call(.GET, "/api/v1/projects/1/apis/\(refusing.id)")["requests_used"] as? Int == 0)

        // All 100 requests are still there.
        for _ in 0..<100 {
            let answer = try await node.predict(api.id, key: api.key, json: ["records": [["f0": 1]]])
            #expect(answer.status == 200, "\(answer.text)")
        }
        let exhausted = try await node.call(.GET, "/api/v1/projects/1/apis/\(api.id)")
        #expect(exhausted["requests_left"] as? Int == 0 && exhausted["exhausted"] as? Bool == true)
        // Exhausted: 429 before the body is read, whatever the body (too large, broken, or fine).
        for answer in [
            try await node.predict(api.id, key: api.key, body: Array(repeating: 0x20, count: 65 << 10)),
            try await node.predict(api.id, key: api.key, body: Array("{\"records\": [".utf8)),
            try await node.predict(api.id, key: api.key, json: ["records": [["f0": 1]]]),
        ] {
            #expect(answer.status == 429 && answer.errorCode == "trial_limit_reached", "\(answer.text)")
        }
        let p1 = try await PredictionOneTests.infer(node, api.id, key: api.key, raw: Array("{".utf8))
        #expect(p1.status == 429 && PredictionOneTests.error(p1).0 == 4_291_030_301)
        // Promoted to official, it serves again (its one API option is free).
        #expect(try await node.call(.PATCH, "/api/v1/projects/1/apis/\(api.id)", json: ["type": "official"]).status == 200)
        #expect(try await node.predict(api.id, key: api.key, json: ["records": [["f0": 1]]]).status == 200)
        await node.stop()
    }

    @Test func absentFeaturesAreCountedOrRefusedAsTheAPISays() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let model = try await node.uploadModel("xgb_binary")
        let api = try await node.createAPI(model: model, type: "official")
        let path = "/api/v1/projects/1/apis/\(api.id)"
        #expect(try await node.call(.GET, path)["missing_features"] as? String == "allow")

        // Allowed: answered, with the count of features absent from any record; a null is missing but not absent.
        let some = try await node.predict(api.id, key: api.key, json: ["records": [["f0": 1, "f1": NSNull()], ["f0": 2, "f2": 1]]])
        #expect(some.status == 200 && some.header("Sibyl-Missing-Features") == ["29"], "\(some.headers)")
        var nulls = Self.allFeatures
        nulls["f7"] = NSNull()
        let complete = try await node.predict(api.id, key: api.key, json: ["records": [Self.allFeatures, nulls]])
        #expect(complete.status == 200 && complete.header("Sibyl-Missing-Features").isEmpty)
        let rows = try await node.predict(api.id, key: api.key, json: ["rows": [Array(repeating: 0.5, count: 30)]])
        #expect(rows.status == 200 && rows.header("Sibyl-Missing-Features").isEmpty)
        let csv = try await node.predict(api.id, key: api.key, body: Array("f3,f1\n1,\n".utf8), headers: [("Content-Type", "text/csv")])
        #expect(csv.status == 200 && csv.header("Sibyl-Missing-Features") == ["28"])
        let compatible = try await PredictionOneTests.infer(node, api.id, key: api.key, json: PredictionOneTests.body("f0,f1\n1,2\n"))
        #expect(compatible.status == 200 && compatible.header("Sibyl-Missing-Features") == ["28"])
        let v2 = try await node.call(
            .POST, "/v2/models/\(api.id)/infer", token: nil, json: ["inputs": [["name": "f4", "shape": [1], "datatype": "FP32", "data": [1]]]],
            headers: [("X-Api-Key", api.key)])
        #expect(v2.status == 200 && v2.header("Sibyl-Missing-Features") == ["29"], "\(v2.text)")

        // Refused: 422 naming the first five, on every route; a complete request still answers.
        let patched = try await node.call(.PATCH, path, json: ["missing_features": "refuse"])
        #expect(patched.status == 200 && patched["missing_features"] as? String == "refuse", "\(patched.text)")
        let refused = try await node.predict(api.id, key: api.key, json: ["records": [Self.allFeatures, ["f0": 1]]])
        #expect(refused.status == 422 && refused.errorCode == "missing_features", "\(refused.text)")
        #expect(
            refused.errorMessage?.contains("leaves out 29 of the model's 30 features (\"f1\", \"f2\", \"f3\", \"f4\", \"f5\" and 24 more)")
                == true, "\(refused.text)")
        let fewMissing = try await node.predict(
            api.id, key: api.key, body: Array("\((0..<28).map { "f\($0)" }.joined(separator: ","))\n\(Array(repeating: "1", count: 28).joined(separator: ","))\n".utf8),
            headers: [("Content-Type", "text/csv")])
        #expect(fewMissing.status == 422 && fewMissing.errorMessage?.contains("(\"f28\", \"f29\");") == true, "\(fewMissing.text)")
        #expect(try await node.predict(api.id, key: api.key, json: ["records": [nulls]]).status == 200)
        let compatibleRefused = try await PredictionOneTests.infer(node, api.id, key: api.key, json: PredictionOneTests.body("f0,f1\n1,2\n"))
        #expect(compatibleRefused.status == 400 && (compatibleRefused["detail"] as? String)?.contains("leaves out 28") == true)
        let v2Refused = try await node.call(
            .POST, "/v2/models/\(api.id)/infer", token: nil, json: ["inputs": [["name": "f4", "shape": [1], "datatype": "FP32", "data": [1]]]],
            headers: [("X-Api-Key", api.key)])
        #expect(v2Refused.status == 422 && v2Refused.errorCode == "missing_features")
        #expect(try await node.call(.PATCH, path, json: ["missing_features": "sometimes"]).status == 422)
        await node.stop()
    }

    @Test func aWhitelistRefusalNamesTheCallersAddress() async throws {
        let node = try await TestNode { $0.trustedProxies = [try! .init("127.0.0.1/32")] }
        defer { node.removeData() }
        let api = try await node.createAPI(model: try await node.uploadModel("xgb_binary"), whitelist: ["10.0.0.0/8"])
        let direct = try await node.predict(api.id, key: api.key, json: ["records": [["f0": 1]]])
        #expect(direct.status == 403 && direct.errorMessage == "your address 127.0.0.1 is not allowed by this API's whitelist")
        let forwarded = try await node.predict(
            api.id, key: api.key, json: ["records": [["f0": 1]]], headers: [("X-Forwarded-For", "203.0.113.9")])
        #expect(forwarded.errorMessage == "your address 203.0.113.9 is not allowed by this API's whitelist", "\(forwarded.text)")
        let compatible = try await PredictionOneTests.infer(node, api.id, key: api.key, json: PredictionOneTests.body("f0\n1\n"))
        #expect(PredictionOneTests.error(compatible).2 == "Not allowed source ip")
        #expect((compatible["detail"] as? String)?.contains("127.0.0.1") == true)
        await node.stop()
    }
}
