import Foundation
import NIOHTTP1
import Testing

/// Versions, rollback and traffic splits through the management API, answered by the data plane's three API
/// families: every answer names the version that made it, and comes from that version's model.
@Suite struct ModelVersionServingTests {
    static var row: [String: Any] { ["records": [["f0": 1.5, "f1": -0.3, "f2": 2.0]]] }

    /// An API serving xgb_binary as v1 and lgbm_binary (the same features, other probabilities) as v2.
    static func twoVersions(_ node: TestNode) async throws -> (id: String, key: String, path: String) {
        let api = try await node.createAPI(model: try await node.uploadModel("xgb_binary"), type: "official")
        let upload = try await node.call(.POST, "/api/v1/projects/1/models?name=lgbm", body: try Fixtures.bytes("lgbm_binary/model.txt"))
        let lightgbm = try #require(upload["model_id"] as? String)
        let path = "/api/v1/projects/1/apis/\(api.id)"
        let changed = try await node.call(.PATCH, path, json: ["model_id": lightgbm])
        #expect(changed.status == 200 && changed["version"] as? Int == 2, "\(changed.text)")
        try await node.waitFor(api: api.id, status: "operating")
        return (api.id, api.key, path)
    }

    /// The version an answer names, and its probability of class "1".
    static func answer(_ node: TestNode, _ api: (id: String, key: String, path: String), key: String? = nil) async throws
        -> (version: String?, probability: Double?)
    {
        let answer = try await node.predict(api.id, key: key ?? api.key, json: row)
        #expect(answer.status == 200, "\(answer.text)")
        return (answer.header("X-Sibyl-Model-Version").first, answer.positiveProbabilities?.first)
    }

    @Test func aNewModelIsTheNextVersionAndAnyVersionCanBeMadeCurrentAgain() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let api = try await Self.twoVersions(node)
        let versions = try await node.call(.GET, "\(api.path)/versions")
        let listed = try #require(versions["results"] as? [[String: Any]])
        #expect(listed.map { $0["version"] as? Int } == [1, 2])
        #expect(listed.map { $0["current"] as? Bool } == [false, true])
        #expect(listed.map { $0["weight"] as? Int } == [0, 100])
        let v2 = try await Self.answer(node, api)
        #expect(v2.version == "2")

        // Rollback: v1 answers again, with xgb_binary's probability.
        let back = try await node.call(.PATCH, api.path, json: ["version": 1])
        #expect(back.status == 200 && back["version"] as? Int == 1 && back["model_id"] as? String == listed[0]["model_id"] as? String)
        let v1 = try await Self.answer(node, api)
        #expect(v1.version == "1" && v1.probability != nil && v1.probability != v2.probability)
        #expect(try await node.call(.PATCH, api.path, json: ["version": 1]).status == 200)  // repeating is harmless
        // And forward again, to the same answers as before.
        #expect(try await node.call(.PATCH, api.path, json: ["version": 2])["version"] as? Int == 2)
        #expect(try await Self.answer(node, api) == v2)

        // The v2 protocol names the version in its answer and lists the answering versions.
        let inferred = try await node.call(
            .POST, "/v2/models/\(api.id)/infer", token: nil,
            json: ["inputs": [["name": "input", "shape": [1, 30], "datatype": "FP32", "data": Array(repeating: 0.5, count: 30)]]],
            headers: [("X-Api-Key", api.key)])
        #expect(inferred.status == 200 && inferred["model_version"] as? String == "2", "\(inferred.text)")
        #expect(inferred.header("X-Sibyl-Model-Version") == ["2"])
        let metadata = try await node.call(.GET, "/v2/models/\(api.id)", token: nil, headers: [("X-Api-Key", api.key)])
        #expect(metadata["versions"] as? [String] == ["2"])
        // Prediction One's answer names the answering version's model, as it named the API's model before.
        let csv = try PredictionOneTests.csv(rows: 1)
        let one = try await PredictionOneTests.infer(node, api.id, key: api.key, json: PredictionOneTests.body(csv))
        #expect(one.status == 200 && one.header("X-Sibyl-Model-Version") == ["2"], "\(one.text)")

