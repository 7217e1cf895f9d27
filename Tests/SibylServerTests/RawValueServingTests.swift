import Foundation
import NIOHTTP1
import Testing

/// A model trained on a pandas frame (`lgbm_frame`: names with spaces, text categories), served end to end:
/// the model as the management API and the console describe it, and raw rows predicted as LightGBM does.
@Suite(.serialized) struct RawValueServingTests {
    @Test func rawRowsAreServedAsTheLibraryPredicts() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let upload = try await node.call(.POST, "/api/v1/projects/1/models?name=churn", body: try Fixtures.bytes("lgbm_frame/model.txt"))
        #expect(upload.status == 201, "\(upload.text)")
        let model = try #require(upload["model_id"] as? String)
        let features = try #require(upload["features"] as? [[String: Any]])
        #expect(features.map { $0["name"] as? String } == ["credit_score", "city", "monthly_income", "plan", "tenure", "age"])
        #expect(features.map { $0["type"] as? String } == ["number", "category", "number", "category", "number", "number"])
        #expect(features[3]["categories"] as? [String] == ["basic", "plus", "pro"])
        #expect(features[0]["categories"] == nil)

        let api = try await node.createAPI(model: model, type: "official")
        let csv = try Fixtures.bytes("lgbm_frame/X_test_nan.csv")
        let expected = try Fixtures.table("lgbm_frame/pred_nan.csv").rows.map { $0[0]! }
        let answer = try await node.predict(api.id, key: api.key, body: csv, headers: [("Content-Type", "text/csv")])
        #expect(answer.status == 200, "\(answer.text.prefix(300))")
        let probabilities = try #require(answer.positiveProbabilities)
        #expect(probabilities.count == expected.count)
        let worst = zip(probabilities, expected).map { abs($0 - $1) }.max()!
        #expect(worst <= 1e-6, "largest difference from lightgbm: \(worst)")

        // A record as the user's frame names it; an unseen category is a missing value.
        let record: [String: Any] = ["credit score": 1.5, "city": "Madrid", "monthly income": 0.2, "plan": "pro", "age": 3]
        let named = try await node.predict(api.id, key: api.key, json: ["records": [record]])
        var missing = record
        missing["city"] = NSNull()
        let asMissing = try await node.predict(api.id, key: api.key, json: ["records": [missing]])
        #expect(named.status == 200 && named.text == asMissing.text)
        let refused = try await node.predict(api.id, key: api.key, json: ["records": [["age": "forty"]]])
        #expect(refused.status == 422 && refused.errorCode == "invalid_input")
        #expect(refused.text.contains(#"feature \"age\" is a number, not the text \"forty\""#), "\(refused.text)")

        // The console lists each feature's type and categories, and the API page's example sends names.
        let browser = ConsoleClient(node)
        try await browser.signIn("admin", "admin-password")
        let page = try await browser.get("/projects/1/models/\(model)")
        #expect(page.text.contains("<td>category</td><td>basic, plus, pro</td>"), "\(page.text)")
        let apiPage = try await browser.get("/projects/1/apis/\(api.id)")
        #expect(apiPage.text.contains("&quot;city&quot;: &quot;Braga&quot;") || apiPage.text.contains("\"city\": \"Braga\""))
        await node.stop()
    }
}
