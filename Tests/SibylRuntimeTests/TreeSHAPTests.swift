import Testing
@testable import SibylRuntime

/// TreeSHAP against the definition: Shapley values of the path-dependent expectation, summed over every
/// subset of features by brute force, on random trees with repeated features and uneven covers.
@Suite struct TreeSHAPTests {
    /// A random tree over `features` features, built breadth-first with covers that split unevenly.
    static func randomTree(_ generator: inout DecimalNumberTests.Generator, features: Int, depth: Int) -> (SHAPTree, [Float]) {
        var tree = SHAPTree(left: [-1], right: [-1], feature: [-1], cover: [100], value: [0], maxDepth: 0)
        var thresholds: [Float] = [0]
        var frontier = [(node: 0, level: 0)]
        var cursor = 0
        while cursor < frontier.count {
            let (node, level) = frontier[cursor]
            cursor += 1
            if level == depth || (level > 0 && generator.next() % 4 == 0) {
                tree.value[node] = Double(Int(generator.next() % 2001) - 1000) / 100
                tree.maxDepth = max(tree.maxDepth, level)
                continue
            }
            let left = tree.left.count
            let share = Double(generator.next() % 99 + 1) / 100
            tree.left[node] = Int32(left)
            tree.right[node] = Int32(left + 1)
            tree.feature[node] = Int32(generator.next() % UInt64(features))
            thresholds[node] = Float(Int(generator.next() % 200) - 100) / 100
            for cover in [tree.cover[node] * share, tree.cover[node] * (1 - share)] {
                tree.left.append(-1)
                tree.right.append(-1)
                tree.feature.append(-1)
                tree.cover.append(cover)
                tree.value.append(0)
                thresholds.append(0)
            }
            frontier.append((left, level + 1))
            frontier.append((left + 1, level + 1))
        }
        return (tree, thresholds)
    }

    /// E[f | the features in `known` are the row's]: known features follow the row, others average their
    /// children by cover.
    static func expectation(_ tree: SHAPTree, _ node: Int, known: Set<Int>, goesLeft: (Int) -> Bool) -> Double {
        let left = Int(tree.left[node]), right = Int(tree.right[node])
        guard left >= 0 else { return tree.value[node] }
        if known.contains(Int(tree.feature[node])) {
            return expectation(tree, goesLeft(node) ? left : right, known: known, goesLeft: goesLeft)
        }
        return (tree.cover[left] * expectation(tree, left, known: known, goesLeft: goesLeft)
            + tree.cover[right] * expectation(tree, right, known: known, goesLeft: goesLeft)) / tree.cover[node]
    }

    static func bruteForce(_ tree: SHAPTree, features: Int, goesLeft: (Int) -> Bool) -> [Double] {
        var factorial = [1.0]
        for n in 1...features { factorial.append(factorial[n - 1] * Double(n)) }
        var phi = [Double](repeating: 0, count: features + 1)
        phi[features] = expectation(tree, 0, known: [], goesLeft: goesLeft)
        for feature in 0..<features {
            let others = (0..<features).filter { $0 != feature }
            for mask in 0..<(1 << others.count) {
                let subset = Set(others.indices.filter { mask & (1 << $0) != 0 }.map { others[$0] })
                let weight = factorial[subset.count] * factorial[features - subset.count - 1] / factorial[features]
                phi[feature] += weight * (expectation(tree, 0, known: subset.union([feature]), goesLeft: goesLeft)
                    - expectation(tree, 0, known: subset, goesLeft: goesLeft))
            }
        }
        return phi
    }

