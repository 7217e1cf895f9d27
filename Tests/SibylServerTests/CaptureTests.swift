import Foundation
import NIOHTTP1
import SibylApp
import Testing

/// Captured requests: the body as sent, the answer as given, its version, key id and status; never the key's
/// secret; kept through a graceful stop; exported as NDJSON and CSV in pages.
@Suite struct CaptureTests {
    static func lines(_ answer: TestNode.Answer) -> [[String: Any]] {
        answer.text.split(separator: "\n").map { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] ?? [:] }
    }

    @Test func everyAdmittedRequestIsKeptWithItsAnswerAndNoSecret() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let api = try await node.createAPI(model: try await node.uploadModel("xgb_binary"), type: "official")
        let path = "/api/v1/projects/1/apis/\(api.id)"
        #expect(try await node.call(.GET, path)["capture"] as? [String: Double] == ["rate": 0, "retention_days": 30])
        let set = try await node.call(.PUT, "\(path)/capture", json: ["rate": 100])
        #expect(set.status == 200 && set["rate"] as? Double == 100 && set["retention_days"] as? Int == 30, "\(set.text)")

        let json = #"{"records": [{"f0": 1.5, "f3": -2}]}"#
        let csv = "f0,f1\n0.5,\n"
        var sent: [(body: String, type: String, answer: TestNode.Answer)] = []
        for (body, type) in [(json, "application/json"), (csv, "text/csv"), (#"{"records": [{"nope": 1}]}"#, "application/json")] {
            let answer = try await node.predict(api.id, key: api.key, body: Array(body.utf8), headers: [("Content-Type", type)])
            sent.append((body, type, answer))
        }
        #expect(sent.map(\.answer.status) == [200, 200, 422])
        #expect(try await node.predict(api.id, key: nil, json: ["records": [["f0": 1]]]).status == 401)  // not admitted: not kept

        let export = try await node.call(.GET, "\(path)/captures")
        #expect(export.status == 200 && export.header("Content-Type") == ["application/x-ndjson"], "\(export.text)")
        let captures = Self.lines(export)
        let keyID = String(api.key.split(separator: ".")[0])
        #expect(captures.count == 3, "\(export.text)")
        for (capture, request) in zip(captures, sent) {
            #expect(capture["version"] as? Int == 1 && capture["key_id"] as? String == keyID)
            #expect(capture["status"] as? Int == request.answer.status && capture["media_type"] as? String == request.type)
            #expect(capture["request"] as? String == request.body && capture["answer"] as? String == request.answer.text)
            #expect((capture["time"] as? String)?.hasSuffix("Z") == true && (capture["id"] as? String)?.hasPrefix("cap_") == true)
        }
        #expect(!export.text.contains(String(api.key.split(separator: ".")[1])))

        // CSV: the same captures, fields quoted as RFC 4180 says.
        let table = try await node.call(.GET, "\(path)/captures?format=csv")
        #expect(table.text.hasPrefix("id,time,endpoint,version,key_id,status,media_type,request,answer\r\n"))
        #expect(table.text.contains(",200,text/csv,\"f0,f1\n0.5,\n\",") && table.text.contains("\"{\"\"records\"\": [{\"\"f0\"\": 1.5"), "\(table.text)")

        // Pages: two, then the last one, which names no next.
        let first = try await node.call(.GET, "\(path)/captures?limit=2")
        let next = try #require(first.header("Sibyl-Next").first)
        #expect(Self.lines(first).count == 2)
        let rest = try await node.call(.GET, "\(path)/captures?limit=2&after=\(next)")
        #expect(Self.lines(rest).map { $0["id"] as? String } == [captures[2]["id"] as? String] && rest.header("Sibyl-Next").isEmpty)
        let day = UTCDayText.today
        #expect(Self.lines(try await node.call(.GET, "\(path)/captures?from=\(day)&to=\(day)")).count == 3)
        #expect(Self.lines(try await node.call(.GET, "\(path)/captures?to=2020-01-01T00:00:00Z&from=2019-12-31")).isEmpty)
        for query in ["format=xml", "limit=0", "limit=1001", "from=2026-13-01", "after=nonsense", "from=2026-12-07&to=2026-12-06"] {
            #expect(try await node.call(.GET, "\(path)/captures?\(query)").status == 422, "\(query)")
        }

        // Settings: refused out of range or while locked; at 0 nothing more is kept.
        for body in [["rate": 101], ["rate": -1], ["retention_days": 0], ["retention_days": 367], ["rate": "all"]] as [[String: Any]] {
            #expect(try await node.call(.PUT, "\(path)/capture", json: body).status == 422, "\(body)")
        }
        _ = try await node.call(.POST, "\(path)/lock")
        #expect(try await node.call(.PUT, "\(path)/capture", json: ["rate": 0]).status == 409)
        _ = try await node.call(.POST, "\(path)/unlock")
        #expect(try await node.call(.PUT, "\(path)/capture", json: ["rate": 0, "retention_days": 7])["retention_days"] as? Int == 7)
        #expect(try await node.predict(api.id, key: api.key, json: ["records": [["f0": 1]]]).status == 200)
        #expect(Self.lines(try await node.call(.GET, "\(path)/captures")).count == 3)
        await node.stop()
    }

    /// At 100 %, exactly the answered requests are kept through a graceful stop: what was not written yet
    /// is written before the node ends, and a node on the same data finds them all.
    @Test func aGracefulStopKeepsEveryCapture() async throws {
        let node = try await TestNode { $0.usageFlushIntervalMilliseconds = 60_000 }
        let api = try await node.createAPI(model: try await node.uploadModel("xgb_binary"), type: "official")
        let path = "/api/v1/projects/1/apis/\(api.id)"
        _ = try await node.call(.PUT, "\(path)/capture", json: ["rate": 100])
        for index in 0..<50 {
            #expect(try await node.predict(api.id, key: api.key, json: ["records": [["f0": index]]]).status == 200)
        }
        await node.stop()
        let again = try await TestNode(folder: node.folder)
        defer { again.removeData() }
        let captures = Self.lines(try await again.call(.GET, "\(path)/captures"))
        #expect(captures.count == 50)
        #expect(captures.map { $0["request"] as? String } == (0..<50).map { #"{"records":[{"f0":\#($0)}]}"# })
        await again.stop()
    }

    static let oneRecord = #"{"records": [{"f0": 1}]}"#

    /// xgb_binary's answer to `oneRecord`, from a node of its own (the same model answers the same bytes), and
    /// the size a capture of the two is counted as: its two bodies and 256 bytes.
    static func probe() async throws -> (answer: [UInt8], size: Int) {
        let probe = try await TestNode()
        defer { probe.removeData() }
        let api = try await probe.createAPI(model: try await probe.uploadModel("xgb_binary"), type: "official")
        let answer = try await probe.predict(api.id, key: api.key, body: Array(oneRecord.utf8)).body
        await probe.stop()
        return (answer, oneRecord.utf8.count + answer.count + 256)
    }

    /// The queue holds captures up to `captureQueueBytes`; the one past it is dropped, answered all the same,
    /// and counted on `/metrics`.
    @Test func aCaptureOverTheQueueIsDroppedAndCounted() async throws {
        let (answer, size) = try await Self.probe()
        let node = try await TestNode {
            $0.captureQueueBytes = 2 * size
            $0.usageFlushIntervalMilliseconds = 60_000
        }
        defer { node.removeData() }
        let api = try await node.createAPI(model: try await node.uploadModel("xgb_binary"), type: "official")
        _ = try await node.call(.PUT, "/api/v1/projects/1/apis/\(api.id)/capture", json: ["rate": 100])
        for _ in 0..<3 {
            let answered = try await node.predict(api.id, key: api.key, body: Array(Self.oneRecord.utf8))
            #expect(answered.status == 200 && answered.body == answer)
        }
        #expect(Self.lines(try await node.call(.GET, "/api/v1/projects/1/apis/\(api.id)/captures")).count == 2)
        #expect(try await node.call(.GET, "/metrics", token: nil).text.contains("\nsibyl_captures_dropped_total 1\n"))
        await node.stop()
    }

    /// A page of the export holds captures while their bodies, counted twice (escaping can double them), fit
    /// `maxAnswerBytes`: here three, then the fourth on the next page.
    @Test func anExportPageStopsAtTheAnswerBudget() async throws {
        let (_, size) = try await Self.probe()
        let node = try await TestNode { $0.maxAnswerBytes = 6 * size }
        defer { node.removeData() }
        let api = try await node.createAPI(model: try await node.uploadModel("xgb_binary"), type: "official")
        let path = "/api/v1/projects/1/apis/\(api.id)/captures"
        _ = try await node.call(.PUT, "/api/v1/projects/1/apis/\(api.id)/capture", json: ["rate": 100])
        for _ in 0..<4 { #expect(try await node.predict(api.id, key: api.key, body: Array(Self.oneRecord.utf8)).status == 200) }
        let first = try await node.call(.GET, path)
        let next = try #require(first.header("Sibyl-Next").first)
        #expect(Self.lines(first).count == 3)
        let rest = try await node.call(.GET, "\(path)?after=\(next)")
        #expect(Self.lines(rest).count == 1 && rest.header("Sibyl-Next").isEmpty)
        await node.stop()
    }

    /// A rate keeps that share of the requests, drawn per request.
    @Test func aRateKeepsItsShare() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let api = try await node.createAPI(model: try await node.uploadModel("xgb_binary"), type: "official")
        let path = "/api/v1/projects/1/apis/\(api.id)"
        _ = try await node.call(.PUT, "\(path)/capture", json: ["rate": 25])
        for _ in 0..<400 { _ = try await node.predict(api.id, key: api.key, json: ["records": [["f0": 1]]]) }
        let kept = Self.lines(try await node.call(.GET, "\(path)/captures?limit=1000")).count
        #expect((60...140).contains(kept), "\(kept) of 400 kept at 25 %")
        await node.stop()
    }
}

enum UTCDayText {
    static var today: String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }
}
