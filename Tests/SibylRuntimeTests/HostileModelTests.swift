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

    /// A UBJSON document `{"learner": <value>…` whose value is given as raw bytes.
    static func ubj(_ name: String, _ value: [UInt8], _ reason: String) -> Case {
        Case(name: "UBJSON: " + name, bytes: Array("{".utf8) + key("learner") + value, reason: reason)
    }

    /// A UBJSON key: its int64 length and its bytes, as XGBoost writes keys.
    static func key(_ text: String) -> [UInt8] {
        UBJSONWriter.length(text.utf8.count) + Array(text.utf8)
    }

    static let ubjCases: [Case] = [
        ubj("truncated", [0x7B, 0x4C, 0, 0, 0], "not valid UBJSON: unexpected end of input"),
        ubj("unknown value marker", Array("X".utf8), "unexpected 'X', expected a value marker"),
        ubj("key without a length marker", Array("{S".utf8), "unexpected 'S', expected an integer length"),
        ubj("huge typed count", Array("[$d#L".utf8) + UBJSONWriter.bigEndian(Int64.max) + [0, 0, 0, 0],
            "declares 9223372036854775807 elements but only 4 bytes remain"),
        ubj("typed array length lie", Array("[$l#i".utf8) + [10] + UBJSONWriter.bigEndian(Int32(7)),
            "declares 10 elements but only 4 bytes remain"),
        ubj("untyped count lie", Array("[#I".utf8) + UBJSONWriter.bigEndian(Int16(300)) + Array("TTT".utf8),
            "declares 300 elements but only 3 bytes remain"),
        ubj("object count lie", Array("{#U".utf8) + [100] + key("a") + Array("T".utf8),
            "declares 100 elements but only 11 bytes remain"),
        ubj("negative count", Array("[#i".utf8) + [0xFF], "negative length -1"),
        ubj("negative string length", Array("Sl".utf8) + UBJSONWriter.bigEndian(Int32(-5)), "negative length -5"),
        ubj("string past the end", Array("SU".utf8) + [200] + Array("abc".utf8), "a string of 200 bytes runs past the end"),
        ubj("typed container of nulls", Array("[$Z#L".utf8) + UBJSONWriter.bigEndian(Int64(1 << 40)),
            "unexpected 'Z', expected a container type"),
        ubj("type without a count", Array("[$d]".utf8), "a typed container without a count"),
        ubj("10,000-deep arrays", Array(repeating: UInt8(ascii: "["), count: 10_000), "nesting deeper than 64"),
        ubj("10,000-deep objects", Array(repeating: Array("{".utf8) + key("a"), count: 10_000).flatMap { $0 },
            "nesting deeper than 64"),
        ubj("invalid UTF-8", Array("SU".utf8) + [2, 0xC3, 0x28], "invalid UTF-8"),
        ubj("duplicate key", Array("{".utf8) + key("a") + Array("T".utf8) + key("a") + Array("F}".utf8),
            "duplicate key \"a\""),
        ubj("non-ASCII char", Array("C".utf8) + [0xE9], "is not ASCII"),
        ubj("bad high-precision number", Array("HU".utf8) + [3] + Array("1.x".utf8), "invalid high-precision number"),
        ubj("data after the document", Array("{}}".utf8) + Array("junk".utf8), "unexpected data after the value"),
        Case(name: "UBJSON: model with a bad field", bytes: {
            var model = TinyModel()
            model.trees[0].numNodes = #""1000000000""#
            return model.ubj
        }(), reason: "has 3 elements, but num_nodes is 1000000000"),
    ]

    /// A tree of `depth` splits, each with a leaf on its left: deeper than any real model needs.
    static func chain(depth: Int) -> TinyModel.Tree {
        let count = 2 * depth + 1
        let left = (0..<count).map { $0 % 2 == 0 && $0 < count - 1 ? String($0 + 1) : "-1" }
        let right = (0..<count).map { $0 % 2 == 0 && $0 < count - 1 ? String($0 + 2) : "-1" }
        let zeros = "[" + Array(repeating: "0", count: count).joined(separator: ",") + "]"
        return TinyModel.Tree(
            left: "[" + left.joined(separator: ",") + "]", right: "[" + right.joined(separator: ",") + "]",
            indices: zeros, conditions: zeros, defaultLeft: zeros, splitType: zeros)
    }

    static func categorical(_ name: String, _ reason: String, _ change: (inout TinyModel.Tree) -> Void) -> Case {
        tiny("categorical: " + name, reason) { model in
            var tree = TinyModel.categorical(set: [1, 2])
            change(&tree)
            model.trees = [tree]
        }
    }

    static let categoricalCases: [Case] = [
        categorical("split type 2", "node 0 has split type 2") { $0.splitType = "[2,0,0]" },
        categorical("no category lists", #"missing "categories""#) { $0.extra = "" },
        categorical("lists of different lengths", "have 1, 1 and 2 elements") {
            $0.extra = #","categories":[1],"categories_nodes":[0],"categories_segments":[0],"categories_sizes":[1,1]"#
        },
        categorical("segment past the end", "lie outside categories' 2 elements") {
            $0.extra = #","categories":[1,2],"categories_nodes":[0],"categories_segments":[1],"categories_sizes":[2]"#
        },
        categorical("negative size", "lie outside categories") {
            $0.extra = #","categories":[1,2],"categories_nodes":[0],"categories_segments":[0],"categories_sizes":[-1]"#
        },
        categorical("negative category", "category -3 is outside 0..<16777216") {
            $0.extra = #","categories":[-3],"categories_nodes":[0],"categories_segments":[0],"categories_sizes":[1]"#
        },
        categorical("category past 2^24", "category 16777216 is outside") {
            $0.extra = #","categories":[16777216],"categories_nodes":[0],"categories_segments":[0],"categories_sizes":[1]"#
        },
        categorical("category not an integer", "categories: element 0 is not an integer") {
            $0.extra = #","categories":[1.5],"categories_nodes":[0],"categories_segments":[0],"categories_sizes":[1]"#
        },
        categorical("list for a numerical node", "categories_nodes[1] is 1, which is not a categorical split") {
            $0.extra = #","categories":[1],"categories_nodes":[0,1],"categories_segments":[0,0],"categories_sizes":[1,1]"#
        },
        categorical("node out of range", "categories_nodes[0] is 9") {
            $0.extra = #","categories":[1],"categories_nodes":[9],"categories_segments":[0],"categories_sizes":[1]"#
        },
        categorical("node listed twice", "node 0 is listed twice") {
            $0.extra = #","categories":[1],"categories_nodes":[0,0],"categories_segments":[0,0],"categories_sizes":[1,1]"#
        },
        categorical("split without its list", "node 0 is a categorical split without categories") {
            $0.splitType = "[1,1,0]"
            $0.extra = #","categories":[1],"categories_nodes":[1],"categories_segments":[0],"categories_sizes":[1]"#
        },
        categorical("categories on a leaf", "node 1 is a leaf but has categories") {
            $0.splitType = "[1,1,0]"
            $0.extra = #","categories":[1],"categories_nodes":[0,1],"categories_segments":[0,0],"categories_sizes":[1,1]"#
        },
    ]

    static let linearCases: [Case] = [
        tiny("gblinear: too few weights", "weights: has 2 elements, expected (num_feature + 1) × 1 groups = 3") {
            $0.booster = "gblinear"
            $0.linearWeights = "[1,2]"
        },
        tiny("gblinear: weights per class", "expected (num_feature + 1) × 3 groups = 9") {
            $0.booster = "gblinear"
            $0.objective = "multi:softprob"
            $0.numClass = #""3""#
        },
        tiny("gblinear: a weight is text", "weights: element 1 is not a finite float32 number") {
            $0.booster = "gblinear"
            $0.linearWeights = #"[1,"2",3]"#
        },
        tiny("gblinear: a weight overflows float32", "element 2 is not a finite float32") {
            $0.booster = "gblinear"
            $0.linearWeights = "[1,2,1e39]"
        },
        tiny("gblinear: weights is null", "gradient_booster.model.weights: expected an array") {
            $0.booster = "gblinear"
            $0.linearWeights = "null"
        },
    ]

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
            text("top-level array", "[1,2]", "not a model format"),
            text("learner is an array", #"{"learner":[]}"#, "learner: expected an object"),
            tiny("duplicate key", "duplicate key") { $0.numTarget = #""1","num_target":"1""# },
            edited("objective is a number", "objective.name: expected a string", #""binary:logistic""#, "5"),
            tiny("unsupported objective", #"unsupported objective "rank:pairwise""#) { $0.objective = "rank:pairwise" },
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
            edited("sum_hessian missing", #"missing "sum_hessian""#, #""sum_hessian":"#, #""sum_hessians":"#),
            tiny("sum_hessian too short", "sum_hessian has 2 elements") { $0.trees[0].sumHessian = "[1,1]" },
            tiny("sum_hessian negative", "node 2: sum_hessian -1.0 is negative") { $0.trees[0].sumHessian = "[1,1,-1]" },
            tiny("sum_hessian not finite", "sum_hessian: element 0 is not a finite float32") { $0.trees[0].sumHessian = "[1e300,1,1]" },
            tiny("a tree 300 splits deep", "deeper than 256 levels") { $0.trees = [chain(depth: 300)] },
            tiny("poisson base_score zero", "must be positive for count:poisson") {
                $0.objective = "count:poisson"
                $0.baseScore = #""0""#
            },
            tiny("gamma base_score negative", "must be positive for reg:gamma") {
                $0.objective = "reg:gamma"
                $0.baseScore = #""[-1E0]""#
            },
            tiny("vector leaves", "multi-target") { $0.trees[0].sizeLeafVector = #""3""# },
            tiny("dart without weights", "weight_drop has 0 elements for 1 trees") { $0.booster = "dart" },
        ] + ubjCases + categoricalCases + linearCases
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

extension HostileModelTests {
    @Test func everyPrefixOfAUBJSONModelIsRefused() throws {
        let bytes = TinyModel().ubj
        for length in 0..<bytes.count {
            #expect(throws: SibylError.self) { try CompiledModel.load(Array(bytes.prefix(length)), format: .xgboostUBJ) }
        }
        #expect(try CompiledModel.load(bytes, format: nil).schema.format == .xgboostUBJ)
    }

    /// Mutated UBJSON files of a model with a categorical split: refused with a reason, or loaded and then
    /// evaluated and explained without a crash.
    @Test func randomlyMutatedUBJSONModelsNeverCrash() throws {
        var generator = DecimalNumberTests.Generator(state: 12)
        var tiny = TinyModel(objective: "reg:squarederror")
        tiny.trees = [TinyModel.categorical(set: [1, 5]), TinyModel.stump(feature: 1)]
        let valid = tiny.ubj
        let alphabet = Array("{}[]$#ZTFiUIlLdDHCSN".utf8) + [0x00, 0x01, 0x7F, 0x80, 0xFF]
        let rows = FeatureMatrix(rows: 3, columns: 2, values: [1, 0, 5, .nan, -7, 3])
        var loaded = 0
        for _ in 0..<3000 {
            var bytes = valid
            for _ in 0..<Int(generator.next() % 3 + 1) {
                let index = Int(generator.next() % UInt64(bytes.count))
                bytes[index] = generator.next() % 2 == 0
                    ? alphabet[Int(generator.next() % UInt64(alphabet.count))] : UInt8(truncatingIfNeeded: generator.next())
            }
            do {
                let model = try CompiledModel.load(bytes, format: nil)
                if model.schema.featureNames.count == 2 {
                    _ = model.predict(rows)
                    _ = model.explain(rows)
                }
                loaded += 1
            } catch {
                #expect(error.code == .invalidModel)
            }
        }
        #expect(loaded > 0 && loaded < 3000)
    }
}
