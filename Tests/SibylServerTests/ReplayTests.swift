import Foundation
import NIOHTTP1
import SibylApp
import Testing

/// Replays run captured requests again against another version and report exactly the rows whose answers
/// differ: here xgboost's and LightGBM's own labels for the same 1,000 rows.
@Suite struct ReplayTests {
    /// xgb_binary answering as v1 with every request captured, lgbm_binary as v2; one captured request per
    /// test row, one row each. Answers each capture's id with the row it sent.
    static func captured(_ node: TestNode) async throws -> (api: (id: String, key: String, path: String), rows: [String: Int]) {
        let api = try await ShadowTests.api(node)
        #expect(try await node.call(.PUT, "\(api.path)/capture", json: ["rate": 100]).status == 200)
        let table = try Fixtures.table("data/X_test.csv")
        var sent: [String: Int] = [:]
        for (index, row) in table.rows.enumerated() {
            let body = try JSONSerialization.data(withJSONObject: ["rows": [row.map { $0 as Any? ?? NSNull() }]])
            #expect(try await node.predict(api.id, key: api.key, body: Array(body)).status == 200)
            sent[String(decoding: body, as: UTF8.self)] = index
        }
        var rows: [String: Int] = [:]
        var after = ""
        repeat {
            let page = try await node.call(.GET, "\(api.path)/captures?limit=1000" + (after.isEmpty ? "" : "&after=\(after)"))
            for capture in CaptureTests.lines(page) {
                rows[try #require(capture["id"] as? String)] = sent[try #require(capture["request"] as? String)]
            }
            after = page.header("Sibyl-Next").first ?? ""
        } while !after.isEmpty
        #expect(rows.count == table.rows.count && Set(rows.values).count == table.rows.count)
        return (api, rows)
    }

    static func finished(_ node: TestNode, _ path: String) async throws -> TestNode.Answer {
        try await node.poll(path) { $0["state"] as? String != "running" }
    }

    @Test func aReplayOfAThousandCapturesReportsExactlyTheRowsWhoseLabelsDiffer() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let (api, rows) = try await Self.captured(node)
        let started = try await node.call(.POST, "\(api.path)/replays", json: ["version": 2])
        #expect(started.status == 202 && started["total"] as? Int == 1_000 && started["version"] as? Int == 2, "\(started.text)")
        let id = try #require(started["id"] as? String)
        let replay = try await Self.finished(node, "\(api.path)/replays/\(id)")
        #expect(replay["state"] as? String == "done" && replay["processed"] as? Int == 1_000, "\(replay.text)")

        // What the two libraries themselves answer for each row: class 1 at a probability of 0.5 or more.
        let xgboost = try Fixtures.table("xgb_binary/pred.csv").rows.map { $0[0]! >= 0.5 ? "1" : "0" }
        let lightgbm = try Fixtures.table("lgbm_binary/pred.csv").rows.map { $0[0]! >= 0.5 ? "1" : "0" }
        let differing = Set(xgboost.indices.filter { xgboost[$0] != lightgbm[$0] })
        #expect(!differing.isEmpty && differing.count < 1_000)
        let reported = try #require(replay["differences"] as? [[String: Any]])
        #expect(Set(reported.compactMap { rows[$0["capture_id"] as? String ?? ""] }) == differing)
        #expect(reported.count == differing.count && replay["differing_rows"] as? Int == differing.count)
        for difference in reported {
            let row = try #require(rows[difference["capture_id"] as? String ?? ""])
            #expect(difference["row"] as? Int == 0)
            #expect(difference["answered"] as? String == xgboost[row] && difference["replayed"] as? String == lightgbm[row])
        }
        #expect(replay["requests"] as? Int == 1_000 && replay["rows"] as? Int == 1_000 && replay["failed"] as? Int == 0)
        let agreement = try #require(replay["label_agreement"] as? Double)
        #expect(abs(agreement - Double(1_000 - differing.count) / 1_000) < 1e-12)

        // Listed without its rows; deleted, gone.
        let list = try await node.call(.GET, "\(api.path)/replays")
        let listed = try #require((list["results"] as? [[String: Any]])?.first)
        #expect(listed["id"] as? String == id && listed["differences"] == nil && listed["differing_rows"] as? Int == differing.count)
        #expect(try await node.call(.DELETE, "\(api.path)/replays/\(id)").status == 204)
        #expect(try await node.call(.GET, "\(api.path)/replays/\(id)").status == 404)
        #expect(try await node.call(.DELETE, "\(api.path)/replays/\(id)").status == 404)
        await node.stop()
    }

