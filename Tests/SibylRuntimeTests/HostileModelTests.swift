import Foundation
import SibylCore
import Testing
@testable import SibylRuntime

/// Broken and hostile model files: each must be refused with `.invalidModel` and a reason, never a crash.
@Suite struct HostileModelTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var bytes: [UInt8]
        /// Words the reason must contain.
        var reason: String
        var testDescription: String { name }
    }

    static func tiny(_ name: String, _ reason: String, _ change: (inout TinyModel) -> Void) -> Case {
        var model = TinyModel()
        change(&model)
        return Case(name: name, bytes: model.bytes, reason: reason)
    }

    /// A valid tiny model with one piece of its text replaced.
    static func edited(_ name: String, _ reason: String, _ original: String, _ replacement: String) -> Case {
        let json = TinyModel().json
        precondition(json.contains(original), "the template has no \(original)")
        return Case(name: name, bytes: Array(json.replacingOccurrences(of: original, with: replacement).utf8), reason: reason)
    }

    static func text(_ name: String, _ text: String, _ reason: String) -> Case {
        Case(name: name, bytes: Array(text.utf8), reason: reason)
    }

    static let cases: [Case] = {
        var generator = DecimalNumberTests.Generator(state: 2026)
        let random = (0..<4096).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let valid = TinyModel().bytes
        return [
            Case(name: "truncated", bytes: Array(valid.prefix(valid.count / 2)), reason: "not valid JSON"),
            text("10,000-deep arrays", #"{"learner":"# + String(repeating: "[", count: 10_000), "nesting deeper than 64"),
            text("10,000-deep objects", String(repeating: #"{"learner":"#, count: 10_000), "nesting deeper than 64"),
            text("empty object", "{}", #"missing "learner""#),
            text("empty file", "", "not a model format"),
            Case(name: "random bytes", bytes: random, reason: "not a model format"),
            Case(name: "random bytes after a brace", bytes: Array("{\"".utf8) + random, reason: "not valid JSON"),
            Case(name: "UBJSON", bytes: [0x7B, 0x4C, 0, 0, 0, 0, 0, 0, 0, 7] + Array("learner".utf8), reason: "UBJSON"),
            text("top-level array", "[1,2]", "not a model format"),
            text("learner is an array", #"{"learner":[]}"#, "learner: expected an object"),
            tiny("duplicate key", "duplicate key") { $0.numTarget = #""1","num_target":"1""# },
            edited("objective is a number", "objective.name: expected a string", #""binary:logistic""#, "5"),
            tiny("unsupported objective", #"unsupported objective "rank:pairwise""#) { $0.objective = "rank:pairwise" },
            tiny("gblinear", "gblinear") { $0.booster = "gblinear" },
            tiny("unknown booster", #"unsupported booster "forest""#) { $0.booster = "forest" },
            tiny("num_feature is text", "num_feature: expected an integer") { $0.numFeature = #""abc""# },
            tiny("num_feature is huge", "num_feature: \"99999999999\" is out of range") { $0.numFeature = #""99999999999""# },
            tiny("num_feature overflows", "is out of range") { $0.numFeature = #""99999999999999999999999999""# },
            tiny("num_feature is zero", "num_feature: \"0\" is out of range") { $0.numFeature = #""0""# },
            tiny("num_class is huge", "num_class") { $0.numClass = #""4294967296""# },
            tiny("num_target 2", "multi-output") { $0.numTarget = #""2""# },
            tiny("binary with classes", "num_class must be 0") { $0.numClass = #""3""# },
            tiny("multiclass with one class", "num_class must be at least 2") {
                $0.objective = "multi:softprob"
                $0.numClass = #""1""#
            },
            tiny("base_score not a number", "base_score: cannot read") { $0.baseScore = #""abc""# },
            tiny("base_score is an object", "base_score: expected a number or a string") { $0.baseScore = "{}" },
            tiny("base_score outside [0, 1]", "must be a probability") { $0.baseScore = #""[1.5E0]""# },
            tiny("base_score overflows float32", "not finite") { $0.baseScore = #""1E39""# },
            tiny("base_score wrong count", "has 2 values, expected 1") { $0.baseScore = #""[1E-1,2E-1]""# },
            tiny("feature_names count", "has 1 names, but num_feature is 2") { $0.featureNames = #"["a"]"# },
            tiny("feature_names duplicate", #"duplicate feature name "a""#) { $0.featureNames = #"["a","a"]"# },
            tiny("feature_names not strings", "expected a string") { $0.featureNames = "[1,2]" },
            edited("trees not an array", "trees: expected an array", #""trees":["#, #""trees":"none","unused":["#),
            tiny("num_trees disagrees", "num_trees is 5 but there are 1 trees") { $0.numTrees = #""5""# },
            tiny("tree_info too short", "tree_info: has 0 elements for 1 trees") { $0.treeInfo = "[]" },
            tiny("tree_info group out of range", "output group 1") { $0.treeInfo = "[1]" },
            tiny("left_children holds a string", "left_children: element 1 is not an integer") { $0.trees[0].left = #"[1,"x",-1]"# },
            tiny("split_conditions holds a string", "split_conditions: element 0 is not a finite float32") {
                $0.trees[0].conditions = #"["0.5",1,2]"#
            },
            tiny("split condition overflows float32", "not a finite float32") { $0.trees[0].conditions = "[1e39,1,2]" },
            tiny("split condition is 1e400", "not a finite float32") { $0.trees[0].conditions = "[1e400,1,2]" },
            tiny("default_left holds 2", "default_left: element 0 is not a boolean or 0/1") { $0.trees[0].defaultLeft = "[2,0,0]" },
            tiny("right_children too short", "right_children has 2 elements, but num_nodes is 3") { $0.trees[0].right = "[2,-1]" },
            tiny("num_nodes disagrees", "has 3 elements, but num_nodes is 1000000000") { $0.trees[0].numNodes = #""1000000000""# },
            tiny("num_nodes zero", "num_nodes") { $0.trees[0].numNodes = #""0""# },
            tiny("split_type too long", "split_type has 4 elements") { $0.trees[0].splitType = "[0,0,0,0]" },
            tiny("child index out of range", "child index 7 is out of range 0..<3") { $0.trees[0].left = "[7,-1,-1]" },
            tiny("negative child index", "child index -2 is out of range") { $0.trees[0].right = "[-2,-1,-1]" },
            tiny("self-loop", "node 0 is reached twice") { $0.trees[0].left = "[0,-1,-1]" },
            tiny("shared child", "node 1 is reached twice") { $0.trees[0].right = "[1,-1,-1]" },
            tiny("cycle", "is reached twice") {
                $0.trees[0] = TinyModel.Tree(
                    left: "[1,2,-1,-1]", right: "[3,0,-1,-1]", indices: "[0,0,0,0]",
                    conditions: "[0,0,1,2]", defaultLeft: "[0,0,0,0]", splitType: nil)
            },
            tiny("right child without left", "has a right child but no left child") { $0.trees[0].right = "[2,2,-1]" },
            tiny("split index ≥ num_feature", "split feature 2 is not below num_feature 2") { $0.trees[0].indices = "[2,0,0]" },
            tiny("negative split index", "split feature -1") { $0.trees[0].indices = "[-1,0,0]" },
            tiny("categorical split", "categorical splits are not supported") { $0.trees[0].splitType = "[1,0,0]" },
            tiny("vector leaves", "multi-target") { $0.trees[0].sizeLeafVector = #""3""# },
            tiny("dart without weights", "weight_drop has 0 elements for 1 trees") { $0.booster = "dart" },
        ]
    }()

    @Test(arguments: cases)
    func isRefused(_ test: Case) {
        do {
            let model = try CompiledModel.load(test.bytes, format: nil)
            Issue.record("loaded \(model.schema)")
        } catch {
            #expect(error.code == .invalidModel)
            #expect(error.message.contains(test.reason), "\(error.message)")
        }
    }

    @Test func everyPrefixOfARealModelIsRefusedOrLoaded() throws {
        let bytes = TinyModel().bytes
        for length in 0..<bytes.count {
            #expect(throws: SibylError.self) { try CompiledModel.load(Array(bytes.prefix(length)), format: .xgboostJSON) }
        }
        _ = try CompiledModel.load(bytes, format: .xgboostJSON)
    }

    @Test func randomlyMutatedModelsNeverCrash() {
        var generator = DecimalNumberTests.Generator(state: 11)
        let valid = TinyModel().bytes
        let alphabet = Array(#"{}[]:,"-0123456789.eE tfnul\"#.utf8) + [0x00, 0xFF]
        for _ in 0..<3000 {
            var bytes = valid
            for _ in 0..<Int(generator.next() % 4 + 1) {
                let index = Int(generator.next() % UInt64(bytes.count))
                bytes[index] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
            }
            do {
                _ = try CompiledModel.load(bytes, format: nil)
            } catch {
                #expect(error.code == .invalidModel)
            }
        }
    }
}
