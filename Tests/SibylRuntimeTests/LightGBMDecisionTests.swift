import Foundation
import SibylCore
import Testing
@testable import SibylRuntime

/// A small LightGBM text model written in code, in the layout of LightGBM 4.x's `save_model`, so that
/// tests can build valid models and break them one line at a time.
enum LightGBMTinyModel {
    /// Two splits over features a and b: a ≤ 0.5 leads to the split on b (≤ -0.25: leaf 0, else leaf 2),
    /// a > 0.5 to leaf 1.
    static let tree = """
        num_leaves=3
        num_cat=0
        split_feature=0 1
        split_gain=1 1
        threshold=0.5 -0.25
        decision_type=2 10
        left_child=1 -1
        right_child=-2 -3
        leaf_value=0.25 -0.5 1
        leaf_weight=1 1 1
        leaf_count=10 20 30
        internal_value=0 0
        internal_weight=2 1
        internal_count=60 40
        is_linear=0
        shrinkage=1
        """

    /// One split on feature 0: left gives 1, right gives 2.
    static func stump(threshold: String, decisionType: Int) -> String {
        """
        num_leaves=2
        num_cat=0
        split_feature=0
        threshold=\(threshold)
        decision_type=\(decisionType)
        left_child=-1
        right_child=-2
        leaf_value=1 2
        leaf_count=1 1
        internal_count=2
        """
    }

    static func text(
        objective: String = "binary sigmoid:1", classes: Int = 1, features: [String] = ["a", "b"], trees: [String] = [tree]
    ) -> String {
        // LightGBM finds each tree by the byte sizes in tree_sizes.
        let blocks = trees.enumerated().map { "Tree=\($0)\n\($1)\n\n\n" }
        let text = """
            tree
            version=v4
            num_class=\(classes)
            num_tree_per_iteration=\(classes)
            label_index=0
            max_feature_idx=\(features.count - 1)
            objective=\(objective)
            feature_names=\(features.joined(separator: " "))
            feature_infos=\(Array(repeating: "[-1:1]", count: features.count).joined(separator: " "))
            tree_sizes=\(blocks.map { String($0.utf8.count) }.joined(separator: " "))


            """
        return text + blocks.joined() + """
            end of trees

            feature_importances:
            a=1

            parameters:
            [boosting: gbdt]
            end of parameters

            pandas_categorical:null

            """
    }

    static func load(_ text: String) throws(SibylError) -> LightGBMModel {
        // The loader only ever builds LightGBM evaluators.
        try LightGBMTextLoader.load(Array(text.utf8)).evaluator as! LightGBMModel
    }
}

/// LightGBM's decision rules (`NumericalDecision`, `CategoricalDecision` in tree.h) and output
/// transforms, on hand-written trees whose every outcome is known.
@Suite struct LightGBMDecisionTests {
    /// The leaf (1 left, 2 right) each value reaches through a one-split tree on feature 0.
    func leaves(_ tree: String, _ values: [Float]) throws -> [Double] {
        let model = try LightGBMTinyModel.load(LightGBMTinyModel.text(objective: "regression", features: ["x"], trees: [tree]))
        return model.scores(FeatureMatrix(rows: values.count, columns: 1, values: values)).margins
    }

    @Test func numericalSplitsCompareTheDoubleThreshold() throws {
        // 0.1 is not a float32: the float nearest it is above it, the one below is below.
        let tree = LightGBMTinyModel.stump(threshold: "0.10000000000000001", decisionType: 2)
        #expect(try leaves(tree, [Float(0.1), Float(0.1).nextDown, -5, 5]) == [2, 1, 1, 2])
        // A value equal to the threshold goes left.
        let exact = LightGBMTinyModel.stump(threshold: "0.100000001490116119384765625", decisionType: 0)
        #expect(try leaves(exact, [Float(0.1), Float(0.1).nextUp]) == [1, 2])
        // inf separates only the missing values, which go right here.
        let infinite = LightGBMTinyModel.stump(threshold: "inf", decisionType: 8)
        #expect(try leaves(infinite, [.greatestFiniteMagnitude, .infinity, .nan]) == [1, 1, 2])
    }

    @Test func missingTypeNaNSendsOnlyNaNTheDefaultWay() throws {
        let right = LightGBMTinyModel.stump(threshold: "-1", decisionType: 8)
        #expect(try leaves(right, [.nan, 0, -2, 1e-36]) == [2, 2, 1, 2])
        let left = LightGBMTinyModel.stump(threshold: "-1", decisionType: 10)
        #expect(try leaves(left, [.nan, 0, -2, 5]) == [1, 2, 1, 2])
    }

    @Test func missingTypeZeroSendsZeroAndNaNTheDefaultWay() throws {
        // Values within ±1e-35 of zero are zero for LightGBM's predictor.
        let left = LightGBMTinyModel.stump(threshold: "-1", decisionType: 6)
        #expect(try leaves(left, [0, -0.0, 1e-36, -1e-35, .nan, 2e-35, 0.5, -2]) == [1, 1, 1, 1, 1, 2, 2, 1])
        let right = LightGBMTinyModel.stump(threshold: "1", decisionType: 4)
        #expect(try leaves(right, [0, .nan, .leastNonzeroMagnitude, 0.5, 2]) == [2, 2, 2, 1, 2])
    }