    @Test func matchesTheShapleyDefinitionOnRandomTrees() {
        var generator = DecimalNumberTests.Generator(state: 7)
        let features = 5
        for _ in 0..<200 {
            let (tree, thresholds) = Self.randomTree(&generator, features: features, depth: Int(generator.next() % 7))
            let row = (0..<features).map { _ in Float(Int(generator.next() % 200) - 100) / 100 }
            let goesLeft = { (node: Int) in row[Int(tree.feature[node])] < thresholds[node] }
            let expected = Self.bruteForce(tree, features: features, goesLeft: goesLeft)
            var phi = [Double](repeating: 0, count: features + 1)
            phi.withUnsafeMutableBufferPointer { TreeSHAP.accumulate(tree, into: $0, goesLeft: goesLeft) }
            for (ours, theirs) in zip(phi, expected) {
                #expect(abs(ours - theirs) <= 1e-9 * max(1, abs(theirs)), "\(phi) vs \(expected)")
            }
            // Efficiency: the values add up to the tree's output for the row.
            var node = 0
            while tree.left[node] >= 0 { node = Int(goesLeft(node) ? tree.left[node] : tree.right[node]) }
            #expect(abs(phi.reduce(0, +) - tree.value[node]) <= 1e-9)
        }
    }

    /// The tabled form gives the walk's values on the same random trees, zero covers and repeated
    /// features included.
    @Test func tablesMatchTheWalk() {
        var generator = DecimalNumberTests.Generator(state: 11)
        let features = 6
        for trial in 0..<300 {
            var (tree, thresholds) = Self.randomTree(&generator, features: features, depth: Int(generator.next() % 9))
            if trial % 5 == 0, tree.cover.count > 1 { tree.cover[1 + Int(generator.next() % UInt64(tree.cover.count - 1))] = 0 }
            let row = (0..<features).map { _ in Float(Int(generator.next() % 200) - 100) / 100 }
            let goesLeft = { (node: Int) in row[Int(tree.feature[node])] < thresholds[node] }
            var walked = [Double](repeating: 1, count: features + 1)
            var tabled = walked
            walked.withUnsafeMutableBufferPointer { TreeSHAP.accumulate(tree, into: $0, goesLeft: goesLeft) }
            #expect(SHAPTable.entries(tree) != nil)
            tabled.withUnsafeMutableBufferPointer { SHAPTable(tree).accumulate(into: $0, goesLeft: goesLeft) }
            for (ours, theirs) in zip(tabled, walked) {
                #expect(abs(ours - theirs) <= 1e-9 * max(1, abs(theirs)), "\(tabled) vs \(walked)")
            }
        }
    }

