import Foundation
import NIOHTTP1
import Testing

/// A CatBoost model with text categories (`cb_binary`: one-hot and CTR categories; `cb_combinations*`: CTRs
/// over combinations of features), served end to end: its
/// description in the management API and the console, raw rows as catboost predicts and explains them, and
/// numbers sent for a category read as CatBoost's Python package reads them (their decimal text).
@Suite(.serialized) struct CatBoostServingTests {
    /// Uploads fixture `name`, makes an official API of it, and sends its test rows with blanks and unseen
    /// categories as CSV: the probabilities (or values) and contributions are catboost's.
    static func serve(_ name: String, on node: TestNode) async throws -> (upload: TestNode.Answer, api: (id: String, key: String)) {
        let upload = try await node.call(.POST, "/api/v1/projects/1/models?name=\(name)", body: try Fixtures.bytes("\(name)/model.json"))
        #expect(upload.status == 201, "\(upload.text)")
        let model = try #require(upload["model_id"] as? String)
        let api = try await node.createAPI(model: model, type: "official")
        let csv = try Fixtures.bytes("\(name)/X_test_nan.csv")
        let expected = try Fixtures.table("\(name)/pred_nan.csv").rows.map { $0[0]! }
        let contributions = try Fixtures.table("\(name)/contrib_nan.csv")
        let answer = try await node.predict(api.id, key: api.key, body: csv, headers: [("Content-Type", "text/csv")], query: "explain=true")
        #expect(answer.status == 200, "\(answer.text.prefix(300))")
        let predictions = try #require(answer["predictions"] as? [[String: Any]])
        let probabilities = try #require(answer.positiveProbabilities)
        let predicted = probabilities.isEmpty ? predictions.compactMap { $0["value"] as? Double } : probabilities
        #expect(predicted.count == expected.count)
        let worst = zip(predicted, expected).map { abs($0 - $1) / max(abs($1), 1) }.max()!
        #expect(worst <= 1e-6, "\(name): largest difference from catboost: \(worst)")
        let explained = try #require(answer["contributions"] as? [[String: Double]])
        var worstContribution = 0.0
        for (row, values) in explained.enumerated() {
            for (k, name) in contributions.header.enumerated() {
                worstContribution = max(worstContribution, abs(values[name]! - contributions.rows[row][k]!))
            }
        }
        #expect(worstContribution <= 1e-5, "\(name): largest difference from catboost's ShapValues: \(worstContribution)")
        return (upload, api)
    }

    /// CTRs over combinations of features (`max_ctr_complexity` 4), a classifier's and a regressor's.
    @Test(arguments: ["cb_combinations", "cb_combinations_regression"])
    func combinationsOfFeaturesAreServedAsTheLibraryPredicts(name: String) async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        _ = try await Self.serve(name, on: node)
        await node.stop()
    }

    @Test func aCatBoostModelIsServedAsTheLibraryPredicts() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let (upload, api) = try await Self.serve("cb_binary", on: node)
        #expect(upload["format"] as? String == "catboost-json")
        #expect(upload["objective"] as? String == "Logloss")
        let model = try #require(upload["model_id"] as? String)
        let features = try #require(upload["features"] as? [[String: Any]])
        #expect(features.map { $0["name"] as? String } == ["credit score", "city", "income", "plan", "tenure", "channel", "age"])
        #expect(features.map { $0["type"] as? String } == ["number", "category", "number", "category", "number", "category", "number"])
        #expect(features.allSatisfy { $0["categories"] == nil })

        // An unseen category is one CatBoost never saw; a whole number is its decimal text; others are refused.
        let record: [String: Any] = ["credit score": 0.5, "city": "Madrid", "income": 0.2, "plan": "pro", "channel": "web", "age": 3]
        func predicted(_ changes: [String: Any]) async throws -> TestNode.Answer {
            try await node.predict(api.id, key: api.key, json: ["records": [record.merging(changes) { $1 }]])
        }
        let unseen = try await predicted([:])
        #expect(unseen.status == 200)
        #expect(try await predicted(["city": NSNull()]).text == unseen.text)
        #expect(try await predicted(["city": "Porto"]).text != unseen.text)
        #expect(try await predicted(["plan": 7]).text == (try await predicted(["plan": "7"])).text)
        let refused = try await predicted(["plan": 7.5])
        #expect(refused.status == 422 && refused.errorCode == "invalid_input")
        #expect(refused.text.contains(#"feature \"plan\" is a category: send its text or a whole number, not 7.5"#), "\(refused.text)")

        // The inference protocol sends numbers only, read the same way: a CSV of the same rows with the
        // numbers as text gives the same probabilities; a number that is not whole is refused.
        let header = ["credit score", "city", "income", "plan", "tenure", "channel", "age"]
        let rows: [[Float]] = [[0.5, 3, 0.2, 1, -1, 0, 40], [-1.5, 12, 2, 2, 0.25, 1, 20]]
        let tensors = header.indices.map { column -> [String: Any] in
            ["name": header[column], "shape": [rows.count], "datatype": "FP32", "data": rows.map { $0[column] }]
        }
        let key = [("X-Api-Key", api.key)]
        let v2 = try await node.call(
            .POST, "/v2/models/\(api.id)/infer", token: nil, json: ["inputs": tensors, "outputs": [["name": "probabilities"]]], headers: key)
        #expect(v2.status == 200, "\(v2.text)")
        let v2Probabilities = try #require(((v2["outputs"] as? [[String: Any]])?.first?["data"] as? [Double]))
        let text = ([header.joined(separator: ",")] + rows.map { row in
            row.enumerated().map { column, value in [1, 3, 5].contains(column) ? String(Int(value)) : "\(value)" }.joined(separator: ",")
        }).joined(separator: "\n")
        let fromCSV = try await node.predict(api.id, key: api.key, body: Array(text.utf8), headers: [("Content-Type", "text/csv")])
        let csvProbabilities = try #require(fromCSV["predictions"] as? [[String: Any]]).flatMap { prediction in
            let probabilities = prediction["probabilities"] as! [String: Double]
            return [probabilities["0"]!, probabilities["1"]!]
        }
        #expect(v2Probabilities.count == 4)
        #expect(zip(v2Probabilities, csvProbabilities).allSatisfy { abs($0 - $1) <= 1e-7 }, "\(v2Probabilities) \(csvProbabilities)")
        var halves = tensors
        halves[1]["data"] = [0.5, 1]
        let refusedV2 = try await node.call(.POST, "/v2/models/\(api.id)/infer", token: nil, json: ["inputs": halves], headers: key)
        #expect(refusedV2.status == 422 && refusedV2.text.contains("is a category: send its text or a whole number"), "\(refusedV2.text)")

        // The console says a category takes any text; the API page's example sends one.
        let browser = ConsoleClient(node)
        try await browser.signIn("admin", "admin-password")
        let page = try await browser.get("/projects/1/models/\(model)")
        #expect(page.text.contains("CatBoost JSON"))
        #expect(page.text.contains("<td>category</td><td>any text (the model keeps hashes of its categories, not names)</td>"), "\(page.text)")
        let apiPage = try await browser.get("/projects/1/apis/\(api.id)")
        #expect(apiPage.text.contains("&quot;city&quot;: &quot;text&quot;") || apiPage.text.contains("\"city\": \"text\""))
        await node.stop()
    }
}
