import Foundation
import NIOHTTP1
import SibylServer
import Testing

/// The console's replays, input profile and drift page: the JSON API's operations, their answers on pages.
@Suite struct ConsoleReplayAndDriftTests {
    @Test func aReplayIsStartedAndFollowedAndDriftIsDrawnFromAnUploadedProfile() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let model = try await node.call(.POST, "/api/v1/projects/1/models?name=cancer", body: try Fixtures.bytes("drift_breast_cancer/model.json"))
        let modelID = try #require(model["model_id"] as? String)
        let api = try await node.createAPI(model: modelID, type: "official")
        let apiPath = "/api/v1/projects/1/apis/\(api.id)"
        #expect(try await node.call(.PUT, "\(apiPath)/capture", json: ["rate": 100]).status == 200)
        #expect(try await node.call(.POST, "\(apiPath)/versions", json: ["model_id": modelID]).status == 201)
        try await DriftTests.send(node, (api.id, api.key), file: "shifted.csv")
        let browser = ConsoleClient(node)
        try await browser.signIn("admin", "admin-password")
        let path = "/projects/1/apis/\(api.id)"

        // A replay against v2 (the same model): every row agrees; the page names its progress.
        var page = try await browser.get(path)
        #expect(page.text.contains("id=\"replay-form\"") && page.text.contains("<option value=\"2\">v2</option>"), "\(page.text)")
        let refused = try await browser.follow(try await browser.post(path + "/replays", [("version", "9")]))
        #expect(refused.status == 422 && refused.text.contains("id=\"replay-error\""), "\(refused.text)")
        let started = try await browser.post(path + "/replays", [("version", "2")])
        let replayPath = try #require(started.location)
        page = try await browser.follow(started)
        #expect(page.text.contains("Replaying 12 captured requests against v2."), "\(page.text)")
        for _ in 0..<100 where !page.text.contains("id=\"replay-state\">done") {
            try await Task.sleep(for: .milliseconds(50))
            page = try await browser.get(replayPath)
        }
        #expect(page.text.contains("<dd id=\"replay-progress\">12 of 12</dd>") && page.text.contains("<dd id=\"replay-differing\">0</dd>"), "\(page.text)")
        #expect(page.text.contains("<dd id=\"replay-agreement\">100.00 %</dd>"))
        let listed = try await browser.get(path)
        #expect(listed.text.contains("id=\"replays\"") && listed.text.contains("<td>12 of 12</td>"))

        // Drift: none without a profile (the page says why); with one, the shifted input drifts and is drawn.
        let none = try await browser.get(path + "/drift")
        #expect(none.status == 409 && none.text.contains("upload a profile"), "\(none.text)")
        try await browser.get("/projects/1/models/\(modelID)")
        let boundary = "console-profile-boundary"
        var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\(browser.csrf ?? "")\r\n".utf8)
        body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"train.csv\"\r\n\r\n".utf8)
        body += try Fixtures.bytes("drift_breast_cancer/reference.csv") + Array("\r\n--\(boundary)--\r\n".utf8)
        let uploaded = try await browser.follow(try await browser.send(
            .POST, "/projects/1/models/\(modelID)/profile", body: body, contentType: "multipart/form-data; boundary=\(boundary)"))
        #expect(uploaded.text.contains("Profile of 341 training rows kept") && uploaded.text.contains("A profile of 341 training rows."), "\(uploaded.text)")
        let drift = try await browser.get(path + "/drift")
        #expect(drift.status == 200 && drift.text.contains("<dd id=\"drifted\">mean_texture</dd>"), "\(drift.text)")
        #expect(drift.text.contains("id=\"drift-chart\"") && drift.text.contains("<title>mean_texture: 1.309, drifted</title>"))
        #expect(drift.text.contains("<td><code>mean_texture</code></td><td class=\"num\">1.309</td>"))
        await node.stop()
    }
}
