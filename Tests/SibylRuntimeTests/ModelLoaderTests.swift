import Foundation
import SibylCore
import Testing
@testable import SibylRuntime

@Suite struct ModelLoaderTests {
    func load(_ model: TinyModel) throws(SibylError) -> CompiledModel {
        try CompiledModel.load(model.bytes, format: nil)
    }

    func predict(_ model: CompiledModel, _ rows: [[Float]]) -> Predictions {
        model.predict(FeatureMatrix(rows: rows.count, columns: rows[0].count, values: rows.flatMap { $0 }))
    }

    @Test(arguments: [#""0.5""#, #""5E-1""#, #""[5E-1]""#, #""[ 5.0E-1 ]""#, "0.5"])
    func readsEveryBaseScoreForm(_ baseScore: String) throws {
        let model = try load(TinyModel(baseScore: baseScore))
        // A probability of 0.5 is a margin of 0, so the margin is the leaf alone.
        #expect(predict(model, [[0, 0]]).margins == [-1])
    }

    @Test func mapsALogisticBaseScoreToAMarginInFloat32() throws {
        let model = try load(TinyModel(baseScore: #""[4.977E-1]""#))
        #expect(predict(model, [[0, 0]]).margins == [-logf(1 / Float(0.4977) - 1) + -1])
        let regression = try load(TinyModel(objective: "reg:squarederror", baseScore: #""[1.6602329E0]""#))
        #expect(predict(regression, [[1, 0]]).values == [Float(1.6602329) + 1])
    }

    @Test(arguments: ["count:poisson", "reg:gamma", "reg:tweedie"])
    func mapsALogLinkBaseScoreToAMarginAndBack(_ objective: String) throws {
        for baseScore in [#""2.5""#, #""25E-1""#, #""[2.5E0]""#, "2.5"] {
            let predictions = predict(try load(TinyModel(objective: objective, baseScore: baseScore)), [[0, 0]])
            #expect(predictions.margins == [logf(2.5) - 1])
            #expect(predictions.values == [expf(logf(2.5) - 1)])
            #expect(predictions.task == .regression && predictions.labels.isEmpty && !predictions.hasProbabilities)
        }
    }

    @Test(arguments: ["reg:absoluteerror", "reg:pseudohubererror", "binary:logitraw"])
    func takesAnIdentityLinkBaseScoreAsTheMargin(_ objective: String) throws {
        let predictions = predict(try load(TinyModel(objective: objective, baseScore: #""[2.5E0]""#)), [[0, 0]])
        #expect(predictions.margins == [1.5])
        #expect(predictions.values == (objective == "binary:logitraw" ? [] : [1.5]))
    }

    @Test func readsOneBaseScorePerClass() throws {
        var tiny = TinyModel(objective: "multi:softprob", baseScore: #""[1E-1,2E-1,-3E-1]""#, numClass: #""3""#)
        tiny.trees = [TinyModel.stump(), TinyModel.stump(low: 2), TinyModel.stump(low: 3)]
        tiny.treeInfo = "[0,1,2]"
        let predictions = predict(try load(tiny), [[0, 0]])
        let expected: [Float] = [0.1 - 1, 0.2 + 2, -0.3 + 3]
        #expect(predictions.margins == expected)
        #expect(predictions.label(ofRow: 0) == "2")
        #expect(abs(predictions.probabilities.reduce(0, +) - 1) < 1e-6)
    }

    @Test func followsDefaultDirectionsForMissingValues() throws {
        var tiny = TinyModel(objective: "reg:squarederror")
        tiny.trees = [TinyModel.stump(feature: 0, defaultLeft: true), TinyModel.stump(feature: 1, low: 10, high: 20, defaultLeft: false)]
        let predictions = predict(try load(tiny), [[.nan, .nan], [0.5, 0.4999999], [.infinity, -.infinity]])
        // Float(0.5) + leaves; 0.5 is not below 0.5, so it goes right.
        let expected: [Float] = [19.5, 11.5, 11.5]
        #expect(predictions.values == expected)
    }

    @Test func generatesFeatureNamesWhenAbsent() throws {
        #expect(try load(TinyModel(featureNames: nil)).schema.featureNames == ["f0", "f1"])
        #expect(try load(TinyModel(featureNames: "[]")).schema.featureNames == ["f0", "f1"])
        #expect(try load(TinyModel()).schema.featureNames == ["a", "b"])
    }

    @Test func acceptsOlderArrayForms() throws {
        var tiny = TinyModel()
        tiny.trees[0].defaultLeft = "[true,false,false]"
        tiny.trees[0].splitType = nil
        #expect(predict(try load(tiny), [[.nan, 0]]).margins == [-1])
    }

    @Test func acceptsChildrenStoredBeforeTheirParent() throws {
        var tiny = TinyModel(objective: "reg:squarederror", baseScore: #""0""#)
        // 0 splits into 3 and 1; 3 splits into 2 (a lower index than its parent) and 4.
        tiny.trees = [TinyModel.Tree(
            left: "[3,-1,-1,2,-1]", right: "[1,-1,-1,4,-1]", indices: "[0,0,0,1,0]",
            conditions: "[0,7,5,0,6]", defaultLeft: "[0,0,0,0,0]", splitType: nil)]
        let predictions = predict(try load(tiny), [[1, 0], [-1, -1], [-1, 1]])
        #expect(predictions.values == [7, 5, 6])
    }

    @Test func weighsDartTrees() throws {
        var tiny = TinyModel(objective: "reg:squarederror", baseScore: #""0""#, booster: "dart", weightDrop: "[0.5,2]")
        tiny.trees = [TinyModel.stump(low: 3), TinyModel.stump(low: 5)]
        #expect(predict(try load(tiny), [[0, 0]]).values == [1.5 + 10])
    }

    @Test func evaluatesALinearBooster() throws {
        var tiny = TinyModel(objective: "reg:squarederror", baseScore: #""[1E0]""#, booster: "gblinear")
        tiny.linearWeights = "[0.5,-2,0.25]"
        let model = try load(tiny)
        #expect(model.schema.treeCount == 0)
        let rows: [[Float]] = [[2, 1], [.nan, 1], [.nan, .nan]]
        // bias 0.25 + base 1, then value × weight for each present feature.
        let expected: [Float] = [1.25 + 1 - 2, 1.25 - 2, 1.25]
        #expect(predict(model, rows).values == expected)
        let contributions = model.explain(FeatureMatrix(rows: 3, columns: 2, values: rows.flatMap { $0 }))
        #expect(contributions.values == [1, -2, 1.25, 0, -2, 1.25, 0, 0, 1.25])
    }

    @Test func evaluatesALinearBoosterPerClass() throws {
        var tiny = TinyModel(objective: "multi:softmax", baseScore: #""[1E0,5E0]""#, numClass: #""2""#, booster: "gblinear")
        // Feature-major: a's weights for classes 0 and 1, then b's, then the biases.
        tiny.linearWeights = "[1,2,3,4,0.5,0.25]"
        let predictions = predict(try load(tiny), [[1, 1]])
        // XGBoost's gblinear adds the first class's base margin to every class.
        let expected: [Float] = [0.5 + 1 + 1 + 3, 0.25 + 1 + 2 + 4]
        #expect(predictions.margins == expected)
        #expect(predictions.labels == [1])
    }

    @Test func labelsEachObjectiveLikeXGBoost() throws {
        let raw = predict(try load(TinyModel(objective: "binary:logitraw", baseScore: #""0""#)), [[0, 0], [1, 0]])
        #expect(raw.labels == [0, 1])
        #expect(!raw.hasProbabilities && raw.probabilities.isEmpty)
        #expect(raw.margins == [-1, 1])

        var softmax = TinyModel(objective: "multi:softmax", baseScore: #""0""#, numClass: #""2""#)
        softmax.trees = [TinyModel.stump(), TinyModel.stump(low: -1)]
        softmax.treeInfo = "[0,1]"
        let tie = predict(try load(softmax), [[0, 0]])
        #expect(tie.labels == [0])  // equal margins: the first class
        #expect(tie.probabilities(ofRow: 0).isEmpty)

        let logistic = predict(try load(TinyModel(objective: "reg:logistic")), [[0, 0]])
        #expect(logistic.values == [1 / (expf(1) + 1)])
        #expect(logistic.labels.isEmpty)

        let binary = predict(try load(TinyModel()), [[0, 0], [1, 0]])
        #expect(binary.labels == [0, 1])
        #expect(binary.probabilities(ofRow: 1) == [1 - 1 / (1 + expf(-1)), 1 / (1 + expf(-1))])
    }

    @Test func addsTreesOfMixedDepthsInTreeOrder() throws {
        // 19 trees: two interleaved groups of eight and a tail of three, with leaves, stumps and a depth-2
        // tree side by side, over three output groups.
        var tiny = TinyModel(objective: "multi:softprob", baseScore: #""[1E-1,2E-1,3E-1]""#, numClass: #""3""#)
        let deep = TinyModel.Tree(
            left: "[1,3,-1,-1,-1]", right: "[2,4,-1,-1,-1]", indices: "[0,1,0,0,0]",
            conditions: "[0.5,0.25,0.7,0.11,0.13]", defaultLeft: "[0,1,0,0,0]", splitType: nil)
        var expected: [(group: Int, leaf: ([Float]) -> Float)] = []
        tiny.trees = []
        for index in 0..<19 {
            let low = Double(index) * 0.37 - 2, high = 1.0 / Double(index + 3)
            switch index % 3 {
            case 0:
                tiny.trees.append(TinyModel.Tree(left: "[-1]", right: "[-1]", indices: "[0]", conditions: "[\(low)]", defaultLeft: "[0]", splitType: nil))
                expected.append((index % 3, { _ in Float(low) }))
            case 1:
                tiny.trees.append(TinyModel.stump(feature: 1, threshold: 0.3, low: low, high: high))
                expected.append((index % 3, { row in row[1].isNaN || row[1] < 0.3 ? Float(low) : Float(high) }))
            default:
                tiny.trees.append(deep)
                expected.append((index % 3, { row in
                    row[0] < 0.5 ? (row[1].isNaN || row[1] < 0.25 ? 0.11 : 0.13) : 0.7
                }))
            }
        }
        tiny.treeInfo = "[" + (0..<19).map { String($0 % 3) }.joined(separator: ",") + "]"
        let model = try load(tiny)
        let rows: [[Float]] = [[0, 0], [1, 1], [0.4, .nan], [.nan, 0.3], [0.6, 0.2]]
        let predictions = predict(model, rows)
        for (row, input) in rows.enumerated() {
            var margins: [Float] = [0.1, 0.2, 0.3]
            for tree in expected { margins[tree.group] += tree.leaf(input) }
            #expect(Array(predictions.margins(ofRow: row)) == margins, "row \(row)")
        }
    }

    /// Issue 14, item 10: the feature count is capped at upload, at the count the file declares: a model as
    /// wide as the limit loads, one feature more is refused naming both numbers, in either format.
    @Test func refusesMoreFeaturesThanTheLimit() throws {
        let atLimit = TinyModel(numFeature: #""65536""#, featureNames: nil)
        #expect(try CompiledModel.load(atLimit.bytes, format: nil, maxFeatures: 65_536).schema.featureNames.count == 65_536)
        for model in [TinyModel(numFeature: #""65537""#, featureNames: nil).bytes, TinyModel(numFeature: #""65537""#, featureNames: nil).ubj] {
            #expect(throws: SibylError(.invalidModel, "the model has 65537 features (num_feature), more than the limit of 65536")) {
                try CompiledModel.load(model, format: nil, maxFeatures: 65_536)
            }
        }
        let lightGBM = Array(LightGBMTinyModel.text().utf8)
        #expect(try CompiledModel.load(lightGBM, format: nil, maxFeatures: 2).schema.featureNames.count == 2)
        #expect(throws: SibylError(.invalidModel, "the model has 2 features (max_feature_idx + 1), more than the limit of 1")) {
            try CompiledModel.load(lightGBM, format: nil, maxFeatures: 1)
        }
    }
}
