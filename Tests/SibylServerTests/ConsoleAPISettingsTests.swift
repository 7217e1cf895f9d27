import Foundation
import NIOHTTP1
import SibylServer
import Testing

/// The console's surfaces of names, last use, the missing-features rule, promotion and the example request.
@Suite(.serialized) struct ConsoleAPISettingsTests {
    @Test func namesSettingsPromotionAndTheExampleOnTheAPIPage() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let model = try await node.uploadModel("xgb_binary")
        let official = try await node.createAPI(model: model, type: "official")
        let browser = ConsoleClient(node)
        try await browser.signIn("admin", "admin-password")
        // An API without a name says so.
        let unnamed = try await browser.get("/projects/1/apis/\(official.id)").text
        #expect(unnamed.contains("<dd id=\"api-name\"><span class=\"muted\">None</span></dd>"), "\(unnamed)")
        try await browser.get("/projects/1/models/\(model)/create-api")
        let long = try await browser.follow(
            try await browser.post("/projects/1/apis", [("model_id", model), ("type", "trial"), ("name", String(repeating: "n", count: 101))]))
        #expect(long.status == 422 && long.text.contains("Name: must be 1 to 100 printable characters."), "\(long.text)")
        let created = try await browser.post("/projects/1/apis", [("model_id", model), ("type", "trial"), ("name", "churn <beta>")])
        let path = try #require(created.location)
        let id = String(path.split(separator: "/").last!)
        try await node.waitFor(api: id, status: "operating")
        var page = try await browser.get(path)
        #expect(page.text.contains("<dd id=\"api-name\">churn &lt;beta&gt;</dd>"), "\(page.text)")
        #expect(try await browser.get("/projects/1/apis").text.contains("<td>churn &lt;beta&gt;</td>"))
        // Every feature of the model is in the example request.
        #expect((0..<30).allSatisfy { page.text.contains("&quot;f\($0)&quot;: 0.5") })

        // A named key; its last use shows once it is written.
        #expect(page.text.contains("<td>never</td>"))
        let made = try await browser.follow(try await browser.post(path + "/keys", [("name", "nightly batch")]))
        let secret = try #require(ConsoleClient.newKey(in: made.text))
        #expect(made.text.contains("nightly batch"))
        _ = try await node.call(.PUT, "/api/v1/projects/1/apis/\(id)/ip_whitelist", json: ["cidrs": ["127.0.0.0/8"]])
        #expect(try await node.predict(id, key: secret, json: ["records": [["f0": 1]]]).status == 200)
        let lastUse = #"<td>\d{4}-[^<]* UTC</td>"#
        for _ in 0..<100 where page.text.range(of: lastUse, options: .regularExpression) == nil {
            try await Task.sleep(for: .milliseconds(50))
            page = try await browser.get(path)
        }
        #expect(page.text.contains("<td>nightly batch</td>") && page.text.contains("<td>never</td>"), "\(page.text)")
        #expect(page.text.range(of: lastUse, options: .regularExpression) != nil)

        // Settings: rename and refuse absent features.
        let saved = try await browser.post(path + "/settings", [("name", "churn v2"), ("missing_features", "refuse")])
        #expect(saved.status == 303, "\(saved.text)")
        page = try await browser.get(path)
        #expect(page.text.contains("<dd id=\"api-name\">churn v2</dd>") && page.text.contains("<option value=\"refuse\" selected>"))
        #expect(try await node.predict(id, key: secret, json: ["records": [["f0": 1]]]).errorCode == "missing_features")
        let bad = try await browser.follow(try await browser.post(path + "/settings", [("name", "x"), ("missing_features", "maybe")]))
        #expect(bad.status == 422 && bad.text.contains("Missing_features: expected"), "\(bad.text)")

        // Promote: refused while the license's one option is taken, done once it is free.
        #expect(page.text.contains("id=\"promote\""))
        let full = try await browser.follow(try await browser.post(path + "/promote"))
        #expect(full.status == 409 && full.text.contains("No API option is free"), "\(full.text)")
        _ = try await node.call(.POST, "/api/v1/projects/1/apis/\(official.id)/stop")
        _ = try await node.call(.DELETE, "/api/v1/projects/1/apis/\(official.id)")
        #expect(try await browser.post(path + "/promote").status == 303)
        page = try await browser.get(path)
        #expect(!page.text.contains("id=\"promote\"") && page.text.contains("Official API"))
        #expect(try await node.call(.GET, "/api/v1/projects/1/apis/\(id)")["type"] as? String == "official")
        await node.stop()
    }
}
