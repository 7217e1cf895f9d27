import Foundation
import NIOHTTP1
import SibylApp
import SibylRuntime
import Testing
@testable import SibylDataPlane
import SibylServer

/// Issue 14, items 10 and 15: what one request may cost a node, in values, evaluation time, slowness and
/// connections.
@Suite struct BudgetTests {
    /// An XGBoost model of one stump on feature 0 that declares `features` features, without their names
    /// (the node generates `f0…`), as a hostile uploader would write it: a few hundred bytes.
    static func wideModel(features: Int) -> [UInt8] {
        Array("""
            {"learner":{"attributes":{},"gradient_booster":{"name":"gbtree","model":{"gbtree_model_param":\
            {"num_parallel_tree":"1","num_trees":"1"},"iteration_indptr":[],"tree_info":[0],"trees":[{"tree_param":\
            {"num_nodes":"3","size_leaf_vector":"1","num_feature":"\(features)"},"left_children":[1,-1,-1],\
            "right_children":[2,-1,-1],"split_indices":[0,0,0],"split_conditions":[0.5,-1.0,1.0],"default_left":[1,0,0],\
            "sum_hessian":[1,1,1],"split_type":[0,0,0],"id":0}]}},"learner_model_param":{"base_score":"5E-1","num_class":"0",\
            "num_feature":"\(features)","num_target":"1"},"objective":{"name":"binary:logistic"}},"version":[3,2,0]}
            """.utf8)
    }

    static func emptyRecords(_ count: Int) -> [UInt8] {
        Array(("{\"records\":[" + Array(repeating: "{}", count: count).joined(separator: ",") + "]}").utf8)
    }