    @Test func aReplayRefusesWhatItCannotRunAndFailsRowsItCannotCompare() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let api = try await ShadowTests.api(node)
        #expect(try await node.call(.PUT, "\(api.path)/capture", json: ["rate": 100]).status == 200)
        let row = try Fixtures.table("data/X_test.csv").rows[0].map { $0 as Any? ?? NSNull() }
        for _ in 0..<3 { #expect(try await node.predict(api.id, key: api.key, json: ["rows": [row]]).status == 200) }
        #expect(try await node.predict(api.id, key: api.key, json: ["rows": [["x"]]]).status == 422)  // captured, not replayed

        for body: [String: Any] in [[:], ["version": 9], ["version": 2, "tolerance": -1], ["version": 2, "from": "yesterday"],
            ["version": 2, "from": "2026-12-07", "to": "2026-12-06"], ["version": 2, "extra": 1]]
        {
            let refused = try await node.call(.POST, "\(api.path)/replays", json: body)
            #expect(refused.status == 422 && refused["error"] != nil, "\(body): \(refused.text)")
        }
        #expect(try await node.call(.GET, "\(api.path)/replays/rpl_aaaaaaaaaaaaaaaa").status == 404)
        #expect(try await node.call(.GET, "/api/v1/projects/1/apis/api_aaaaaaaaaaaaaaaa/replays").status == 404)

        // A regressor on the same features reads the rows alike but answers another task: every capture fails.
        let regressor = try await node.call(
            .POST, "/api/v1/projects/1/models?name=reg", body: try Fixtures.bytes("xgb_regressor/model.json"))
        let added = try await node.call(.POST, "\(api.path)/versions", json: ["model_id": try #require(regressor["model_id"] as? String)])
        #expect(added.status == 201, "\(added.text)")
        let started = try await node.call(.POST, "\(api.path)/replays", json: ["version": 3])
        #expect(started.status == 202 && started["total"] as? Int == 3, "\(started.text)")
        let replay = try await Self.finished(node, "\(api.path)/replays/\(try #require(started["id"] as? String))")
        #expect(replay["state"] as? String == "done" && replay["processed"] as? Int == 3 && replay["failed"] as? Int == 3, "\(replay.text)")
        #expect(replay["requests"] as? Int == 0 && replay["differing_rows"] as? Int == 0)
        await node.stop()
    }

    /// Captures of the Open Inference Protocol's `infer` and of Prediction One's call are kept with the call
    /// they came through, and replayed by reading their bodies as those calls do.
    @Test func capturesOfEveryCallAreKeptAndReplayed() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let api = try await ShadowTests.api(node)
        #expect(try await node.call(.PUT, "\(api.path)/capture", json: ["rate": 100]).status == 200)
        let table = try Fixtures.table("data/X_test.csv").rows.prefix(5).map { $0.map { $0 ?? .nan } }
        let tensor: [String: Any] = ["name": "input", "datatype": "FP32", "shape": [5, 30], "data": table.flatMap { $0 }]
        let v2 = try await node.call(.POST, "/v2/models/\(api.id)/infer", token: nil, json: ["inputs": [tensor]], headers: [("X-Api-Key", api.key)])
        #expect(v2.status == 200, "\(v2.text)")
        let refused = try await node.call(
            .POST, "/v2/models/\(api.id)/infer", token: nil, json: ["inputs": [["name": "input", "datatype": "FP32", "shape": [1, 2], "data": [1, 2]]]],
            headers: [("X-Api-Key", api.key)])
        #expect(refused.status == 422)
        let call = try await PredictionOneTests.infer(node, api.id, key: api.key, json: PredictionOneTests.body(try PredictionOneTests.csv(rows: 5)))
        #expect(call.status == 200, "\(call.text)")
        #expect(try await node.predict(api.id, key: api.key, json: ["rows": table]).status == 200)

        let captures = CaptureTests.lines(try await node.call(.GET, "\(api.path)/captures"))
        #expect(captures.map { $0["endpoint"] as? String } == ["v2", "v2", "prediction_one", "predict"], "\(captures)")
        #expect(captures[0]["answer"] as? String == v2.text && captures[2]["answer"] as? String == call.text)
        #expect(captures[1]["status"] as? Int == 422 && captures[1]["answer"] as? String == refused.text)
        #expect((refused.text).contains("\"code\":\"invalid_input\""))

        let started = try await node.call(.POST, "\(api.path)/replays", json: ["version": 2])
        #expect(started["total"] as? Int == 3, "\(started.text)")
        let replay = try await Self.finished(node, "\(api.path)/replays/\(try #require(started["id"] as? String))")
        let xgboost = try Fixtures.table("xgb_binary/pred.csv").rows.prefix(5).map { $0[0]! >= 0.5 }
        let lightgbm = try Fixtures.table("lgbm_binary/pred.csv").rows.prefix(5).map { $0[0]! >= 0.5 }
        let differing = zip(xgboost, lightgbm).filter { $0 != $1 }.count
        #expect(replay["requests"] as? Int == 3 && replay["rows"] as? Int == 15 && replay["failed"] as? Int == 0, "\(replay.text)")
        #expect(replay["differing_rows"] as? Int == 3 * differing)
        await node.stop()
    }
}
