import AsyncHTTPClient
import Foundation
import NIOHTTP1
import SibylCore
import SibylServer
import Testing

/// `?explain=true` and the v2 `explain` parameter give xgboost's own `pred_contribs`.
@Suite(.serialized) struct ExplainTests {
    @Test(arguments: ["xgb_binary", "xgb_multiclass"])
    func contributionsAgreeWithXGBoost(fixture: String) async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let api = try await node.createAPI(model: try await node.uploadModel(fixture), type: "official")
        let inputs = try Fixtures.table("data/X_test_nan.csv")
        let reference = try Fixtures.table("\(fixture)/contribs_nan.csv")
        let rows = Array(inputs.rows.prefix(40))
        let answer = try await node.predict(
            api.id, key: api.key, json: ["rows": rows.map { $0.map { $0 as Any? ?? NSNull() } }], query: "explain=true")
        #expect(answer.status == 200, "\(answer.text.prefix(300))")
        let explained = try #require(answer["contributions"] as? [[String: Any]])
        #expect(explained.count == rows.count)
        let names = inputs.header + ["bias"]
        let classes = fixture == "xgb_multiclass" ? ["0", "1", "2"] : [""]
        var worst = 0.0
        for (row, entry) in explained.enumerated() {
            for (group, label) in classes.enumerated() {
                let values = (label.isEmpty ? entry : entry[label] as! [String: Any]) as! [String: Double]
                for (index, name) in names.enumerated() {
                    worst = max(worst, abs(values[name]! - reference.rows[row][group * names.count + index]!))
                }
            }
        }
        #expect(worst <= 1e-5, "largest difference from xgboost's pred_contribs: \(worst)")

        // The same through the v2 protocol.
        let infer = try await node.call(
            .POST, "/v2/models/\(api.id)/infer", token: nil,
            json: ["parameters": ["explain": true],
                   "inputs": [["name": "input", "shape": [rows.count, 30], "datatype": "FP32",
                               "data": rows.flatMap { $0.map { $0 as Any? ?? NSNull() } }]]],
            headers: [("X-Api-Key", api.key)])
        let outputs = try #require(infer["outputs"] as? [[String: Any]])
        let tensor = try #require(outputs.first { $0["name"] as? String == "contributions" })
        #expect(tensor["shape"] as? [Int] == [rows.count, classes.count, 31])
        let flat = tensor["data"] as! [Double]
        #expect(zip(flat, rows.indices.flatMap { reference.rows[$0].prefix(classes.count * 31).map { $0! } })
            .allSatisfy { abs($0 - $1) <= 1e-5 })
        await node.stop()
    }

    @Test func csvAnswersCarryContributionColumns() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let api = try await node.createAPI(model: try await node.uploadModel("xgb_regressor"), type: "official")
        let answer = try await node.call(
            .POST, "/apis/\(api.id)/predict?explain=true", token: nil, json: ["records": [["f0": 1.5], ["f1": -2]]],
            headers: [("X-Api-Key", api.key), ("Accept", "text/csv")])
        #expect(answer.status == 200)
        let lines = answer.text.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("value,contribution_f0,contribution_f1,"))
        #expect(lines[0].hasSuffix(",contribution_bias"))
        // Each row's contributions add up to its value (the margin of a squared-error regressor).
        for line in lines.dropFirst() {
            let cells = line.split(separator: ",").map { Double($0)! }
            #expect(abs(cells.dropFirst().reduce(0, +) - cells[0]) <= 1e-4)
        }
        let bad = try await node.call(.POST, "/apis/\(api.id)/predict?explain=maybe", token: nil, json: ["records": [["f0": 1]]],
                                      headers: [("X-Api-Key", api.key)])
        #expect(bad.status == 422)
        await node.stop()
    }
}
