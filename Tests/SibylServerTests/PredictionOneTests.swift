import AsyncHTTPClient
import Foundation
import NIOHTTP1
import SibylServer
import Testing

/// Prediction One's prediction call, written from the reference (seed-apis-reference.md, B1): the documented
/// request (`inputs` pr/ar/ad/nc/nr/pc, key in `x-api-key`), its base64 CSV answers, and every documented error,
/// against the same API's own `/apis/{api_id}/predict`.
@Suite(.serialized) struct PredictionOneTests {
    /// The test rows: the fixture's header and its first `count` rows, as CSV text.
    static func csv(rows count: Int) throws -> String {
        let lines = String(decoding: try Fixtures.bytes("data/X_test.csv"), as: UTF8.self).split(separator: "\n")
        return lines.prefix(count + 1).joined(separator: "\n") + "\n"
    }

    static func body(_ csv: String, ar: Bool = false, ad: Bool = false, nc: Bool = false, nr: Bool? = nil, pc: String? = nil)
        -> [String: Any]
    {
        var inputs: [[String: Any]] = [
            ["name": "pr", "type": "csv", "data": Data(csv.utf8).base64EncodedString()],
            ["name": "ar", "type": "boolean", "data": ar], ["name": "ad", "type": "boolean", "data": ad],
            ["name": "nc", "type": "boolean", "data": nc],
        ]
        if let nr { inputs.append(["name": "nr", "type": "boolean", "data": nr]) }
        if let pc { inputs.append(["name": "pc", "type": "string", "data": pc]) }
        return ["inputs": inputs]
    }

    static func infer(_ node: TestNode, project: Int = 1, _ api: String, key: String?, json: Any? = nil, raw: [UInt8]? = nil)
        async throws -> TestNode.Answer
    {
        var headers = [("content-type", "application/json; charset=utf-8")]
        if let key { headers.append(("x-api-key", key)) }
        return try await node.call(
            .POST, "/v1/groups/\(project)/classifiers/\(api)/inference", token: nil,
            body: try raw ?? Array(JSONSerialization.data(withJSONObject: json ?? [:])), headers: headers)
    }

