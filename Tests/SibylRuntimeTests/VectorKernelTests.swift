import Testing
@testable import SibylRuntime

/// Each vector kernel this CPU runs against the scalar walk: the same float32 sums in the same order, so
/// the same bits, on every tree model of the fixtures, with and without missing values, for batch sizes
/// that fill the lanes exactly and ones that leave a partial block.
@Suite(.enabled(if: !ForestKernel.available.isEmpty, "this CPU has neither AVX2 nor AVX-512F"))
struct VectorKernelTests {
    static let models = [
        "xgb_binary/model.json", "xgb_regressor/model.json", "xgb_multiclass/model.json", "xgb_logitraw/model.json",
        "xgb_gamma/model.json", "xgb_small_multiclass/model.json", "xgb_dart/model.json", "xgb_softmax/model.json",
    ]

    @Test(arguments: models, ForestKernel.available)
    func agreesWithTheScalarWalk(_ file: String, kernel: ForestKernel) throws {
        let model = try CompiledModel.load(Fixtures.bytes(file), format: nil)
        let forest = try #require((model.evaluator as? XGBoostModel)?.forest)
        #expect(forest.perfect != nil)
        for nan in [false, true] {
            let (_, rows) = try XGBoostFixtureTests.inputs(String(file.split(separator: "/")[0]), nan: nan, rows: 1000)
            for count in [1, 7, 8, 9, 15, 16, 17, 333] {
                let input = XGBoostFixtureTests.matrix(Array(rows.prefix(count)))
                let vector = forest.margins(input, kernel: kernel)
                let scalar = forest.margins(input, kernel: nil)
                #expect(vector.map(\.bitPattern) == scalar.map(\.bitPattern), "\(file), \(count) rows, nan: \(nan)")
            }
        }
    }

    /// Random uneven trees up to the kernel's depth limit, so every level kind is walked (permuted,
    /// blended and gathered), against a plain walk written here: XGBoost's rule, float32 sums in tree order.
    @Test(arguments: ForestKernel.available)
    func walksDeepUnevenTrees(kernel: ForestKernel) throws {
        var generator = DecimalNumberTests.Generator(state: 3)
        var tiny = TinyModel()
        tiny.numFeature = #""3""#
        tiny.featureNames = #"["a","b","c"]"#
        tiny.baseScore = #""5E-1""#
        var trees: [(left: [Int], right: [Int], feature: [Int], condition: [Float], defaultLeft: [Bool])] = []
        for depth in [PerfectForest.depthLimit, 7, 3, 0, PerfectForest.depthLimit - 1] {
            var tree = (left: [-1], right: [-1], feature: [0], condition: [Float(0)], defaultLeft: [false])
            var frontier = [(0, 0)]
            while let (node, level) = frontier.popLast() {
                if level == depth || (level > 1 && generator.next() % 5 == 0) {
                    tree.condition[node] = Float(Int(generator.next() % 2001) - 1000) / 997
                    continue
                }
                let child = tree.left.count
                tree.left[node] = child
                tree.right[node] = child + 1
                tree.feature[node] = Int(generator.next() % 3)
                tree.condition[node] = Float(Int(generator.next() % 200) - 100) / 50
                tree.defaultLeft[node] = generator.next() % 2 == 0
                for _ in 0..<2 {
                    tree.left.append(-1); tree.right.append(-1); tree.feature.append(0)
                    tree.condition.append(0); tree.defaultLeft.append(false)
                }
                frontier.append((child, level + 1))
                frontier.append((child + 1, level + 1))
            }
            trees.append(tree)
        }
        func list<T>(_ values: [T]) -> String { "[" + values.map { "\($0)" }.joined(separator: ",") + "]" }
        tiny.trees = trees.map { tree in
            var json = TinyModel.Tree(
                left: list(tree.left), right: list(tree.right), indices: list(tree.feature),
                conditions: list(tree.condition.map { "\($0)" }), defaultLeft: list(tree.defaultLeft.map { $0 ? 1 : 0 }))
            json.splitType = list(tree.left.map { _ in 0 })
            return json
        }
        let model = try CompiledModel.load(tiny.bytes, format: nil)
        let forest = try #require((model.evaluator as? XGBoostModel)?.forest)
        #expect(forest.perfect != nil)
        let rows = (0..<200).map { _ in
            (0..<3).map { _ in generator.next() % 7 == 0 ? Float.nan : Float(Int(generator.next() % 300) - 150) / 50 }
        }
        let expected = rows.map { row in
            trees.reduce(Float(0)) { sum, tree in
                var node = 0
                while tree.left[node] >= 0 {
                    let value = row[tree.feature[node]]
                    let left = value.isNaN ? tree.defaultLeft[node] : value < tree.condition[node]
                    node = left ? tree.left[node] : tree.right[node]
                }
                return sum + tree.condition[node]
            }
        }
        let margins = forest.margins(XGBoostFixtureTests.matrix(rows), kernel: kernel)
        #expect(margins.map(\.bitPattern) == expected.map(\.bitPattern))
    }

    /// `SIBYL_FOREST_KERNEL` can only lower the choice, so a lesser CPU's path can be measured here.
    @Test func theNamedKernelIsACeiling() {
        let both: [ForestKernel] = [.avx512, .avx2]
        #expect(ForestKernel.choose(named: nil, from: both) == .avx512)
        #expect(ForestKernel.choose(named: "avx2", from: both) == .avx2)
        #expect(ForestKernel.choose(named: "portable", from: both) == nil)
        #expect(ForestKernel.choose(named: "avx512", from: [.avx2]) == .avx2)
        #expect(ForestKernel.choose(named: nil, from: []) == nil)
        // A name that is no kernel caps at the portable walk, and is reported as misnamed.
        #expect(ForestKernel.choose(named: "avx-512", from: both) == nil)
        #expect(ForestKernel.misnamed("avx-512") == "avx-512")
        #expect([nil, "", "portable", "avx2", "avx512"].allSatisfy { ForestKernel.misnamed($0) == nil })
    }

    @Test func leavesCategoricalForestsToTheScalarWalk() throws {
        let model = try CompiledModel.load(Fixtures.bytes("xgb_categorical/model.json"), format: nil)
        #expect((model.evaluator as? XGBoostModel)?.forest.perfect == nil)
    }
}
