import SibylCore
import Testing
@testable import SibylRuntime

/// XGBoost's categorical splits (`common::Decision`): the categories in a node's set go right.
@Suite struct CategoricalSplitTests {
    func margins(_ model: CompiledModel, _ values: [Float], other: Float = 0) -> [Float] {
        model.predict(FeatureMatrix(rows: values.count, columns: 2, values: values.flatMap { [$0, other] })).margins
    }

    func model(_ trees: [TinyModel.Tree]) throws -> CompiledModel {
        var tiny = TinyModel(objective: "reg:squarederror", baseScore: #""0""#)
        tiny.trees = trees
        return try CompiledModel.load(tiny.bytes, format: nil)
    }

    @Test func sendsTheCategoriesOfTheSetRight() throws {
        let model = try model([TinyModel.categorical(set: [1, 3, 40, 3])])
        #expect(margins(model, [0, 1, 2, 3, 4, 39, 40, 41, 1000]) == [-1, 1, -1, 1, -1, -1, 1, -1, -1])
    }

    @Test func followsXGBoostForValuesThatAreNotCategories() throws {
        let model = try model([
            TinyModel.categorical(set: [0, 2, 16_777_215], defaultLeft: false),
            TinyModel.categorical(feature: 1, set: [0], low: 0, high: 100, defaultLeft: true),
        ])
        // Fractions truncate toward zero (2.9 is category 2, -0.5 is negative and invalid); negative
        // values and values from 2^24 up go left; NaN takes the default branch, here right.
        let values: [Float] = [2.9, -0.5, -0.0, 16_777_215, 16_777_216, .infinity, -.infinity, .nan]
        #expect(margins(model, values, other: 0.5) == [1, -1, 1, 1, -1, -1, -1, 1].map { $0 + 100 })
        #expect(margins(model, [2], other: .nan) == [1])
    }

    @Test func mixesWithNumericalSplitsInTheSameTree() throws {
        // Node 0: numerical on b < 0.5; node 1: categorical on a ∈ {2}; node 2: a leaf.
        let tree = TinyModel.Tree(
            left: "[1,3,-1,-1,-1]", right: "[2,4,-1,-1,-1]", indices: "[1,0,0,0,0]",
            conditions: "[0.5,0,7,-3,5]", defaultLeft: "[0,1,0,0,0]", splitType: "[0,1,0,0,0]",
            extra: #","categories":[2],"categories_nodes":[1],"categories_segments":[0],"categories_sizes":[1]"#)
        let model = try model(Array(repeating: tree, count: 9))
        let rows: [[Float]] = [[2, 0], [1, 0], [.nan, 0], [2, 1]]
        let predictions = model.predict(FeatureMatrix(rows: 4, columns: 2, values: rows.flatMap { $0 }))
        #expect(predictions.margins == [45, -27, -27, 63])
    }

    @Test func explainsAlongTheCategoricalPath() throws {
        var tree = TinyModel.categorical(set: [4], low: -1, high: 3)
        tree.sumHessian = "[4,3,1]"
        let model = try model([tree])
        let contributions = model.explain(FeatureMatrix(rows: 2, columns: 2, values: [4, 0, 5, 0]))
        // The mean leaf is (3 × -1 + 1 × 3) / 4 = 0; all of the rest is feature a's doing.
        #expect(Array(contributions.values(row: 0, group: 0)) == [3, 0, 0])
        #expect(Array(contributions.values(row: 1, group: 0)) == [-1, 0, 0])
    }

    @Test func keepsTheNumericalStepForModelsWithoutCategories() throws {
        let numeric = try model([TinyModel.stump()])
        let mixed = try model([TinyModel.stump(), TinyModel.categorical(set: [1])])
        #expect(numeric.evaluator is XGBoostModel)
        #expect(!(numeric.evaluator as! XGBoostModel).forest.hasCategoricalSplits)
        #expect((mixed.evaluator as! XGBoostModel).forest.hasCategoricalSplits)
    }
}
