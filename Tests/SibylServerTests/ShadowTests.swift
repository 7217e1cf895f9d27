import Foundation
import NIOHTTP1
import SibylApp
import Testing

/// A shadow version gets a copy of each answered request and never answers: the answers stay the answering
/// version's, byte for byte, and the comparison is the two libraries' own difference.
@Suite struct ShadowTests {
    /// Every test row, as `rows` in the models' column order.
    static func allRows() throws -> [String: Any] {
        let table = try Fixtures.table("data/X_test.csv")
        return ["rows": table.rows.map { $0.map { $0 as Any? ?? NSNull() } }]
    }

    /// xgb_binary serving as v1, lgbm_binary added as v2 (not answering).
    static func api(_ node: TestNode, configure: Bool = true) async throws -> (id: String, key: String, path: String) {
        let api = try await node.createAPI(model: try await node.uploadModel("xgb_binary"), type: "official")
        let path = "/api/v1/projects/1/apis/\(api.id)"
        let upload = try await node.call(.POST, "/api/v1/projects/1/models?name=lgbm", body: try Fixtures.bytes("lgbm_binary/model.txt"))
        let added = try await node.call(.POST, "\(path)/versions", json: ["model_id": try #require(upload["model_id"] as? String)])
        #expect(added.status == 201)
        return (api.id, api.key, path)
    }

    /// The shadow's day of `version`, once it has `requests + failed + skipped` requests in it.
    static func day(_ node: TestNode, _ path: String, version: Int, seen: Int) async throws -> [String: Any] {
        let answer = try await node.poll("\(path)/shadow") { answer in
            let day = (answer["days"] as? [[String: Any]])?.first { $0["version"] as? Int == version }
            return ["requests", "failed", "skipped"].compactMap { day?[$0] as? Int }.reduce(0, +) >= seen
        }
        return try #require((answer["days"] as? [[String: Any]])?.first { $0["version"] as? Int == version }, "\(answer.text)")
    }

    @Test func aShadowComparesAsTheLibrariesDifferAndChangesNoAnswer() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let api = try await Self.api(node)
        let rows = try Self.allRows()
        let before = try await node.predict(api.id, key: api.key, json: rows)
        let set = try await node.call(.PUT, "\(api.path)/shadow", json: ["version": 2])
        #expect(set.status == 200 && set["version"] as? Int == 2, "\(set.text)")
        #expect(try await node.call(.GET, api.path)["shadow"] as? Int == 2)
        let after = try await node.predict(api.id, key: api.key, json: rows)
        #expect(after.status == 200 && after.body == before.body && after.header("X-Sibyl-Model-Version") == ["1"])

        // What xgboost and LightGBM themselves answer for these rows: labels at 0.5, and |p1 - p1'| twice
        // per row (class 0's probability differs by as much as class 1's).
        let xgboost = try Fixtures.table("xgb_binary/pred.csv").rows.map { $0[0]! }
        let lightgbm = try Fixtures.table("lgbm_binary/pred.csv").rows.map { $0[0]! }
        let agreed = zip(xgboost, lightgbm).filter { ($0 >= 0.5) == ($1 >= 0.5) }.count
        let differences = zip(xgboost, lightgbm).map { abs($0 - $1) }
        let day = try await Self.day(node, api.path, version: 2, seen: 1)
        #expect(day["requests"] as? Int == 1 && day["rows"] as? Int == xgboost.count && day["failed"] as? Int == 0)
        let agreement = try #require(day["label_agreement"] as? Double)
        #expect(abs(agreement - Double(agreed) / Double(xgboost.count)) < 1e-12, "\(agreement) vs \(agreed)")
        #expect(agreement < 1)  // the two models disagree on some rows: the comparison is not trivially 1
        let mean = try #require(day["mean_abs_difference"] as? Double)
        let maximum = try #require(day["max_abs_difference"] as? Double)
        #expect(abs(mean - differences.reduce(0, +) / Double(differences.count)) < 1e-5, "\(mean)")
        #expect(abs(maximum - differences.max()!) < 1e-5, "\(maximum)")

        // Ended: answers stay as they were, nothing more is compared, the day stays.
        let ended = try await node.call(.DELETE, "\(api.path)/shadow")
        #expect(ended["version"] is NSNull && (ended["days"] as? [Any])?.count == 1)
        #expect(try await node.predict(api.id, key: api.key, json: rows).body == before.body)
        await node.stop()
    }

    @Test func aShadowThatCannotAnswerFailsAloneAndTheRulesHold() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let api = try await Self.api(node)
        // A multiclass model reads the same features but answers other classes: nothing to compare.
        let multiclass = try await node.uploadModel("xgb_multiclass")
        _ = try await node.call(.POST, "\(api.path)/versions", json: ["model_id": multiclass])
        #expect(try await node.call(.PUT, "\(api.path)/shadow", json: ["version": 3]).status == 200)
        let answer = try await node.predict(api.id, key: api.key, json: ["records": [["f0": 1]]])
        #expect(answer.status == 200 && answer.header("X-Sibyl-Model-Version") == ["1"])
        let day = try await Self.day(node, api.path, version: 3, seen: 1)
        #expect(day["failed"] as? Int == 1 && day["requests"] as? Int == 0 && day["label_agreement"] is NSNull)

        // A shadow cannot be forgotten; an unknown version, a missing one and a locked API are refused.
        #expect(try await node.call(.DELETE, "\(api.path)/versions/3").status == 409)
        for (body, status) in [(["version": 9] as [String: Any], 422), ([:], 422), (["version": "2"], 422)] {
            #expect(try await node.call(.PUT, "\(api.path)/shadow", json: body).status == status, "\(body)")
        }
        _ = try await node.call(.POST, "\(api.path)/lock")
        #expect(try await node.call(.PUT, "\(api.path)/shadow", json: ["version": 2]).status == 409)
        #expect(try await node.call(.DELETE, "\(api.path)/shadow").status == 409)
        #expect(try await node.call(.GET, "\(api.path)/shadow?from=2026-13-01").status == 422)
        await node.stop()
    }

    /// The queue's cells are bounded: a request at the limit waits for its shadow, one row more is skipped
    /// (counted, not compared), and the answer is the same either way.
    @Test func aRequestOverTheShadowQueueIsSkippedNotWaitedFor() async throws {
        let node = try await TestNode { $0.shadowQueueCells = 10 * 30 }
        defer { node.removeData() }
        let api = try await Self.api(node)
        _ = try await node.call(.PUT, "\(api.path)/shadow", json: ["version": 2])
        let table = try Fixtures.table("data/X_test.csv").rows.map { $0.map { $0 as Any? ?? NSNull() } }
        #expect(try await node.predict(api.id, key: api.key, json: ["rows": Array(table.prefix(10))]).status == 200)
        var day = try await Self.day(node, api.path, version: 2, seen: 1)
        #expect(day["requests"] as? Int == 1 && day["rows"] as? Int == 10 && day["skipped"] as? Int == 0)
        #expect(try await node.predict(api.id, key: api.key, json: ["rows": Array(table.prefix(11))]).status == 200)
        day = try await Self.day(node, api.path, version: 2, seen: 2)
        #expect(day["requests"] as? Int == 1 && day["skipped"] as? Int == 1)
        await node.stop()
    }
}
