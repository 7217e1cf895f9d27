import AsyncHTTPClient
import Foundation
import NIOHTTP1
import SibylApp
import SibylCore
import SibylServer
import Testing

/// The data plane end to end: predictions against xgboost's own, the check order and its error answers,
/// usage counting, the exact trial limit and forwarded addresses.
@Suite(.serialized) struct PredictTests {
    @Test(arguments: [("xgb_binary", "pred"), ("xgb_binary", "pred_nan"), ("xgb_regressor", "pred"),
                      ("xgb_regressor", "pred_nan"), ("xgb_multiclass", "pred"), ("xgb_multiclass", "pred_nan")])
    func predictionsAgreeWithXGBoost(model fixture: String, reference: String) async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let model = try await node.uploadModel(fixture)
        let api = try await node.createAPI(model: model, type: "official")
        let inputs = try Fixtures.table(reference == "pred" ? "data/X_test.csv" : "data/X_test_nan.csv")
        let expected = try Fixtures.table("\(fixture)/\(reference).csv").rows
        var predictions: [[String: Any]] = []
        for batch in stride(from: 0, to: inputs.rows.count, by: 500) {
            let rows = inputs.rows[batch..<min(batch + 500, inputs.rows.count)].map { $0.map { $0 as Any? ?? NSNull() } }
            let answer = try await node.predict(api.id, key: api.key, json: ["rows": rows])
            #expect(answer.status == 200, "\(answer.text.prefix(300))")
            predictions += try #require(answer["predictions"] as? [[String: Any]])
        }
        #expect(predictions.count == 1_000)
        // Both sides are float32 values printed as decimals (Sibyl: shortest round trip; xgboost: %.9g), so
        // they are compared as the float32 values they denote.
        func float(_ value: Any?) -> Float { Float(value as! Double) }
        var worst: Float = 0
        for (row, prediction) in predictions.enumerated() {
            let want = expected[row].map { Float($0!) }
            if fixture == "xgb_regressor" {
                worst = max(worst, abs(float(prediction["value"]) - want[0]))
            } else {
                let probabilities = prediction["probabilities"] as! [String: Any]
                let classes = want.count == 1 ? [1 - want[0], want[0]] : want
                for (index, p) in classes.enumerated() { worst = max(worst, abs(float(probabilities[String(index)]) - p)) }
                let label = want.count == 1 ? (want[0] > 0.5 ? "1" : "0") : String(classes.firstIndex(of: classes.max()!)!)
                #expect(prediction["label"] as? String == label, "row \(row)")
            }
        }
        #expect(worst <= 1e-6, "largest difference from xgboost: \(worst)")
        await node.stop()
    }

    /// LightGBM text and XGBoost UBJSON files, recognised without a declared format, serve the libraries'
    /// own predictions.
    @Test(arguments: [("lgbm_binary/model.txt", "lgbm_binary/pred_nan.csv"), ("lgbm_multiclass/model.txt", "lgbm_multiclass/pred_nan.csv"),
                      ("lgbm_regression/model.txt", "lgbm_regression/pred_nan.csv"), ("xgb_small_binary/model.ubj", "xgb_small_binary/pred_nan.csv"),
                      ("xgb_poisson/model.json", "xgb_poisson/pred_nan.csv")])
    func otherFormatsServeTheirLibrariesPredictions(model file: String, reference: String) async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let upload = try await node.call(.POST, "/api/v1/projects/1/models?name=m", body: try Fixtures.bytes(file))
        #expect(upload.status == 201, "\(upload.text)")
        let api = try await node.createAPI(model: try #require(upload["model_id"] as? String), type: "official")
        let expected = try Fixtures.table(reference).rows
        let rows = Array(try Fixtures.table("data/X_test_nan.csv").rows.prefix(expected.count))
        let answer = try await node.predict(api.id, key: api.key, json: ["rows": rows.map { $0.map { $0 as Any? ?? NSNull() } }])
        let predictions = try #require(answer["predictions"] as? [[String: Any]])
        var worst: Float = 0
        for (prediction, want) in zip(predictions, expected) {
            let got: [Float] =
                if let value = prediction["value"] as? Double { [Float(value)] }
                else {
                    (prediction["probabilities"] as! [String: Double]).sorted { $0.key < $1.key }.map { Float($0.value) }
                        .suffix(want.count)
                }
            worst = max(worst, zip(got, want).map { abs($0 - Float($1!)) }.max()!)
        }
        #expect(predictions.count == expected.count)
        #expect(worst <= 1e-6, "largest difference from the library: \(worst)")
        await node.stop()
    }

    @Test func recordsRowsAndCSVGiveTheSameAnswer() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let api = try await node.createAPI(model: try await node.uploadModel("xgb_binary"), type: "official")
        let table = try Fixtures.table("data/X_test_nan.csv")
        let row = table.rows[0]
        let record = Dictionary(uniqueKeysWithValues: zip(table.header, row).compactMap { name, value in value.map { (name, $0) } })
        let byRecords = try await node.predict(api.id, key: api.key, json: ["records": [record]])
        let byRows = try await node.predict(api.id, key: api.key, json: ["rows": [row.map { $0 as Any? ?? NSNull() }]])
        let csv = table.header.joined(separator: ",") + "\n" + row.map { $0.map { "\($0)" } ?? "" }.joined(separator: ",") + "\n"
        let byCSV = try await node.predict(api.id, key: api.key, body: Array(csv.utf8), headers: [("Content-Type", "text/csv")])
        #expect(byRecords.status == 200 && byRows.status == 200 && byCSV.status == 200)
        #expect(byRecords.text == byRows.text)
        #expect(byRecords.text == byCSV.text)
        let asCSV = try await node.predict(api.id, key: api.key, json: ["rows": [row.map { $0 as Any? ?? NSNull() }]],
                                           headers: [("Accept", "text/csv")])
        #expect(asCSV.status == 200)
        #expect(asCSV.headers.contains { $0.0.lowercased() == "content-type" && $0.1.hasPrefix("text/csv") })
        await node.stop()
    }

    @Test func everyCheckAnswersInOrderWithItsCodeAndIsCounted() async throws {
        let node = try await TestNode { $0.maxPredictBodyBytes = 64 << 10; $0.maxRowsPerRequest = 10 }
        defer { node.removeData() }
        let model = try await node.uploadModel("xgb_binary")
        let api = try await node.createAPI(model: model, type: "official")
        let other = try await node.createAPI(model: model, type: "trial")
        let good: [String: Any] = ["records": [["f0": 0.5, "f3": 1.25]]]

        func expect(_ answer: TestNode.Answer, _ status: Int, _ code: String?, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(answer.status == status, "\(answer.text)", sourceLocation: sourceLocation)
            #expect(answer.errorCode == code, "\(answer.text)", sourceLocation: sourceLocation)
        }
        expect(try await node.predict("api_aaaaaaaaaaaaaaaa", key: api.key, json: good), 404, "not_found")
        let missing = try await node.predict(api.id, key: nil, json: good)
        expect(missing, 401, "invalid_api_key")
        #expect(missing.headers.contains { $0.0.lowercased() == "www-authenticate" })
        let wrong = try await node.predict(api.id, key: api.key.dropLast() + (api.key.hasSuffix("a") ? "b" : "a"), json: good)
        expect(wrong, 401, "invalid_api_key")
        #expect(wrong.errorMessage == missing.errorMessage)
        expect(try await node.predict(api.id, key: other.key, json: good), 401, "invalid_api_key")
        expect(try await node.predict(api.id, key: "garbage", json: good), 401, "invalid_api_key")
        for scheme in ["apikey", "ApiKey", "Bearer", "bearer"] {
            expect(try await node.predict(api.id, key: nil, json: good, headers: [("Authorization", "\(scheme) \(api.key)")]), 200, nil)
        }
        expect(try await node.predict(api.id, key: api.key, body: Array(repeating: 0x20, count: 65 << 10)), 413, "payload_too_large")
        expect(try await node.predict(api.id, key: api.key, body: Array("<x/>".utf8), headers: [("Content-Type", "text/xml")]), 415,
               "unsupported_media_type")
        expect(try await node.predict(api.id, key: api.key, body: Array("{\"records\": [".utf8)), 400, "malformed_body")
        let unknown = try await node.predict(api.id, key: api.key, json: ["records": [["nope": 1]]])
        expect(unknown, 422, "invalid_input")
        #expect(unknown.errorMessage?.contains("nope") == true)
        expect(try await node.predict(api.id, key: api.key, json: ["records": [["f0": "high"]]]), 422, "invalid_input")
        expect(try await node.predict(api.id, key: api.key, json: ["rows": [[1.0, 2.0]]]), 422, "invalid_input")
        expect(try await node.predict(api.id, key: api.key, json: ["records": []]), 422, "invalid_input")
        expect(try await node.predict(api.id, key: api.key, json: ["records": Array(repeating: ["f0": 1], count: 11)]), 413,
               "too_many_rows")

        // Whitelist: an API open to 10.0.0.0/8 only refuses loopback, after the key check.
        let closed = try await node.createAPI(model: model, type: "trial", whitelist: ["10.0.0.0/8"])
        expect(try await node.predict(closed.id, key: nil, json: good), 401, "invalid_api_key")
        expect(try await node.predict(closed.id, key: closed.key, json: good), 403, "ip_not_allowed")
        let empty = try await node.createAPI(model: model, type: "trial", whitelist: [])
        expect(try await node.predict(empty.id, key: empty.key, json: good), 403, "ip_not_allowed")

        // Stopped: 503 after key and whitelist; a wrong key still gets 401.
        #expect(try await node.call(.POST, "/api/v1/projects/1/apis/\(api.id)/stop").status == 200)
        expect(try await node.predict(api.id, key: api.key, json: good), 503, "api_unavailable")
        expect(try await node.predict(api.id, key: nil, json: good), 401, "invalid_api_key")
        #expect(try await node.call(.POST, "/api/v1/projects/1/apis/\(api.id)/start").status == 200)
        expect(try await node.predict(api.id, key: api.key, json: good), 200, nil)

        let usage = try await node.call(.GET, "/api/v1/projects/1/apis/\(api.id)/usage")
        let today = try #require((usage["days"] as? [[String: Any]])?.last)
        let byStatus = try #require(today["by_status"] as? [String: Int])
        #expect(byStatus == ["200": 5, "401": 5, "413": 2, "415": 1, "400": 1, "422": 4, "503": 1])
        #expect(today["status_200"] as? Int == 5)
        #expect(today["status_4xx_5xx"] as? Int == 14)
        await node.stop()
    }

    @Test func aTrialAPIServesExactlyOneHundredOfTwoHundredConcurrentRequests() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let api = try await node.createAPI(model: try await node.uploadModel("xgb_binary"), type: "trial")
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<200 {
                group.addTask { try await node.predict(api.id, key: api.key, json: ["records": [["f0": 1.5]]]).status }
            }
            return try await group.reduce(into: [Int: Int]()) { $0[$1, default: 0] += 1 }
        }
        #expect(statuses == [200: 100, 429: 100])
        let info = try await node.call(.GET, "/api/v1/projects/1/apis/\(api.id)")
        #expect(info["requests_used"] as? Int == 100)
        #expect(info["requests_left"] as? Int == 0)
        let refused = try await node.predict(api.id, key: api.key, json: ["records": [["f0": 1.5]]])
        #expect(refused.status == 429 && refused.errorCode == "trial_limit_reached")
        await node.stop()
    }

    @Test func forwardedAddressesCountOnlyFromTrustedProxies() async throws {
        let trusting = try await TestNode { $0.trustedProxies = [try! .init("127.0.0.1/32")] }
        defer { trusting.removeData() }
        let model = try await trusting.uploadModel("xgb_binary")
        let api = try await trusting.createAPI(model: model, type: "official", whitelist: ["203.0.113.0/24"])
        let good: [String: Any] = ["records": [["f0": 1]]]
        #expect(try await trusting.predict(api.id, key: api.key, json: good).status == 403)
        #expect(try await trusting.predict(api.id, key: api.key, json: good, headers: [("X-Forwarded-For", "203.0.113.5")]).status == 200)
        // A client-supplied allowed address to the left of the real one is not believed.
        let spoofed = [("X-Forwarded-For", "203.0.113.5, 198.51.100.1")]
        #expect(try await trusting.predict(api.id, key: api.key, json: good, headers: spoofed).status == 403)
        #expect(try await trusting.predict(api.id, key: api.key, json: good, headers: [("X-Forwarded-For", "garbage")]).status == 403)
        await trusting.stop()

        let plain = try await TestNode()
        defer { plain.removeData() }
        let other = try await plain.createAPI(model: try await plain.uploadModel("xgb_binary"), type: "official", whitelist: ["203.0.113.0/24"])
        #expect(try await plain.predict(other.id, key: other.key, json: good, headers: [("X-Forwarded-For", "203.0.113.5")]).status == 403)
        await plain.stop()
    }

    /// An IPv6 client is matched against IPv6 entries only.
    @Test func ipv6ClientsMatchIPv6Entries() async throws {
        let node = try await TestNode { $0.host = "::1" }
        defer { node.removeData() }
        let model = try await node.uploadModel("xgb_binary")
        let good: [String: Any] = ["records": [["f0": 1]]]
        let exact = try await node.createAPI(model: model, type: "trial", whitelist: ["::1/128"])
        #expect(try await node.predict(exact.id, key: exact.key, json: good).status == 200)
        let everyIPv6 = try await node.createAPI(model: model, type: "trial", whitelist: ["::/0"])
        #expect(try await node.predict(everyIPv6.id, key: everyIPv6.key, json: good).status == 200)
        let everyIPv4 = try await node.createAPI(model: model, type: "trial", whitelist: ["0.0.0.0/0"])
        #expect(try await node.predict(everyIPv4.id, key: everyIPv4.key, json: good).status == 403)
        await node.stop()
    }

    /// A dual-stack listener sees an IPv4 client as ::ffff:a.b.c.d; it is matched as the IPv4 client it is.
    @Test func ipv4MappedClientsMatchIPv4Entries() async throws {
        let node = try await TestNode { $0.host = "::" }
        defer { node.removeData() }
        let model = try await node.uploadModel("xgb_binary")
        let good: [String: Any] = ["records": [["f0": 1]]]
        let ipv4 = try await node.createAPI(model: model, type: "trial", whitelist: ["127.0.0.1/32"])
        #expect(try await node.predict(ipv4.id, key: ipv4.key, json: good).status == 200)
        let mapped = try await node.createAPI(model: model, type: "trial", whitelist: ["::ffff:127.0.0.0/104"])
        #expect(try await node.predict(mapped.id, key: mapped.key, json: good).status == 200)
        let ipv6Only = try await node.createAPI(model: model, type: "trial", whitelist: ["::/0"])
        #expect(try await node.predict(ipv6Only.id, key: ipv6Only.key, json: good).status == 403)
        await node.stop()
    }
}
