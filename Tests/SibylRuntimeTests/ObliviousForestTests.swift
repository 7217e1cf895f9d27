import Foundation
import SibylCore
import Testing
@testable import SibylRuntime

/// A CatBoost model's margins come from its oblivious trees (`ObliviousForest`), its contributions from the
/// same trees compiled to binary trees (`LightGBMForest`): the two must give the same margins, bit for bit,
/// on every row, whatever its values (a combination's column included: `oblivious.featureCount` wide).
@Suite struct ObliviousForestTests {
    static let models = [
        "cb_binary", "cb_multiclass", "cb_regression", "cb_tiny", "cb_buckets", "cb_numbers", "cb_hashes", "cb_combinations",
        "cb_combinations_regression",
    ]

    /// Values at and around every border and code, missing values, extremes, and codes that are not codes.
    static func rows(columns: Int, count: Int, seed: UInt64) -> FeatureMatrix {
        var generator = DecimalNumberTests.Generator(state: seed)
        let special: [Float] = [.nan, 0, -0.0, 1, 2, 3, 5, -1, -0.5, 0.5, 2.5, 1e-36, -1e-36, 3e38, -3e38, 1e10, 7]
        var values: [Float] = []
        for _ in 0..<count * columns {
            let pick = generator.next() % 3
            values.append(pick == 0
                ? special[Int(generator.next() % UInt64(special.count))]
                : pick == 1 ? Float(generator.next() % 20) : Float(Int64(generator.next() % 8000) - 4000) / 1000)
        }
        return FeatureMatrix(rows: count, columns: columns, values: values)
    }

    @Test(arguments: models)
    func obliviousMarginsEqualTheBinaryTrees(name: String) throws {
        let model = try CompiledModel.load(Fixtures.bytes("\(name)/model.json"), format: .catboostJSON)
        let evaluator = try #require(model.evaluator as? LightGBMModel)
        let oblivious = try #require(evaluator.oblivious)
        let columns = oblivious.featureCount
        for count in [1, 15, 16, 17, 333] {
            let input = Self.rows(columns: columns, count: count, seed: UInt64(count))
            let fast = oblivious.margins(input), walked = evaluator.forest.margins(input)
            #expect(fast.map(\.bitPattern) == walked.map(\.bitPattern), "\(name), \(count) rows")
        }
    }

    /// Each vector kernel the CPU runs gives the portable walk's margins, bit for bit.
    @Test(arguments: models)
    func everyKernelGivesThePortableMargins(name: String) throws {
        let model = try CompiledModel.load(Fixtures.bytes("\(name)/model.json"), format: .catboostJSON)
        let oblivious = try #require((model.evaluator as? LightGBMModel)?.oblivious)
        for count in [1, 15, 16, 17, 333] {
            let input = Self.rows(columns: oblivious.featureCount, count: count, seed: UInt64(100 + count))
            let portable = oblivious.margins(input, kernel: nil)
            for kernel in ForestKernel.available {
                #expect(oblivious.margins(input, kernel: kernel).map(\.bitPattern) == portable.map(\.bitPattern), "\(name), \(kernel)")
            }
        }
    }

    /// A few rows walked one at a time give the block walk's margins, bit for bit.
    @Test(arguments: models)
    func rowByRowGivesTheBlockMargins(name: String) throws {
        let model = try CompiledModel.load(Fixtures.bytes("\(name)/model.json"), format: .catboostJSON)
        let oblivious = try #require((model.evaluator as? LightGBMModel)?.oblivious)
        for count in [1, 3, 17] {
            let input = Self.rows(columns: oblivious.featureCount, count: count, seed: UInt64(200 + count))
            #expect(oblivious.marginsRowByRow(input).map(\.bitPattern) == oblivious.margins(input, kernel: nil).map(\.bitPattern))
        }
    }

    /// A float feature whose questions name more than 255 borders cannot be counted in a byte: such a model
    /// is evaluated by its binary trees alone, with the same answers.
    @Test func moreThan255BordersFallBackToTheBinaryTrees() throws {
        var document = try CatBoostHostileTests.tiny()
        let split: [String: Any] = ["split_type": "FloatFeature", "float_feature_index": 0, "border": 0.0, "split_index": 0]
        document["oblivious_trees"] = (0..<256).map { k -> [String: Any] in
            var question = split
            question["border"] = Double(k) / 64 - 2
            return ["splits": [question], "leaf_values": [Double(k), -Double(k)], "leaf_weights": [1.0, 2.0]]
        }
        let model = try CompiledModel.load(CatBoostHostileTests.bytes(document), format: .catboostJSON)
        let evaluator = try #require(model.evaluator as? LightGBMModel)
        #expect(evaluator.oblivious == nil)
        let input = FeatureMatrix(rows: 3, columns: 3, values: [-3, .nan, .nan, 0.5, .nan, .nan, .nan, 0, 0])
        let margins = evaluator.forest.margins(input)
        // Row 0 is below every border: each tree answers no (leaf 0, value k); row 1 is above 160 of them.
        #expect(margins[0] == Double((0..<256).reduce(0, +)))
        #expect(margins[1] == Double((0..<256).map { $0 < 160 ? -$0 : $0 }.reduce(0, +)))
        #expect(margins[2] == margins[0])
    }
}