    @Test func missingTypeNoneReadsNaNAsZero() throws {
        // The default-left bit means nothing without a missing type: NaN goes where 0 goes.
        for decisionType in [0, 2] {
            #expect(try leaves(LightGBMTinyModel.stump(threshold: "-1", decisionType: decisionType), [.nan, 0, -2]) == [2, 2, 1])
            #expect(try leaves(LightGBMTinyModel.stump(threshold: "1", decisionType: decisionType), [.nan, 0, 2]) == [1, 1, 2])
        }
        // A tiny value is 0, so it goes where 0 goes even against a threshold between them.
        #expect(try leaves(LightGBMTinyModel.stump(threshold: "-1e-36", decisionType: 0), [1e-36, -1e-36, -2e-35]) == [2, 2, 1])
    }

    @Test func categoricalSplitsLookUpTheBitset() throws {
        // Categories 0, 1 (word 0 = 0b11) and 33 (word 1, bit 1) go left.
        let tree = """
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
            cat_threshold=3 2
            """
        let values: [Float] = [0, 1, 33, 33.9, 1.5, -0.5, 2, 32, 34, 64, 1e6, -1, .nan, 3e9, .infinity, -.infinity]
        let expected: [Double] = [1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]
        #expect(try leaves(tree, values) == expected)
    }

    @Test func objectivesTransformAsLightGBMDoes() throws {
        let one = FeatureMatrix(rows: 1, columns: 2, values: [0.7, 0])
        func outputs(_ objective: String, classes: Int = 1) throws -> (margins: [Double], outputs: [Double]) {
            let trees = Array(repeating: LightGBMTinyModel.tree, count: classes)
            return try LightGBMTinyModel.load(LightGBMTinyModel.text(objective: objective, classes: classes, trees: trees)).scores(one)
        }
        // The row reaches leaf 1 (-0.5) in each tree.
        #expect(try outputs("binary sigmoid:0.5").outputs == [1 / (1 + exp(0.25))])
        #expect(try outputs("cross_entropy").outputs == [1 / (1 + exp(0.5))])
        #expect(try outputs("cross_entropy_lambda").outputs == [log1p(exp(-0.5))])
        #expect(try outputs("regression sqrt").outputs == [-0.25])
        for name in ["regression", "regression_l1", "huber", "fair", "quantile", "mape"] {
            #expect(try outputs(name).outputs == [-0.5])
        }
        for name in ["poisson", "gamma", "tweedie"] {
            #expect(try outputs(name).outputs == [exp(-0.5)])
        }
        #expect(try outputs("multiclass num_class:3", classes: 3).outputs == [1.0 / 3, 1.0 / 3, 1.0 / 3])
        let ova = try outputs("multiclassova num_class:2 sigmoid:2", classes: 2)
        #expect(ova.margins == [-0.5, -0.5])
        #expect(ova.outputs == [1 / (1 + exp(1.0)), 1 / (1 + exp(1.0))])
    }

    @Test func treesAddToTheirClassInTurn() throws {
        // Six trees, three classes: tree t adds to class t % 3; each is a constant.
        let trees = (0..<6).map { "num_leaves=1\nnum_cat=0\nleaf_value=\(Double($0 + 1))\nleaf_count=5" }
        let model = try LightGBMTinyModel.load(LightGBMTinyModel.text(objective: "multiclass num_class:3", classes: 3, trees: trees))
        let row = FeatureMatrix(rows: 1, columns: 2, values: [0, 0])
        #expect(model.scores(row).margins == [5, 7, 9])
        let contributions = model.explain(row)
        #expect(contributions.values(row: 0, group: 2) == [0, 0, 9])
        let predictions = model.predict(row)
        #expect(predictions.label(ofRow: 0) == "2")
        #expect(predictions.classes == ["0", "1", "2"])
    }

    @Test func binaryLabelsAndProbabilities() throws {
        let model = try LightGBMTinyModel.load(LightGBMTinyModel.text())
        // Leaves: a ≤ 0.5 and b ≤ -0.25 → 0.25; a > 0.5 → -0.5; else 1.
        let input = FeatureMatrix(rows: 3, columns: 2, values: [0, -1, 1, 0, 0, 0])
        let predictions = model.predict(input)
        #expect(predictions.margins == [0.25, -0.5, 1])
        #expect(predictions.labels == [1, 0, 1])
        let p = 1 / (1 + exp(-0.25))
        #expect(Array(predictions.probabilities(ofRow: 0)) == [Float(1 - p), Float(p)])
        // lightgbm 4.7.0's pred_contrib for these rows; the bias is the count-weighted mean leaf,
        // (10 · 0.25 + 20 · -0.5 + 30 · 1) / 60.
        let expected: [[Double]] = [[0.34375, -0.46875, 0.375], [-0.9375, 0.0625, 0.375], [0.46875, 0.15625, 0.375]]
        let contributions = model.explain(input)
        for row in 0..<3 {
            for (ours, theirs) in zip(contributions.values(row: row, group: 0), expected[row]) {
                #expect(abs(ours - theirs) < 1e-12)
            }
        }
    }
}