    /// The named output's CSV: header and rows.
    static func output(_ answer: TestNode.Answer, _ name: String) throws -> [[String]]? {
        guard let item = (answer["outputs"] as? [[String: Any]])?.first(where: { $0["name"] as? String == name }) else { return nil }
        let encoded = try #require(item["data"] as? String)
        let text = String(decoding: try #require(Data(base64Encoded: encoded)), as: UTF8.self)
        return text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    static func error(_ answer: TestNode.Answer) -> (Int?, String?, String?) {
        (answer["code"] as? Int, answer["error"] as? String, answer["message"] as? String)
    }

    @Test func predictionsEqualThoseOfTheAPIsOwnRouteForOneRowAndMany() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let api = try await node.createAPI(model: try await node.uploadModel("xgb_binary"), type: "official")
        for count in [1, 25] {
            let csv = try Self.csv(rows: count)
            let answer = try await Self.infer(node, api.id, key: api.key, json: Self.body(csv))
            #expect(answer.status == 200, "\(answer.text)")
            #expect(answer["version"] is String)
            #expect((answer["outputs"] as? [Any])?.count == 1)
            let valid = try #require(try Self.output(answer, "prediction_valid.csv"))
            #expect(valid[0] == ["row", "prediction", "probability_0", "probability_1"])
            #expect(valid.count == count + 1)
            let own = try await node.predict(api.id, key: api.key, body: Array(csv.utf8), headers: [("Content-Type", "text/csv")])
            let predictions = try #require(own["predictions"] as? [[String: Any]])
            for (index, prediction) in predictions.enumerated() {
                let probabilities = try #require(prediction["probabilities"] as? [String: Any])
                #expect(valid[index + 1][0] == "\(index + 1)")
                #expect(valid[index + 1][1] == prediction["label"] as? String)
                #expect(Float(valid[index + 1][2]) == Float(probabilities["0"] as! Double))
                #expect(Float(valid[index + 1][3]) == Float(probabilities["1"] as! Double))
            }
        }
    }

    @Test func everyFlagCombinationShapesTheAnswer() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let api = try await node.createAPI(model: try await node.uploadModel("xgb_binary"), type: "official")
        let csv = try Self.csv(rows: 3)
        let inputs = csv.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        let own = try await node.predict(
            api.id, key: api.key, body: Array(csv.utf8), headers: [("Content-Type", "text/csv")], query: "explain=true")
        let ownContributions = try #require(own["contributions"] as? [[String: Any]])
        for ar in [false, true] {
            for ad in [false, true] {
                for nc in [false, true] {
                    for nr in [nil, false, true] as [Bool?] {
                        for pc in [nil, "f3"] as [String?] {
                            let answer = try await Self.infer(node, api.id, key: api.key, json: Self.body(csv, ar: ar, ad: ad, nc: nc, nr: nr, pc: pc))
                            #expect(answer.status == 200, "\(answer.text)")
                            let valid = try #require(try Self.output(answer, "prediction_valid.csv"))
                            var header = (pc.map { [$0] } ?? []) + (nr == true ? [] : ["row"])
                            let keys = header.count
                            header += (nc ? [] : ["prediction"]) + ["probability_0", "probability_1"]
                            if ad { header += inputs[0].filter { $0 != pc } }
                            #expect(valid[0] == header, "ar \(ar) ad \(ad) nc \(nc) nr \(String(describing: nr)) pc \(pc ?? "-")")
                            for row in 1...3 {
                                if pc != nil { #expect(valid[row][0] == inputs[row][3]) }
                                if nr != true { #expect(valid[row][keys - 1] == "\(row)") }
                                if ad { #expect(Array(valid[row].suffix(pc == nil ? 30 : 29)) == inputs[row].enumerated().filter { pc == nil || $0.offset != 3 }.map(\.element)) }
                            }
                            let analysis = try Self.output(answer, "prediction_analysis.csv")
                            #expect((analysis != nil) == ar)
                            guard let analysis else { continue }
                            #expect(Array(analysis[0].suffix(9)) == ["reason_1", "value_1", "contribution_1", "reason_2", "value_2", "contribution_2", "reason_3", "value_3", "contribution_3"])
                            // The reasons are the three largest contributions of the route's own explain answer.
                            for row in 1...3 {
                                let ranked = ownContributions[row - 1].filter { $0.key != "bias" }.map { ($0.key, $0.value as! Double) }
                                    .sorted { abs($0.1) > abs($1.1) }.prefix(3)
                                let reasons = Array(analysis[row].suffix(9))
                                #expect([reasons[0], reasons[3], reasons[6]] == ranked.map(\.0))
                                #expect(zip([reasons[2], reasons[5], reasons[8]], ranked).allSatisfy { Float($0.0) == Float($0.1.1) })
                                let column = try #require(inputs[0].firstIndex(of: reasons[0]))
                                #expect(reasons[1] == inputs[row][column])
                            }
                        }
                    }
                }
            }
        }
    }

    @Test func everyDocumentedErrorAnswersItsCode() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let model = try await node.uploadModel("xgb_binary")
        let api = try await node.createAPI(model: model, type: "official")
        let good = Self.body(try Self.csv(rows: 1))

        var answer = try await Self.infer(node, "api_nonexistent", key: api.key, json: good)
        #expect(answer.status == 400 && Self.error(answer) == (4_001_030_101, "NOT_FOUND_CLASSIFIER", "Not found classifier in classifiers table"))
        answer = try await Self.infer(node, project: 2, api.id, key: api.key, json: good)
        #expect(answer.status == 400 && Self.error(answer).0 == 4_001_030_101, "another group's classifier is not found")

        answer = try await Self.infer(node, api.id, key: "key_wrong.secret", json: good)
        #expect(answer.status == 403 && Self.error(answer) == (4_031_030_201, "ACCESS_DENIED", "Invalid API key"))
        answer = try await Self.infer(node, api.id, key: nil, json: good)
        #expect(answer.status == 403 && Self.error(answer).2 == "Invalid API key")

        for bad: [String: Any] in [
            ["inputs": []], ["inputs": [["name": "pr", "type": "csv", "data": "not base64!"]]],
            ["inputs": (good["inputs"] as! [[String: Any]]).filter { $0["name"] as? String != "ar" }],
            ["inputs": (good["inputs"] as! [[String: Any]]).map { $0["name"] as? String == "ad" ? ["name": "ad", "type": "boolean", "data": "yes"] : $0 }],
            ["inputs": (good["inputs"] as! [[String: Any]]) + [["name": "zz", "type": "string", "data": "x"]]],
            Self.body("f0,f1\nabc,1\n"), Self.body(try Self.csv(rows: 1), pc: "no_such_column"), ["other": 1],
        ] {
            answer = try await Self.infer(node, api.id, key: api.key, json: bad)
            #expect(answer.status == 400 && Self.error(answer).0 == 4_001_030_104 && Self.error(answer).1 == "BAD_REQUEST", "\(answer.text)")
        }
        answer = try await Self.infer(node, api.id, key: api.key, raw: Array("{not json".utf8))
        #expect(answer.status == 400 && Self.error(answer).0 == 4_001_030_104)

        // The whitelist is checked before the key: a refused address learns nothing of its key.
        _ = try await node.call(.PUT, "/api/v1/projects/1/apis/\(api.id)/ip_whitelist", json: ["cidrs": ["10.0.0.0/8"]])
        for key in [api.key, "key_wrong.secret"] {
            answer = try await Self.infer(node, api.id, key: key, json: good)
            #expect(answer.status == 403 && Self.error(answer) == (4_031_030_201, "ACCESS_DENIED", "Not allowed source ip"))
        }
        _ = try await node.call(.PUT, "/api/v1/projects/1/apis/\(api.id)/ip_whitelist", json: ["cidrs": ["127.0.0.0/8"]])

        _ = try await node.call(.POST, "/api/v1/projects/1/apis/\(api.id)/stop")
        answer = try await Self.infer(node, api.id, key: api.key, json: good)
        #expect(answer.status == 503 && Self.error(answer) == (5_031_030_101, "SERVICE_UNAVAILABLE_ERROR", "status is not running (status: stopped)"))

        // Usage counts the compatible route's answers as the API's, by status: 2 keys, 9 bodies, 2 addresses,
        // 1 stopped; the unknown classifiers count nowhere.
        func today(_ usage: TestNode.Answer) -> [String: Any]? { (usage["days"] as? [[String: Any]])?.last }
        func counted(_ usage: TestNode.Answer) -> Bool {
            today(usage)?["status_200"] as? Int == 0 && today(usage)?["status_4xx_5xx"] as? Int == 14
        }
        let usage = try await node.poll("/api/v1/projects/1/apis/\(api.id)/usage", until: counted)
        #expect(counted(usage), "\(usage.text)")
    }

    @Test func aTrialAPIServesExactlyItsLimitThenAnswersItsOwnCode() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let api = try await node.createAPI(model: try await node.uploadModel("xgb_binary"), type: "trial")
        let body = Array(try JSONSerialization.data(withJSONObject: Self.body(try Self.csv(rows: 1))))
        let answers = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<120 { group.addTask { try await Self.infer(node, api.id, key: api.key, raw: body).status } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers.filter { $0 == 200 }.count == 100 && answers.filter { $0 == 429 }.count == 20)
        let refused = try await Self.infer(node, api.id, key: api.key, raw: body)
        #expect(refused.status == 429 && Self.error(refused).0 == 4_291_030_301 && Self.error(refused).1 == "TOO_MANY_REQUESTS")
        // Sibyl's own route sees the same count.
        #expect(try await node.predict(api.id, key: api.key, json: ["rows": [[1.0]]]).status == 429)
    }
}
