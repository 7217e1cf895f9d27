import Foundation
import SibylCore
import Testing
@testable import SibylRuntime

/// Broken and hostile LightGBM text models: each must be refused with `.invalidModel` and a reason,
/// never a crash.
@Suite struct LightGBMHostileModelTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var bytes: [UInt8]
        /// Words the reason must contain.
        var reason: String
        var testDescription: String { name }
    }

    /// The valid tiny model with one piece of its text replaced.
    static func edited(_ name: String, _ reason: String, _ original: String, _ replacement: String, in text: String = LightGBMTinyModel.text()) -> Case {
        precondition(text.contains(original), "the template has no \(original)")
        return Case(name: name, bytes: Array(text.replacingOccurrences(of: original, with: replacement).utf8), reason: reason)
    }

    static func text(_ name: String, _ text: String, _ reason: String) -> Case {
        Case(name: name, bytes: Array(text.utf8), reason: reason)
    }

    /// A tree of `splits` splits in a chain: split i sends its left child to leaf i, its right to split i + 1.
    static func chain(_ splits: Int) -> String {
        let leaves = splits + 1
        let right = (1..<splits).map(String.init) + ["\(-leaves)"]
        return """
            num_leaves=\(leaves)
            num_cat=0
            split_feature=\(Array(repeating: "0", count: splits).joined(separator: " "))
            threshold=\((0..<splits).map { String(Double($0)) }.joined(separator: " "))
            decision_type=\(Array(repeating: "2", count: splits).joined(separator: " "))
            left_child=\((0..<splits).map { String(-$0 - 1) }.joined(separator: " "))
            right_child=\(right.joined(separator: " "))
            leaf_value=\((0..<leaves).map { String(Double($0)) }.joined(separator: " "))
            leaf_count=\(Array(repeating: "1", count: leaves).joined(separator: " "))
            internal_count=\((0..<splits).map { String(leaves - $0) }.joined(separator: " "))
            """
    }

    /// A valid model with one categorical split on feature a (categories 0 and 33 go left).
    static let categorical = LightGBMTinyModel.text(trees: ["""
        num_leaves=2
        num_cat=1
        split_feature=0
        threshold=0
        decision_type=1
        left_child=-1
        right_child=-2
        leaf_value=1 2
        leaf_count=1 1
        internal_count=2
        cat_boundaries=0 2
        cat_threshold=1 2
        """])

    static let cases: [Case] = {
        var generator = DecimalNumberTests.Generator(state: 2027)
        let random = (0..<4096).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let valid = LightGBMTinyModel.text()
        var badName = Array(valid.utf8)
        badName[badName.firstRange(of: Array("feature_names=a b".utf8))!.upperBound - 1] = 0xFF
        let beforeEnd = valid.range(of: "end of trees")!.lowerBound
        return [
            // The file as a whole.
            text("empty file", "", "not a LightGBM text model"),
            Case(name: "random bytes", bytes: random, reason: "not a LightGBM text model"),
            Case(name: "random bytes after the first line", bytes: Array("tree\n".utf8) + random, reason: "header: missing version"),
            text("XGBoost JSON", #"{"learner":{}}"#, "not a LightGBM text model"),
            text("truncated after the trees", String(valid[..<beforeEnd]), "truncated"),
            text("truncated in a tree", String(valid.prefix(valid.count / 2)), #"expected key=value, found "left_chi""#),
            edited("no end of trees", #"expected "Tree=1" or "end of trees", found "feature_importances:""#, "end of trees\n", ""),
            edited("trees out of order", #"expected "Tree=0" or "end of trees", found "Tree=1""#, "Tree=0", "Tree=1"),
            edited("stray line after a tree", #"expected "Tree=1" or "end of trees", found "stray""#, "\nend of trees", "\nstray\nend of trees"),
            edited("line without = in a tree", #"expected key=value, found "garbage""#, "num_cat=0", "num_cat=0\ngarbage"),
            edited("duplicate key in a tree", #"duplicate key "num_cat""#, "num_cat=0", "num_cat=0\nnum_cat=0"),
            Case(name: "feature name not UTF-8", bytes: badName, reason: "feature_names is not valid UTF-8"),

            // Header.
            edited("missing version", "header: missing version", "version=v4\n", ""),
            edited("version v5", #"version "v5" is not one Sibyl reads"#, "version=v4", "version=v5"),
            edited("missing objective", "header: missing objective", "objective=binary sigmoid:1\n", ""),
            edited("unknown objective", #"unsupported objective "lambdarank""#, "objective=binary sigmoid:1", "objective=lambdarank"),
            edited("custom objective", #"unsupported objective "custom""#, "objective=binary sigmoid:1", "objective=custom"),
            edited("binary without sigmoid", "needs its sigmoid parameter", "objective=binary sigmoid:1", "objective=binary"),
            edited("sigmoid zero", #""sigmoid:0" must be a positive number"#, "sigmoid:1", "sigmoid:0"),
            edited("unknown objective parameter", #"parameter Sibyl does not know: "alpha:2""#, "sigmoid:1", "sigmoid:1 alpha:2"),
            edited("objective and num_class disagree", "num_class is 1, but objective", "objective=binary sigmoid:1", "objective=multiclass num_class:3"),
            edited("num_class zero", "num_class is 0, out of range", "num_class=1", "num_class=0"),
            edited("missing num_class", "header: missing num_class", "num_class=1\n", ""),
            edited("num_tree_per_iteration disagrees", "num_tree_per_iteration is 2, but num_class is 1", "num_tree_per_iteration=1", "num_tree_per_iteration=2"),
            edited("missing label_index", "header: missing label_index", "label_index=0\n", ""),
            edited("random forest", "average_output", "label_index=0", "label_index=0\naverage_output"),
            edited("max_feature_idx negative", "max_feature_idx is -1, out of range", "max_feature_idx=1", "max_feature_idx=-1"),
            edited("max_feature_idx huge", "max_feature_idx is 99999999999, out of range", "max_feature_idx=1", "max_feature_idx=99999999999"),
            edited("max_feature_idx not a number", "max_feature_idx is not an integer", "max_feature_idx=1", "max_feature_idx=1e3"),
            edited("feature_names count lie", "feature_names has 2 names, but max_feature_idx is 5", "max_feature_idx=1", "max_feature_idx=5"),
            edited("missing feature_names", "header: missing feature_names", "feature_names=a b\n", ""),
            edited("duplicate feature names", #"duplicate feature name "a""#, "feature_names=a b", "feature_names=a a"),
            edited("feature_infos count lie", "feature_infos has 1 elements", "feature_infos=[-1:1] [-1:1]", "feature_infos=[-1:1]"),
            edited("missing feature_infos", "header: missing feature_infos", "feature_infos=[-1:1] [-1:1]\n", ""),
            edited("tree_sizes count lie", "tree_sizes has 2 elements for 1 trees", "tree_sizes=", "tree_sizes=1 "),
            text("partial iteration", LightGBMTinyModel.text(objective: "multiclass num_class:3", classes: 3, trees: [LightGBMTinyModel.tree, LightGBMTinyModel.tree]),
                 "2 trees are not a whole number of iterations of 3 trees"),

            // Counts.
            edited("missing num_leaves", "Tree=0: missing num_leaves", "num_leaves=3\n", ""),
            edited("num_leaves lies", "leaf_value has 3 elements, expected 4", "num_leaves=3", "num_leaves=4"),
            edited("num_leaves huge", "num_leaves is 99999999, out of range 1...131072", "num_leaves=3", "num_leaves=99999999"),
            edited("num_leaves at the ceiling", "leaf_value has 3 elements, expected 131072", "num_leaves=3", "num_leaves=131072"),
            edited("num_leaves zero", "num_leaves is 0, out of range", "num_leaves=3", "num_leaves=0"),
            edited("num_leaves overflows", "num_leaves is not an integer", "num_leaves=3", "num_leaves=99999999999999999999999999"),
            edited("missing num_cat", "Tree=0: missing num_cat", "num_cat=0\n", ""),
            edited("num_cat beyond the splits", "num_cat is 5, out of range 0...2", "num_cat=0", "num_cat=5"),
            edited("num_cat without bitsets", "Tree=0: missing cat_boundaries", "num_cat=0", "num_cat=1"),
            edited("left_child too short", "left_child has 1 elements, expected 2", "left_child=1 -1", "left_child=1"),
            edited("threshold too long", "threshold has 3 elements, expected 2", "threshold=0.5 -0.25", "threshold=0.5 -0.25 7"),
            edited("leaf_count too short", "leaf_count has 2 elements, expected 3", "leaf_count=10 20 30", "leaf_count=10 20"),
            edited("internal_count too long", "internal_count has 3 elements, expected 2", "internal_count=60 40", "internal_count=60 40 1"),
            edited("split_gain count lie", "split_gain has 1 elements, expected 2", "split_gain=1 1", "split_gain=1"),
            edited("leaf_weight count lie", "leaf_weight has 4 elements, expected 3", "leaf_weight=1 1 1", "leaf_weight=1 1 1 1"),
            edited("internal_value count lie", "internal_value has 0 elements, expected 2", "internal_value=0 0", "internal_value="),
            edited("missing leaf_value", "Tree=0: missing leaf_value", "leaf_value=0.25 -0.5 1\n", ""),
            edited("missing leaf_count", "Tree=0: missing leaf_count", "leaf_count=10 20 30\n", ""),
            edited("missing internal_count", "Tree=0: missing internal_count", "internal_count=60 40\n", ""),
            edited("missing threshold", "Tree=0: missing threshold", "threshold=0.5 -0.25\n", ""),
            edited("missing decision_type", "Tree=0: missing decision_type", "decision_type=2 10\n", ""),
            edited("missing split_feature", "Tree=0: missing split_feature", "split_feature=0 1\n", ""),
            edited("missing right_child", "Tree=0: missing right_child", "right_child=-2 -3\n", ""),

            // Structure.
            edited("child out of range", #"left_child element 0 is "5", not an integer in -3...1"#, "left_child=1 -1", "left_child=5 -1"),
            edited("leaf out of range", #"right_child element 1 is "-4", not an integer in -3...1"#, "right_child=-2 -3", "right_child=-2 -4"),
            edited("self-loop", "split 0 is reached twice", "left_child=1 -1", "left_child=0 -1"),
            edited("cycle", "split 0 is reached twice", "right_child=-2 -3", "right_child=-2 0"),
            edited("shared leaf", "leaf 0 is reached twice", "right_child=-2 -3", "right_child=-1 -3"),
            edited("unreachable split", "split 1 is not reachable from the root", "left_child=1 -1", "left_child=-1 -3"),
            edited("split feature out of range", #"split_feature element 1 is "2", not an integer in 0...1"#, "split_feature=0 1", "split_feature=0 2"),
            edited("negative split feature", "split_feature element 0", "split_feature=0 1", "split_feature=-1 1"),
            edited("unknown missing type", "unknown missing type 3", "decision_type=2 10", "decision_type=2 12"),
            edited("decision_type beyond its bits", "not an integer in 0...15", "decision_type=2 10", "decision_type=2 16"),
            edited("categorical split without bitsets", "categorical split 0 names bitset 0.5, but num_cat is 0", "decision_type=2 10", "decision_type=3 10"),
            edited("linear tree", "linear trees", "is_linear=0", "is_linear=1"),
            text("too deep", LightGBMTinyModel.text(features: ["a"], trees: [chain(257)]), "deeper than 256 splits"),

            // Numbers.
            edited("leaf value not a number", #"leaf_value element 1 is "abc", not a finite number"#, "leaf_value=0.25 -0.5 1", "leaf_value=0.25 abc 1"),
            edited("leaf value overflows", #"leaf_value element 1 is "1e999", not a finite number"#, "leaf_value=0.25 -0.5 1", "leaf_value=0.25 1e999 1"),
            edited("leaf value inf", #"leaf_value element 0 is "inf""#, "leaf_value=0.25 -0.5 1", "leaf_value=inf -0.5 1"),
            edited("threshold NaN", #"threshold element 0 is "nan", not a number"#, "threshold=0.5 -0.25", "threshold=nan -0.25"),
            edited("threshold hex", #"threshold element 0 is "0x1p3""#, "threshold=0.5 -0.25", "threshold=0x1p3 -0.25"),
            edited("threshold with a comma", #"threshold element 0 is "0,5""#, "threshold=0.5 -0.25", "threshold=0,5 -0.25"),
            edited("fractional child", #"left_child element 0 is "1.0""#, "left_child=1 -1", "left_child=1.0 -1"),
            edited("negative count", #"leaf_count element 1 is "-20""#, "leaf_count=10 20 30", "leaf_count=10 -20 30"),
            edited("is_linear 2", "is_linear is 2, out of range 0...1", "is_linear=0", "is_linear=2"),

            // Categorical splits.
            edited("bitset index out of range", "categorical split 0 names bitset 1.0, but num_cat is 1", "threshold=0\n", "threshold=1\n", in: categorical),
            edited("cat_boundaries lie", "cat_threshold has 2 elements, expected 5", "cat_boundaries=0 2", "cat_boundaries=0 5", in: categorical),
            edited("cat_boundaries not from 0", "cat_boundaries must start at 0", "cat_boundaries=0 2", "cat_boundaries=1 2", in: categorical),
            edited("cat_boundaries count lie", "cat_boundaries has 3 elements, expected 2", "cat_boundaries=0 2", "cat_boundaries=0 1 2", in: categorical),
            edited("negative bitset word", #"cat_threshold element 1 is "-2""#, "cat_threshold=1 2", "cat_threshold=1 -2", in: categorical),
            edited("bitset word beyond 32 bits", #"cat_threshold element 0 is "4294967296""#, "cat_threshold=1 2", "cat_threshold=4294967296 2", in: categorical),
        ]
    }()

    @Test(arguments: cases)
    func isRefused(_ test: Case) {
        do {
            let model = try LightGBMTextLoader.load(test.bytes)
            Issue.record("loaded \(model.schema)")
        } catch {
            #expect(error.code == .invalidModel)
            #expect(error.message.contains(test.reason), "\(error.message)")
        }
    }

    @Test func theTemplatesAreValid() throws {
        _ = try LightGBMTextLoader.load(Array(LightGBMTinyModel.text().utf8))
        let categorical = try LightGBMTinyModel.load(Self.categorical)
        #expect(categorical.scores(FeatureMatrix(rows: 3, columns: 2, values: [0, 0, 33, 0, 1, 0])).margins == [1, 1, 2])
        // The deepest tree TreeSHAP takes is accepted, evaluated and explained.
        let deep = try LightGBMTinyModel.load(LightGBMTinyModel.text(features: ["a"], trees: [Self.chain(256)]))
        let input = FeatureMatrix(rows: 2, columns: 1, values: [1000, 2.5])
        #expect(deep.scores(input).margins == [256, 3])
        let contributions = deep.explain(input)
        #expect(abs(contributions.values(row: 1, group: 0).reduce(0, +) - 3) < 1e-9)
    }

    @Test func everyPrefixOfAModelIsRefusedOrLoaded() throws {
        let bytes = Array(LightGBMTinyModel.text().utf8)
        for length in 0..<bytes.count {
            do {
                _ = try LightGBMTextLoader.load(Array(bytes.prefix(length)))
            } catch {
                #expect(error.code == .invalidModel)
            }
        }
    }

    @Test func randomlyMutatedModelsNeverCrash() {
        var generator = DecimalNumberTests.Generator(state: 12)
        let valid = Array(LightGBMTinyModel.text().utf8)
        let alphabet = Array("=-0123456789. \nTreinfa_".utf8) + [0x00, 0x0D, 0xFF]
        for _ in 0..<3000 {
            var bytes = valid
            for _ in 0..<Int(generator.next() % 4 + 1) {
                let index = Int(generator.next() % UInt64(bytes.count))
                bytes[index] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
            }
            do {
                let model = try LightGBMTextLoader.load(bytes)
                let input = FeatureMatrix(rows: 1, columns: model.schema.featureNames.count,
                                          values: Array(repeating: 0.5, count: model.schema.featureNames.count))
                _ = model.predict(input)
                _ = model.explain(input)
            } catch {
                #expect(error.code == .invalidModel)
            }
        }
    }
}