        // Refused: a version the API does not have, both fields at once, a version of text.
        for (body, message) in [
            (["version": 3] as [String: Any], "no version 3"), (["version": 1, "model_id": listed[0]["model_id"]!], "not both"),
            (["version": "1"], "version"),
        ] {
            let refused = try await node.call(.PATCH, api.path, json: body)
            #expect(refused.status == 422 && refused.errorMessage?.contains(message) == true, "\(refused.text)")
        }
        await node.stop()
    }

    @Test func aSplitSharesRequestsAndAStickyOneGivesEachKeyOneVersion() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let api = try await Self.twoVersions(node)
        let set = try await node.call(.PUT, "\(api.path)/traffic", json: ["split": [["version": 1, "weight": 30], ["version": 2, "weight": 70]]])
        #expect(set.status == 200 && set["sticky"] as? Bool == false, "\(set.text)")
        #expect((set["split"] as? [[String: Int]]) == [["version": 1, "weight": 30], ["version": 2, "weight": 70]])
        #expect((try await node.call(.GET, api.path)["traffic"] as? [String: Any])?["split"] != nil)
        let listed = try #require(try await node.call(.GET, "\(api.path)/versions")["results"] as? [[String: Any]])
        #expect(listed.map { $0["weight"] as? Int } == [30, 70])

        // 1,000 requests with one key: each draws; about 30 % from v1, each with its own model's answer.
        var answers: [String: Set<Double>] = [:]
        for _ in 0..<1_000 {
            let answer = try await Self.answer(node, api)
            answers[answer.version ?? "none", default: []].insert(answer.probability ?? -1)
        }
        #expect(Set(answers.keys) == ["1", "2"])
        #expect(answers.values.allSatisfy { $0.count == 1 }, "one probability per version: \(answers)")
        let v1Share = try await Self.shareOfV1(node, api, requests: 1_000)
        #expect((0.25...0.35).contains(v1Share), "v1 answered \(v1Share) of the requests")

        // Sticky: every key always lands on one version; keys spread over both.
        #expect(try await node.call(.PUT, "\(api.path)/traffic", json: ["split": [["version": 1, "weight": 50], ["version": 2, "weight": 50]], "sticky": true]).status == 200)
        var byKey: [String: Set<String>] = [:]
        var keys = [api.key]
        for _ in 0..<19 {
            keys.append(try #require(try await node.call(.POST, "\(api.path)/keys", json: [:])["secret"] as? String))
        }
        for key in keys {
            for _ in 0..<10 { byKey[key, default: []].insert(try await Self.answer(node, api, key: key).version ?? "none") }
        }
        #expect(byKey.values.allSatisfy { $0.count == 1 }, "\(byKey)")
        #expect(Set(byKey.values.flatMap { $0 }) == ["1", "2"])

        // The split ends: the current version answers everything again.
        let ended = try await node.call(.DELETE, "\(api.path)/traffic")
        #expect(ended.status == 200 && (ended["split"] as? [Any])?.isEmpty == true && ended["version"] as? Int == 2)
        #expect(try await Self.shareOfV1(node, api, requests: 50) == 0)
        await node.stop()
    }

    static func shareOfV1(_ node: TestNode, _ api: (id: String, key: String, path: String), requests: Int) async throws -> Double {
        var v1 = 0
        for _ in 0..<requests where try await answer(node, api).version == "1" { v1 += 1 }
        return Double(v1) / Double(requests)
    }

    /// A version added without serving answers nothing until it is given a share: a rollout that never
    /// sends all the traffic to the new model at once.
    @Test func aVersionAddedWithoutServingAnswersOnlyOnceGivenAShare() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let api = try await node.createAPI(model: try await node.uploadModel("xgb_binary"), type: "official")
        let path = "/api/v1/projects/1/apis/\(api.id)"
        let upload = try await node.call(.POST, "/api/v1/projects/1/models?name=lgbm", body: try Fixtures.bytes("lgbm_binary/model.txt"))
        let lightgbm = try #require(upload["model_id"] as? String)
        let added = try await node.call(.POST, "\(path)/versions", json: ["model_id": lightgbm])
        #expect(added.status == 201, "\(added.text)")
        let listed = try #require(added["results"] as? [[String: Any]])
        #expect(listed.map { $0["version"] as? Int } == [1, 2] && listed[1]["model_id"] as? String == lightgbm)
        #expect(listed.map { $0["current"] as? Bool } == [true, false] && listed.map { $0["weight"] as? Int } == [100, 0])
        let shown = try await node.call(.GET, path)
        #expect(shown["version"] as? Int == 1 && shown["status"] as? String == "operating")
        let triple = (api.id, api.key, path)
        for _ in 0..<20 { #expect(try await Self.answer(node, triple).version == "1") }
        #expect(try await node.call(.PUT, "\(path)/traffic", json: ["split": [["version": 1, "weight": 95], ["version": 2, "weight": 5]]]).status == 200)
        var seen: Set<String> = []
        for _ in 0..<300 { seen.insert(try await Self.answer(node, triple).version ?? "none") }
        #expect(seen == ["1", "2"])

        for (body, status) in [
            (["model_id": "mdl_aaaaaaaaaaaaaaaa"] as [String: Any], 422), ([:], 422), (["model_id": lightgbm, "version": 3], 422),
        ] {
            #expect(try await node.call(.POST, "\(path)/versions", json: body).status == status, "\(body)")
        }
        _ = try await node.call(.POST, "\(path)/lock")
        #expect(try await node.call(.POST, "\(path)/versions", json: ["model_id": lightgbm]).status == 409)
        #expect(try await node.call(.GET, "\(path)/versions")["count"] as? Int == 2)
        await node.stop()
    }

    @Test func badSplitsAreRefusedAndChangeNothing() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let api = try await Self.twoVersions(node)
        let bodies: [(Any, String)] = [
            (["split": [["version": 1, "weight": 100]]], "2 to 10 versions"),
            (["split": [["version": 1, "weight": 50], ["version": 2, "weight": 49]]], "add up to 100"),
            (["split": [["version": 1, "weight": 0], ["version": 2, "weight": 100]]], "from 1 to 99"),
            (["split": [["version": 1, "weight": 50], ["version": 1, "weight": 50]]], "once"),
            (["split": [["version": 1, "weight": 50], ["version": 9, "weight": 50]]], "no version 9"),
            (["split": [["version": 1, "weight": 50], ["version": 2]]], "a version and a weight"),
            (["split": [["version": 1, "weight": 50], ["version": 2, "weight": 50, "extra": 1]]], "extra"),
            (["split": [["version": 1, "weight": 50], ["version": 2, "weight": 50]], "sticky": "yes"], "sticky"),
            (["sticky": true], "2 to 10 versions"),
            (["split": "1:50,2:50"], "split"),
        ]
        for (body, message) in bodies {
            let refused = try await node.call(.PUT, "\(api.path)/traffic", json: body)
            #expect(refused.status == 422 && refused.errorMessage?.contains(message) == true, "\(body): \(refused.text)")
        }
        let traffic = try await node.call(.GET, "\(api.path)/traffic")
        #expect((traffic["split"] as? [Any])?.isEmpty == true && traffic["version"] as? Int == 2)
        await node.stop()
    }

    @Test func aVersionKeepsItsModelUntilItIsForgotten() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let api = try await Self.twoVersions(node)
        let listed = try #require(try await node.call(.GET, "\(api.path)/versions")["results"] as? [[String: Any]])
        let first = try #require(listed[0]["model_id"] as? String)
        let kept = try await node.call(.DELETE, "/api/v1/projects/1/models/\(first)")
        #expect(kept.status == 409 && kept.errorMessage?.contains("API \(api.id) v1") == true, "\(kept.text)")
        // A version that answers cannot be forgotten: the current one, or one in the split.
        #expect(try await node.call(.DELETE, "\(api.path)/versions/2").status == 409)
        _ = try await node.call(.PUT, "\(api.path)/traffic", json: ["split": [["version": 1, "weight": 50], ["version": 2, "weight": 50]]])
        #expect(try await node.call(.DELETE, "\(api.path)/versions/1").status == 409)
        _ = try await node.call(.DELETE, "\(api.path)/traffic")
        #expect(try await node.call(.DELETE, "\(api.path)/versions/9").status == 404)
        #expect(try await node.call(.DELETE, "\(api.path)/versions/one").status == 404)
        // Locked: versions stay.
        _ = try await node.call(.POST, "\(api.path)/lock")
        #expect(try await node.call(.DELETE, "\(api.path)/versions/1").status == 409)
        #expect(try await node.call(.PATCH, api.path, json: ["version": 1]).status == 409)
        #expect(try await node.call(.PUT, "\(api.path)/traffic", json: ["split": [["version": 1, "weight": 50], ["version": 2, "weight": 50]]]).status == 409)
        _ = try await node.call(.POST, "\(api.path)/unlock")
        #expect(try await node.call(.DELETE, "\(api.path)/versions/1").status == 204)
        #expect(try await node.call(.GET, "\(api.path)/versions")["count"] as? Int == 1)
        #expect(try await node.call(.PATCH, api.path, json: ["version": 1]).status == 422)
        #expect(try await node.call(.DELETE, "/api/v1/projects/1/models/\(first)").status == 204)
        // A new model still gets a new number: numbers are never given twice.
        let again = try await node.call(.PATCH, api.path, json: ["model_id": try await node.uploadModel("xgb_binary")])
        #expect(again["version"] as? Int == 3)
        #expect((again["versions"] as? [[String: Any]])?.map { $0["version"] as? Int } == [2, 3])
        await node.stop()
    }
}