    func header(_ answer: TestNode.Answer, _ name: String) -> String? {
        answer.headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// The issue's attack: 1,000 empty records (3 KB) to a model of 2^20 features cost 9.5 s on an event
    /// loop and 3.8 GB. Such a model is now refused at upload; one as wide as the limit takes 64 rows, and
    /// says so in `Sibyl-Max-Rows`.
    @Test func aWideModelIsRefusedAtUploadAndItsRequestsAtTheirCells() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let refused = try await node.call(.POST, "/api/v1/projects/1/models?name=wide", body: Self.wideModel(features: 1 << 20))
        #expect(refused.status == 422)
        #expect(refused.errorCode == "invalid_model")
        #expect(refused.errorMessage == "the model has 1048576 features (num_feature), more than the limit of 65536")
        let over = try await node.call(.POST, "/api/v1/projects/1/models?name=wide", body: Self.wideModel(features: 65_537))
        #expect(over.errorMessage == "the model has 65537 features (num_feature), more than the limit of 65536")

        let uploaded = try await node.call(.POST, "/api/v1/projects/1/models?name=wide", body: Self.wideModel(features: 65_536))
        #expect(uploaded.status == 201, "\(uploaded.text)")
        let api = try await node.createAPI(model: try #require(uploaded["model_id"] as? String), type: "official")

        let attack = try await node.predict(api.id, key: api.key, body: Self.emptyRecords(1_000))
        #expect(attack.status == 413)
        #expect(attack.errorCode == "too_many_rows")
        #expect(attack.errorMessage == "the body has more than 64 rows: a request may hold 4194304 values (rows × features), and this model has 65536 features")
        #expect(header(attack, "Sibyl-Max-Rows") == "64")
        let atLimit = try await node.predict(api.id, key: api.key, body: Self.emptyRecords(64))
        #expect(atLimit.status == 200, "\(atLimit.text)")
        #expect((atLimit["predictions"] as? [Any])?.count == 64)
        #expect(header(atLimit, "Sibyl-Max-Rows") == "64")
        #expect(try await node.predict(api.id, key: api.key, body: Self.emptyRecords(65)).errorCode == "too_many_rows")

        // A narrow model keeps the row limit.
        let narrow = try await node.createAPI(model: try await node.uploadModel("xgb_binary"), type: "trial")
        #expect(header(try await node.predict(narrow.id, key: narrow.key, json: ["records": [[:]]]), "Sibyl-Max-Rows") == "1000")
        await node.stop()
    }

    /// An explanation holds rows × groups × (features + 1) contributions, held to the same number: 9 rows of
    /// a 1,000-feature model when a request may hold 10,000 values, though its input takes 10.
    @Test func anExplanationIsHeldToTheCellsToo() async throws {
        let node = try await TestNode { $0.maxCellsPerRequest = 10_000 }
        defer { node.removeData() }
        let uploaded = try await node.call(.POST, "/api/v1/projects/1/models?name=wide", body: Self.wideModel(features: 1_000))
        let api = try await node.createAPI(model: try #require(uploaded["model_id"] as? String), type: "official")
        #expect(try await node.predict(api.id, key: api.key, body: Self.emptyRecords(10)).status == 200)
        #expect(try await node.predict(api.id, key: api.key, body: Self.emptyRecords(9), query: "explain=true").status == 200)
        let refused = try await node.predict(api.id, key: api.key, body: Self.emptyRecords(10), query: "explain=true")
        #expect(refused.status == 413)
        #expect(refused.errorCode == "too_many_rows")
        #expect(refused.errorMessage == "the body has more than 9 rows to explain: an explanation may hold 10000 contributions, and a row of this model has 1001")
        await node.stop()
    }

    /// Evaluation cost counts the matrix as well as the trees: the attack's rows go to the evaluation threads,
    /// where counting trees alone (1,000 rows × 1 tree) ran them inline on an event loop.
    @Test func theCostOfAPredictionCountsItsCells() throws {
        let wide = try CompiledModel.load(Self.wideModel(features: 65_536), format: nil)
        let budget = ServerConfiguration().inlineEvaluationBudget
        let rows = FeatureMatrix(rows: 64, columns: 65_536, values: Array(repeating: .nan, count: 64 * 65_536))
        #expect(Evaluator.cost(wide, rows) == 64 * (1 + 65_536))
        #expect(Evaluator.cost(wide, rows) > budget)
        let narrow = try CompiledModel.load(Self.wideModel(features: 30), format: nil)
        let one = FeatureMatrix(rows: 1, columns: 30, values: Array(repeating: 0, count: 30))
        #expect(Evaluator.cost(narrow, one) == 31)
        // A graph's arithmetic counts too: the perceptron's scaler (30), first layer (30 × 16 + 16 + 16) and
        // output layer (16 × 3 + 3 + 3), a softmax of 3.
        let perceptron = try CompiledModel.load(Fixtures.bytes("onnx_mlp_multiclass/model.onnx"), format: nil)
        #expect(perceptron.workPerRow == 30 + 30 * 16 + 16 + 16 + 16 * 3 + 3 + 3)
        #expect(Evaluator.cost(perceptron, one) == 30 + perceptron.workPerRow)
    }

    // MARK: Slow clients

    static let head = "POST /apis/%@/predict HTTP/1.1\r\nHost: sibyl\r\nX-Api-Key: %@\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"

    /// A body trickled a byte at a time gets 408 `request_timeout` once its allowance is used, and the
    /// connection closes; Hummingbird's idle timer alone restarts on every byte and never would.
    @Test func aTrickledBodyIsCutOff() async throws {
        let node = try await TestNode { $0.bodyReadTimeoutSeconds = 1; $0.minBodyBytesPerSecond = 1 << 20 }
        defer { node.removeData() }
        let api = try await node.createAPI(model: try await node.uploadModel("xgb_binary"), type: "official")
        let body = #"{"records":[{"f0":1}]}"#

        // Sent in two parts 150 ms apart: within the allowance, answered.
        let prompt = try await RawConnection.open(port: node.port)
        try await prompt.send(String(format: Self.head, api.id, api.key, body.utf8.count) + body.prefix(5))
        try await Task.sleep(for: .milliseconds(150))
        try await prompt.send(String(body.dropFirst(5)))
        let answered = try await prompt.wait(.seconds(10)) { text, _ in text.contains("\r\n\r\n{") }
        #expect(answered.text.hasPrefix("HTTP/1.1 200"), "\(answered.text)")
        await prompt.close()

        let started = ContinuousClock.now
        let slow = try await RawConnection.open(port: node.port)
        try await slow.send(String(format: Self.head, api.id, api.key, body.utf8.count))
        let trickle = Task {
            for character in body {
                try await Task.sleep(for: .milliseconds(200))
                try await slow.send(String(character))
            }
        }
        let cut = try await slow.wait(.seconds(10)) { _, closed in closed }
        trickle.cancel()
        let elapsed = ContinuousClock.now - started
        #expect(cut.closed)
        #expect(cut.text.hasPrefix("HTTP/1.1 408"), "\(cut.text)")
        #expect(cut.text.lowercased().contains("connection: close"))
        #expect(cut.text.hasSuffix(
            #"{"error":{"code":"request_timeout","message":"the request body arrived too slowly: it may take 1 s plus 1 s for each 1048576 bytes"}}"#))
        #expect(elapsed >= .seconds(1) && elapsed < .seconds(5), "\(elapsed)")
        await slow.close()
        await node.stop()
    }

    /// A client answered before its body is read (here a wrong key, 401) is closed when the body's time runs
    /// out, instead of holding the connection while the rest is skipped; a head sent slowly is closed by the
    /// idle timeout, which runs until a whole head has arrived.
    @Test func anAnsweredTrickleAndASlowHeadAreClosed() async throws {
        // The API is made on a node with the default idle timeout, then the node restarts with a 1 s one: the
        // test client's pooled keep-alive connection would otherwise race the server's idle close on a busy
        // machine (a request sent as the server closes is reset).
        let setup = try await TestNode()
        let api = try await setup.createAPI(model: try await setup.uploadModel("xgb_binary"), type: "official")
        await setup.stop()
        let node = try await TestNode(folder: setup.folder) {
            $0.bodyReadTimeoutSeconds = 1; $0.minBodyBytesPerSecond = 1 << 20; $0.idleTimeoutSeconds = 1
        }
        defer { node.removeData() }

        let answeredAt = ContinuousClock.now
        let refused = try await RawConnection.open(port: node.port)
        try await refused.send(String(format: Self.head, api.id, "key_wrong.wrong", 1_000))
        let trickle = Task {
            for _ in 0..<100 {
                try await Task.sleep(for: .milliseconds(200))
                try await refused.send(" ")
            }
        }
        let closed = try await refused.wait(.seconds(10)) { _, closed in closed }
        trickle.cancel()
        #expect(closed.text.hasPrefix("HTTP/1.1 401"), "\(closed.text)")
        #expect(closed.closed)
        #expect(ContinuousClock.now - answeredAt < .seconds(5))
        await refused.close()

        let started = ContinuousClock.now
        let slowHead = try await RawConnection.open(port: node.port)
        let headTrickle = Task {
            for character in "GET /healthz HTTP/1.1\r\nHost: sibyl\r\nX-Padding: " + String(repeating: "x", count: 40) {
                try await Task.sleep(for: .milliseconds(200))
                try await slowHead.send(String(character))
            }
        }
        let idle = try await slowHead.wait(.seconds(10)) { _, closed in closed }
        headTrickle.cancel()
        #expect(idle.closed && idle.text.isEmpty)
        #expect(ContinuousClock.now - started < .seconds(5))
        await slowHead.close()
        await node.stop()
    }

    /// At the connection limit the node stops accepting: a connection over it is not served until one of
    /// those open closes.
    @Test func connectionsOverTheLimitWait() async throws {
        let node = try await TestNode { $0.maxConnections = 2 }
        defer { node.removeData() }
        let request = "GET /healthz HTTP/1.1\r\nHost: sibyl\r\n\r\n"
        var open: [RawConnection] = []
        for _ in 0..<2 {
            let connection = try await RawConnection.open(port: node.port)
            try await connection.send(request)
            let answer = try await connection.wait(.seconds(10)) { text, _ in text.contains("alive") }
            #expect(answer.text.hasPrefix("HTTP/1.1 200"))
            open.append(connection)
        }
        let third = try await RawConnection.open(port: node.port)
        try await third.send(request)
        let waiting = try await third.wait(.milliseconds(500)) { text, _ in !text.isEmpty }
        #expect(waiting.text.isEmpty)
        await open[0].close()
        let served = try await third.wait(.seconds(10)) { text, _ in text.contains("alive") }
        #expect(served.text.hasPrefix("HTTP/1.1 200"), "\(served.text)")
        await third.close()
        await open[1].close()
        await node.stop()
    }
}
