import Foundation
import NIOHTTP1
import SibylRuntime
import Testing
@testable import SibylServer

/// Issue 14, item 10: what one request may cost a node, in values and evaluation time.
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

    /// The attack: 1,000 empty records (3 KB) to a model of 2^20 features cost 9.5 s on an event
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
    }
}