    /// Rows explained together, through a tree of so many leaves that its notes of what each row follows
    /// are kept for a few rows at a time (`SHAPTable.noteLimit`): each row gets the walk's values.
    @Test func manyRowsThroughAWideTreeMatchTheWalk() {
        var generator = DecimalNumberTests.Generator(state: 13)
        let features = 3, depth = 11, rowCount = 100
        var tree = SHAPTree(left: [], right: [], feature: [], cover: [], value: [], maxDepth: depth)
        var thresholds: [Float] = []
        // A perfect tree in breadth-first order: node n's children are 2n + 1 and 2n + 2.
        for node in 0..<(1 << (depth + 1)) - 1 {
            let split = node < (1 << depth) - 1
            tree.left.append(split ? Int32(2 * node + 1) : -1)
            tree.right.append(split ? Int32(2 * node + 2) : -1)
            tree.feature.append(split ? Int32(generator.next() % UInt64(features)) : -1)
            tree.cover.append(node == 0 ? 1000 : tree.cover[(node - 1) / 2] * Double(generator.next() % 9 + 1) / 10)
            tree.value.append(split ? 0 : Double(Int(generator.next() % 2001) - 1000) / 100)
            thresholds.append(Float(Int(generator.next() % 200) - 100) / 100)
        }
        let table = SHAPTable(tree)
        #expect(rowCount * (1 << depth) > SHAPTable.noteLimit)
        let rows = (0..<rowCount).map { _ in (0..<features).map { _ in Float(Int(generator.next() % 200) - 100) / 100 } }
        var together = [Double](repeating: 0, count: rowCount * (features + 1))
        together.withUnsafeMutableBufferPointer { out in
            table.accumulate(
                0..<rowCount, phi: { UnsafeMutableBufferPointer(rebasing: out[$0 * (features + 1)..<($0 + 1) * (features + 1)]) },
                goesLeft: { row, node in rows[row][Int(tree.feature[node])] < thresholds[node] })
        }
        for (index, row) in rows.enumerated() {
            var walked = [Double](repeating: 0, count: features + 1)
            walked.withUnsafeMutableBufferPointer { phi in
                TreeSHAP.accumulate(tree, into: phi) { row[Int(tree.feature[$0])] < thresholds[$0] }
            }
            let ours = together[index * (features + 1)..<(index + 1) * (features + 1)]
            for (a, b) in zip(ours, walked) { #expect(abs(a - b) <= 1e-9 * max(1, abs(b)), "row \(index): \(ours) vs \(walked)") }
        }
    }

    @Test func leavesLongPathsToTheWalk() {
        // A chain of splits on distinct features, each with a leaf on its left: node 2k splits on feature k.
        func chain(_ depth: Int) -> SHAPTree {
            let count = 2 * depth + 1
            var tree = SHAPTree(
                left: .init(repeating: -1, count: count), right: .init(repeating: -1, count: count),
                feature: .init(repeating: -1, count: count), cover: .init(repeating: 1, count: count),
                value: (0..<count).map(Double.init), maxDepth: depth)
            for level in 0..<depth {
                tree.left[2 * level] = Int32(2 * level + 1)
                tree.right[2 * level] = Int32(2 * level + 2)
                tree.feature[2 * level] = Int32(level)
            }
            return tree
        }
        let longest = chain(SHAPTable.depthLimit), tooLong = chain(SHAPTable.depthLimit + 1)
        #expect(SHAPTable.entries(longest) != nil)
        #expect(SHAPTable.entries(tooLong) == nil)
        let prepared = SHAPExplainer(trees: [longest, tooLong]).prepared()
        if case .table = prepared[0] {} else { Issue.record("the longest path tabled should be tabled") }
        if case .walk = prepared[1] {} else { Issue.record("a path beyond the limit should be walked") }
        // Both forms answer alike where both can run.
        var walked = [Double](repeating: 0, count: SHAPTable.depthLimit + 1)
        var tabled = walked
        let goesLeft = { (node: Int) in node == 2 * 5 }
        walked.withUnsafeMutableBufferPointer { TreeSHAP.accumulate(longest, into: $0, goesLeft: goesLeft) }
        tabled.withUnsafeMutableBufferPointer { phi in prepared[0].accumulate(0..<1, phi: { _ in phi }, goesLeft: { goesLeft($1) }) }
        for (ours, theirs) in zip(tabled, walked) { #expect(abs(ours - theirs) <= 1e-9 * max(1, abs(theirs))) }
    }

    @Test func addsToWhatIsAlreadyThere() {
        let stump = SHAPTree(left: [1, -1, -1], right: [2, -1, -1], feature: [1, -1, -1], cover: [4, 3, 1], value: [0, -1, 3], maxDepth: 1)
        var phi: [Double] = [10, 20, 30]
        phi.withUnsafeMutableBufferPointer { TreeSHAP.accumulate(stump, into: $0) { _ in false } }
        // Mean 0; the row takes the right leaf, 3, all of it feature 1's doing.
        #expect(phi == [10, 23, 30])
    }

    @Test func skipsBranchesWithoutCover() {
        // The left child never saw training data: the expectation is the right leaf alone.
        let tree = SHAPTree(left: [1, -1, -1], right: [2, -1, -1], feature: [0, -1, -1], cover: [5, 0, 5], value: [0, 7, 2], maxDepth: 1)
        for goesLeft in [true, false] {
            var phi: [Double] = [0, 0]
            phi.withUnsafeMutableBufferPointer { TreeSHAP.accumulate(tree, into: $0) { _ in goesLeft } }
            #expect(phi == (goesLeft ? [5, 2] : [0, 2]))
        }
    }

    @Test func explainsALeafAsItsValue() {
        let leaf = SHAPTree(left: [-1], right: [-1], feature: [-1], cover: [1], value: [2.5], maxDepth: 0)
        var phi: [Double] = [0, 0, 1]
        phi.withUnsafeMutableBufferPointer { TreeSHAP.accumulate(leaf, into: $0) { _ in true } }
        #expect(phi == [0, 0, 3.5])
    }
}
