import AsyncHTTPClient
import Foundation
import NIOHTTP1
import SibylApp
import SibylCore
import SibylServer
import Testing

/// The Open Inference Protocol v2 routes: JSON and binary tensors, both layouts, outputs, and the same
/// gateway rules as /predict.
@Suite(.serialized) struct InferenceTests {
    func rows(_ count: Int) throws -> [[Double?]] {
        Array(try Fixtures.table("data/X_test_nan.csv").rows.prefix(count))
    }

    @Test func healthMetadataAndReadiness() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        #expect(try await node.call(.GET, "/v2/health/live", token: nil)["live"] as? Bool == true)
        #expect(try await node.call(.GET, "/v2/health/ready", token: nil)["ready"] as? Bool == true)
        #expect((try await node.call(.GET, "/v2", token: nil)["extensions"] as? [String])?.contains("binary_tensor_data") == true)
        let api = try await node.createAPI(model: try await node.uploadModel("xgb_multiclass"), type: "official")
        let key = [("X-Api-Key", api.key)]
        let metadata = try await node.call(.GET, "/v2/models/\(api.id)", token: nil, headers: key)
        #expect(metadata["name"] as? String == api.id)
        let inputs = try #require(metadata["inputs"] as? [[String: Any]])
        #expect(inputs.first?["shape"] as? [Int] == [-1, 30])
        #expect(try await node.call(.GET, "/v2/models/\(api.id)", token: nil).status == 401)
        #expect(try await node.call(.GET, "/v2/models/\(api.id)/ready", token: nil, headers: key)["ready"] as? Bool == true)
        _ = try await node.call(.POST, "/api/v1/projects/1/apis/\(api.id)/stop")
        #expect(try await node.call(.GET, "/v2/models/\(api.id)/ready", token: nil, headers: key).status == 503)
        #expect(try await node.call(.GET, "/v2/models/api_aaaaaaaaaaaaaaaa/ready", token: nil, headers: key).status == 404)
        await node.stop()
    }

    @Test func jsonTensorsGiveThePredictAnswer() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let api = try await node.createAPI(model: try await node.uploadModel("xgb_binary"), type: "official")
        let table = try rows(3)
        let flat = table.flatMap { $0.map { $0 as Any? ?? NSNull() } }
        let nested = table.map { $0.map { $0 as Any? ?? NSNull() } }
        let native = try await node.predict(api.id, key: api.key, json: ["rows": nested])
        let nativeProbabilities = try #require(native.positiveProbabilities)
        for data in [flat, nested as [Any]] {
            let answer = try await node.call(
                .POST, "/v2/models/\(api.id)/infer", token: nil,
                json: ["id": "r1", "inputs": [["name": "input-0", "shape": [3, 30], "datatype": "FP32", "data": data]]],
                headers: [("X-Api-Key", api.key)])
            #expect(answer.status == 200, "\(answer.text)")
            #expect(answer["id"] as? String == "r1")
            let outputs = try #require(answer["outputs"] as? [[String: Any]])
            #expect(outputs.map { $0["name"] as! String } == ["label", "probabilities"])
            #expect(outputs[1]["shape"] as? [Int] == [3, 2])
            let probabilities = outputs[1]["data"] as! [Double]
            #expect(stride(from: 1, to: 6, by: 2).map { probabilities[$0] } == nativeProbabilities)
        }
        // One input per feature, named as the feature; absent features are missing values.
        var columns: [[String: Any]] = []
        for (index, name) in ["f0", "f1", "f2"].enumerated() {
            columns.append(["name": name, "shape": [3], "datatype": "FP64", "data": table.map { $0[index] as Any? ?? NSNull() }])
        }
        let byColumns = try await node.call(
            .POST, "/v2/models/\(api.id)/infer", token: nil, json: ["inputs": columns], headers: [("X-Api-Key", api.key)])
        let records = table.map { row in Dictionary(uniqueKeysWithValues: zip(["f0", "f1", "f2"], row.prefix(3)).compactMap { k, v in v.map { (k, $0) } }) }
        let byRecords = try await node.predict(api.id, key: api.key, json: ["records": records])
        let columnLabels = ((byColumns["outputs"] as! [[String: Any]])[0]["data"] as! [String])
        #expect(columnLabels == (byRecords["predictions"] as! [[String: Any]]).map { $0["label"] as! String })
        await node.stop()
    }

    @Test func binaryTensorsInAndOut() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let api = try await node.createAPI(model: try await node.uploadModel("xgb_regressor"), type: "official")
        let table = try rows(4)
        var raw: [UInt8] = []
        for value in table.flatMap({ $0 }) { withUnsafeBytes(of: Float(value ?? .nan).bitPattern.littleEndian) { raw += $0 } }
        let header = try JSONSerialization.data(withJSONObject: [
            "inputs": [["name": "x", "shape": [4, 30], "datatype": "FP32", "parameters": ["binary_data_size": raw.count]]],
            "outputs": [["name": "value", "parameters": ["binary_data": true]], ["name": "margin"]],
        ])
        let answer = try await node.call(
            .POST, "/v2/models/\(api.id)/infer", token: nil, body: Array(header) + raw,
            headers: [("X-Api-Key", api.key), ("Inference-Header-Content-Length", String(header.count)),
                      ("Content-Type", "application/octet-stream")])
        #expect(answer.status == 200, "\(answer.text)")
        let length = try #require(answer.headers.first { $0.0.lowercased() == "inference-header-content-length" }.flatMap { Int($0.1) })
        let json = try #require(try JSONSerialization.jsonObject(with: Data(answer.body[..<length])) as? [String: Any])
        let outputs = try #require(json["outputs"] as? [[String: Any]])
        #expect((outputs[0]["parameters"] as? [String: Int])?["binary_data_size"] == 16)
        let values = stride(from: length, to: length + 16, by: 4).map { offset in
            Float(bitPattern: UInt32(answer.body[offset]) | UInt32(answer.body[offset + 1]) << 8 | UInt32(answer.body[offset + 2]) << 16
                | UInt32(answer.body[offset + 3]) << 24)
        }
        let native = try await node.predict(api.id, key: api.key, json: ["rows": table.map { $0.map { $0 as Any? ?? NSNull() } }])
        #expect(values == (native["predictions"] as! [[String: Any]]).map { Float($0["value"] as! Double) })
        // The regressor's margin is its value (reg:squarederror), given as JSON since not asked binary.
        #expect((outputs[1]["data"] as? [Double])?.map { Float($0) } == values)
        await node.stop()
    }

    @Test func badRequestsAreRefusedByTheRules() async throws {
        let node = try await TestNode { $0.maxRowsPerRequest = 5 }
        defer { node.removeData() }
        let model = try await node.uploadModel("xgb_binary")
        let api = try await node.createAPI(model: model, type: "official")
        func infer(_ json: Any? = nil, body: [UInt8]? = nil, headers: [(String, String)] = []) async throws -> TestNode.Answer {
            try await node.call(.POST, "/v2/models/\(api.id)/infer", token: nil, json: json, body: body,
                                headers: [("X-Api-Key", api.key)] + headers)
        }
        func input(_ shape: [Any], _ data: Any, type: String = "FP32") -> [String: Any] {
            ["inputs": [["name": "input", "shape": shape, "datatype": type, "data": data]]]
        }
        let cases: [(TestNode.Answer, Int, String)] = [
            (try await infer(input([1, 29], Array(repeating: 1.0, count: 29))), 422, "invalid_input"),
            (try await infer(input([1, 30], Array(repeating: 1.0, count: 29))), 422, "invalid_input"),
            (try await infer(input([1, 30], Array(repeating: "a", count: 30))), 422, "invalid_input"),
            (try await infer(input([1, 30], Array(repeating: 1.0, count: 30), type: "BYTES")), 422, "invalid_input"),
            (try await infer(input([4_000_000_000, 4_000_000_000, 30], [1.0])), 422, "invalid_input"),
            (try await infer(input([6, 30], Array(repeating: 1.0, count: 180))), 413, "too_many_rows"),
            (try await infer(["inputs": [["name": "nope", "shape": [1], "datatype": "FP32", "data": [1.0]]]]), 422, "invalid_input"),
            (try await infer(["inputs": []]), 422, "invalid_input"),
            (try await infer(["inputs": [["name": "f0", "shape": [1], "datatype": "FP32", "data": [1.0]]], "outputs": [["name": "value"]]]),
             422, "invalid_input"),
            (try await infer(body: Array("{\"inputs\": [".utf8), headers: [("Content-Type", "application/json")]), 400, "malformed_body"),
            (try await infer(body: Array("x=1".utf8), headers: [("Content-Type", "application/x-www-form-urlencoded")]), 415,
             "unsupported_media_type"),
            (try await infer(body: Array("{}".utf8), headers: [("Inference-Header-Content-Length", "99")]), 400, "malformed_body"),
            (try await node.call(.POST, "/v2/models/\(api.id)/infer", token: nil, json: input([1, 30], Array(repeating: 1.0, count: 30))),
             401, "invalid_api_key"),
        ]
        for (index, (answer, status, code)) in cases.enumerated() {
            #expect(answer.status == status && answer.errorCode == code, "case \(index): \(answer.text)")
        }
        let usage = try await node.call(.GET, "/api/v1/projects/1/apis/\(api.id)/usage")
        #expect((usage["days"] as? [[String: Any]])?.last?["status_4xx_5xx"] as? Int == cases.count)
        await node.stop()
    }

    @Test func aTrialAPICountsInferCallsAgainstItsLimit() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let api = try await node.createAPI(model: try await node.uploadModel("xgb_binary"), type: "trial")
        let body: [String: Any] = ["inputs": [["name": "f0", "shape": [1], "datatype": "FP32", "data": [0.5]]]]
        for _ in 0..<60 { _ = try await node.predict(api.id, key: api.key, json: ["records": [["f0": 0.5]]]) }
        var statuses: [Int: Int] = [:]
        for _ in 0..<50 {
            let answer = try await node.call(.POST, "/v2/models/\(api.id)/infer", token: nil, json: body, headers: [("X-Api-Key", api.key)])
            statuses[answer.status, default: 0] += 1
        }
        #expect(statuses == [200: 40, 429: 10])
        // Metadata is not a prediction: it uses nothing of the limit.
        #expect(try await node.call(.GET, "/v2/models/\(api.id)", token: nil, headers: [("X-Api-Key", api.key)]).status == 200)
        await node.stop()
    }
}
