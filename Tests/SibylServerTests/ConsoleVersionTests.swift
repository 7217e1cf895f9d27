import Foundation
import NIOHTTP1
import SibylServer
import Testing

/// The API page's versions and traffic: the same operations as the JSON API, their refusals next to the form.
@Suite struct ConsoleVersionTests {
    @Test func versionsAreAddedSplitMadeCurrentAndForgottenFromTheAPIPage() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let first = try await node.uploadModel("xgb_binary")
        let api = try await node.createAPI(model: first, type: "official")
        let second = try await node.uploadModel("xgb_binary")
        let browser = ConsoleClient(node)
        try await browser.signIn("admin", "admin-password")
        let path = "/projects/1/apis/\(api.id)"
        var page = try await browser.get(path)
        #expect(page.text.contains("<p id=\"traffic-summary\">v1 answers every prediction.</p>"), "\(page.text)")
        #expect(!page.text.contains("id=\"split-form\""))  // one version: nothing to split

        let added = try await browser.follow(try await browser.post(path + "/versions", [("model_id", second)]))
        #expect(added.status == 200 && added.text.contains("Model added as v2"), "\(added.text)")
        #expect(added.text.contains("id=\"version-2\"") && added.text.contains("id=\"current-2\"") && added.text.contains("id=\"forget-2\""))
        #expect(added.text.contains("id=\"split-form\""))

        // A split by the shares typed per version; its refusal says why, and changes nothing.
        let refused = try await browser.follow(try await browser.post(path + "/traffic", [("share_1", "80"), ("share_2", "30")]))
        #expect(refused.status == 422 && refused.text.contains("id=\"versions-error\"") && refused.text.contains("add up to 100"), "\(refused.text)")
        let typo = try await browser.follow(try await browser.post(path + "/traffic", [("share_1", "ninety"), ("share_2", "10")]))
        #expect(typo.status == 422 && typo.text.contains("V1: expected a whole percentage"), "\(typo.text)")
        let split = try await browser.follow(
            try await browser.post(path + "/traffic", [("share_1", "90"), ("share_2", "10"), ("sticky", "on")]))
        #expect(split.text.contains("Split: v1 90 %, v2 10 %, each key always on one version."), "\(split.text)")
        let traffic = try await node.call(.GET, "/api/v1/projects/1/apis/\(api.id)/traffic")
        #expect(traffic["sticky"] as? Bool == true && (traffic["split"] as? [[String: Int]])?.map { $0["weight"] } == [90, 10])
        #expect(!split.text.contains("id=\"forget-2\""))  // in the split: it answers

        // Make v2 current: the split ends; v1 can be forgotten, and then its model deleted.
        page = try await browser.follow(try await browser.post(path + "/versions/2/current"))
        #expect(page.text.contains("v2 answers every prediction, on every node."), "\(page.text)")
        #expect(try await node.call(.GET, "/api/v1/projects/1/apis/\(api.id)")["version"] as? Int == 2)
        // v1 as the shadow: it gets a copy of each answer; the day's comparison is shown; then it ends.
        #expect(page.text.contains("id=\"shadow-1\"") && !page.text.contains("id=\"shadow-2\""))
        page = try await browser.follow(try await browser.post(path + "/shadow", [("version", "1")]))
        #expect(page.text.contains("v1 shadows every answered prediction") && page.text.contains("id=\"end-shadow\""), "\(page.text)")
        #expect(!page.text.contains("id=\"forget-1\""))
        _ = try await node.call(.PUT, "/api/v1/projects/1/apis/\(api.id)/ip_whitelist", json: ["cidrs": ["127.0.0.0/8"]])
        #expect(try await node.predict(api.id, key: api.key, json: ["records": [["f0": 1]]]).status == 200)
        for _ in 0..<100 where !page.text.contains("id=\"shadow-days\"") {
            try await Task.sleep(for: .milliseconds(50))
            page = try await browser.get(path)
        }
        #expect(page.text.contains("<td>v1</td><td>1</td><td>1</td><td>100.00 %</td><td>0.000000</td><td>0.000000</td>"), "\(page.text)")
        let badShadow = try await browser.follow(try await browser.post(path + "/shadow", [("version", "two")]))
        #expect(badShadow.status == 422 && badShadow.text.contains("expected a version"), "\(badShadow.text)")
        page = try await browser.follow(try await browser.post(path + "/shadow", [("end", "1")]))
        #expect(page.text.contains("The shadow ended.") && page.text.contains("id=\"shadow-days\""))
        page = try await browser.follow(try await browser.post(path + "/versions/1/forget"))
        #expect(page.text.contains("v1 forgotten") && !page.text.contains("id=\"version-1\""), "\(page.text)")
        #expect(try await node.call(.DELETE, "/api/v1/projects/1/models/\(first)").status == 204)
        let missing = try await browser.follow(try await browser.post(path + "/versions/7/forget"))
        #expect(missing.status == 404 && missing.text.contains("No such version"), "\(missing.status) \(missing.text)")

        // Capture: the rate and retention saved from the form, refused out of range, downloaded as NDJSON and CSV.
        #expect(page.text.contains("id=\"capture-rate\" name=\"rate\" inputmode=\"decimal\" size=\"5\" value=\"0\""))
        page = try await browser.follow(try await browser.post(path + "/capture", [("rate", "100"), ("retention_days", "7")]))
        #expect(page.text.contains("100 % of answered requests are kept with their answers for 7 days."), "\(page.text)")
        for (rate, days, message) in [("150", "7", "Rate: a percentage"), ("50", "7.5", "Retention_days: a whole number"), ("x", "7", "Rate: expected a number")] {
            let refused = try await browser.follow(try await browser.post(path + "/capture", [("rate", rate), ("retention_days", days)]))
            #expect(refused.status == 422 && refused.text.contains(message) && refused.text.contains("id=\"capture-error\""), "\(refused.text)")
        }
        #expect(try await node.predict(api.id, key: api.key, json: ["records": [["f0": 2]]]).status == 200)
        let ndjson = try await browser.get(path + "/captures.ndjson")
        #expect(ndjson.status == 200 && ndjson.text.contains(#""request":"{\"records\":[{\"f0\":2}]}""#), "\(ndjson.text)")
        #expect(ndjson.headers.first(name: "Content-Disposition")?.contains("\(api.id)-captures.ndjson") == true)
        let csv = try await browser.get(path + "/captures.csv")
        #expect(csv.text.hasPrefix("id,time,endpoint,version,key_id,status,media_type,request,answer\r\n") && csv.text.contains(",200,application/json,"))

        // Locked: the forms are refused with the lock's reason.
        _ = try await node.call(.POST, "/api/v1/projects/1/apis/\(api.id)/lock")
        let locked = try await browser.follow(try await browser.post(path + "/versions", [("model_id", second)]))
        #expect(locked.status == 409 && locked.text.contains("locked"), "\(locked.text)")
        await node.stop()
    }
}
