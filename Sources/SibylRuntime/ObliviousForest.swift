import CSibylKernels

/// CatBoost's oblivious trees evaluated as catboost evaluates them, for margins: each row's features are
/// quantized once against every border the model uses (a byte per feature: how many of its borders the value
/// is above), every category question is answered once per row (a byte, 0 or 1), and then a tree's leaf is d
/// byte comparisons away, sixteen rows at a time. Leaf values are doubles, added in tree order, then the
/// bias, exactly as the compiled binary trees (`LightGBMForest`) add them; those still give the
/// contributions, and `ObliviousForestTests` holds the two to the same margins.
struct ObliviousForest: Sendable {
    /// A category question: its column, the answer of each code, and of an unseen or missing category.
    struct CategoryQuestion: Sendable, Hashable {
        var column: Int
        var answers: [Bool]
        var unseen: Bool
    }

    /// Rows quantized and walked together: one 16-byte vector per binary feature.
    static let lane = 16

    /// Binary features `0..<quantizers.count` are the float features' buckets (each float feature's
    /// column, its borders in `borders`, ascending, and the bucket of a missing value: 0, where no
    /// question is answered yes, or its border count, where every one is), the rest the category
    /// questions' answers.
    let quantizers: [sibyl_quantizer]
    let borders: [Float]
    let categoryQuestions: [CategoryQuestion]
    /// Per tree, its first split in `splitOffset` and `splitBucket`; one more entry ends the last tree.
    let treeSplits: [Int64]
    /// A split asks whether its binary feature's byte (at `splitOffset`, the feature's lane in a block)
    /// is above `splitBucket`.
    let splitOffset: [Int32]
    let splitBucket: [Int32]
    /// Per tree, its first value in `leafValues`: `outputs` per leaf, leaf-major, already scaled.
    let treeLeaves: [Int64]
    let leafValues: [Double]
    /// Added to each output after the trees, as catboost adds its bias.
    let bias: [Double]
    let outputs: Int
    let featureCount: Int

    /// The layout of `trees` (each a list of questions and its scaled leaf values), or nil where a float feature's
    /// questions name more than 255 borders, which a byte cannot count (catboost itself quantizes to at
    /// most 254 by default); the binary trees evaluate such a model instead.
    init?(
        trees: [(questions: [CatBoostCategories.Question], values: [Double])], bias: [Double], outputs: Int,
        featureCount: Int
    ) {
        // Every border each float column's questions name, and each distinct category question.
        var borders: [Int32: (values: Set<Float>, missingIsTrue: Bool)] = [:]
        var categoryIndex: [CategoryQuestion: Int] = [:]
        var categoryQuestions: [CategoryQuestion] = []
        for tree in trees {
            for question in tree.questions {
                switch question.kind {
                case .border(let border, let missingIsTrue):
                    borders[question.column, default: ([], missingIsTrue)].values.insert(LightGBMForest.threshold(border))
                case .categories(let answers, let unseen):
                    let asked = CategoryQuestion(column: Int(question.column), answers: answers, unseen: unseen)
                    if categoryIndex[asked] == nil {
                        categoryIndex[asked] = categoryQuestions.count
                        categoryQuestions.append(asked)
                    }
                }
            }
        }
        var quantizers: [sibyl_quantizer] = []
        var borderValues: [Float] = []
        var borderIndex: [Int32: [Float: Int32]] = [:]
        var quantizerOf: [Int32: Int] = [:]
        for (column, used) in borders.sorted(by: { $0.key < $1.key }) {
            guard used.values.count <= 255 else { return nil }
            quantizerOf[column] = quantizers.count
            let sorted = used.values.sorted()
            borderIndex[column] = Dictionary(uniqueKeysWithValues: sorted.enumerated().map { ($1, Int32($0)) })
            quantizers.append(sibyl_quantizer(
                column: Int64(column), border_start: Int64(borderValues.count), border_count: Int64(sorted.count),
                missing_bucket: used.missingIsTrue ? Int32(sorted.count) : 0))
            borderValues += sorted
        }

        var treeSplits: [Int64] = [0], splitFeature: [Int] = [], splitBucket: [Int32] = []
        var treeLeaves: [Int64] = [0], leafValues: [Double] = []
        for tree in trees {
            for question in tree.questions {
                switch question.kind {
                case .border(let border, _):
                    splitFeature.append(quantizerOf[question.column]!)
                    // x > border iff more than k borders lie below x, border being the k-th (from 0).
                    splitBucket.append(borderIndex[question.column]![LightGBMForest.threshold(border)]!)
                case .categories(let answers, let unseen):
                    let asked = CategoryQuestion(column: Int(question.column), answers: answers, unseen: unseen)
                    splitFeature.append(quantizers.count + categoryIndex[asked]!)
                    splitBucket.append(0)
                }
            }
            treeSplits.append(Int64(splitFeature.count))
            leafValues += tree.values
            treeLeaves.append(Int64(leafValues.count))
        }
        self.quantizers = quantizers
        self.borders = borderValues
        self.categoryQuestions = categoryQuestions
        // Binary features count up to 65,535 so that a lane's offset fits the kernels' 32 bits many times over.
        guard quantizers.count + categoryQuestions.count < 1 << 16 else { return nil }
        (self.treeSplits, self.splitBucket) = (treeSplits, splitBucket)
        splitOffset = splitFeature.map { Int32($0 * Self.lane) }
        (self.treeLeaves, self.leafValues, self.bias) = (treeLeaves, leafValues, bias)
        (self.outputs, self.featureCount) = (outputs, featureCount)
    }

    // MARK: Margins

    /// catboost's raw values (`RawFormulaVal`) of every row, `outputs` per row, with the vector kernels
    /// `ForestKernel.chosen` names.
    func margins(_ input: FeatureMatrix) -> [Double] {
        input.rows < Self.vectorRows ? marginsRowByRow(input) : margins(input, kernel: ForestKernel.chosen)
    }

    /// Fewer rows than this are walked one at a time: most of a block's sixteen lanes would be empty.
    static let vectorRows = 4

    /// The margins of each row alone, quantized by binary search and walked without vectors.
    func marginsRowByRow(_ input: FeatureMatrix) -> [Double] {
        precondition(input.columns == featureCount, "input has \(input.columns) columns, model has \(featureCount)")
        var result = [Double](repeating: 0, count: input.rows * outputs)
        var block = [UInt8](repeating: 0, count: max(1, quantizers.count + categoryQuestions.count) * Self.lane)
        input.values.withUnsafeBufferPointer { values in
            block.withUnsafeMutableBufferPointer { block in
                result.withUnsafeMutableBufferPointer { result in
                    splitOffset.withUnsafeBufferPointer { splitOffset in
                        splitBucket.withUnsafeBufferPointer { splitBucket in
                            leafValues.withUnsafeBufferPointer { leafValues in
                                for row in 0..<input.rows {
                                    // The row's bytes are lane 0 of each binary feature.
                                    quantize(values, first: row, rows: 1, into: block, kernel: nil)
                                    let out = result.baseAddress! + row * outputs
                                    for tree in 0..<treeSplits.count - 1 {
                                        var index = 0
                                        var shift = 0
                                        for split in Int(treeSplits[tree])..<Int(treeSplits[tree + 1]) {
                                            index |= (block[Int(splitOffset[split])] > UInt8(splitBucket[split]) ? 1 : 0) << shift
                                            shift += 1
                                        }
                                        let leaves = leafValues.baseAddress! + Int(treeLeaves[tree]) + index * outputs
                                        for output in 0..<outputs { out[output] += leaves[output] }
                                    }
                                    addBias(rows: 1, into: out)
                                }
                            }
                        }
                    }
                }
            }
        }
        return result
    }

    /// The margins with `kernel`'s quantization and, for a model of one output, its walk; nil: portable.
    func margins(_ input: FeatureMatrix, kernel: ForestKernel?) -> [Double] {
        precondition(input.columns == featureCount, "input has \(input.columns) columns, model has \(featureCount)")
        var result = [Double](repeating: 0, count: input.rows * outputs)
        let binaryCount = quantizers.count + categoryQuestions.count
        var block = [UInt8](repeating: 0, count: max(1, binaryCount) * Self.lane)
        var lanes = [Double](repeating: 0, count: Self.lane)
        withForest { forest in
            input.values.withUnsafeBufferPointer { values in
                block.withUnsafeMutableBufferPointer { block in
                    result.withUnsafeMutableBufferPointer { out in
                        var first = 0
                        while first < input.rows {
                            let rows = min(Self.lane, input.rows - first)
                            quantize(values, first: first, rows: rows, into: block, kernel: kernel)
                            switch outputs == 1 ? kernel : nil {
                            case .avx512?, .avx2?:
                                for lane in 0..<Self.lane { lanes[lane] = 0 }
                                if kernel == .avx512 {
                                    sibyl_oblivious_add_leaves_avx512(forest, block.baseAddress!, &lanes)
                                } else {
                                    sibyl_oblivious_add_leaves_avx2(forest, block.baseAddress!, &lanes)
                                }
                                for row in 0..<rows { out[first + row] = lanes[row] }
                            case nil:
                                addLeaves(block, rows: rows, into: out.baseAddress! + first * outputs)
                            }
                            addBias(rows: rows, into: out.baseAddress! + first * outputs)
                            first += rows
                        }
                    }
                }
            }
        }
        return result
    }

    /// The forest as the kernels read it.
    private func withForest<Result>(_ body: (UnsafePointer<sibyl_oblivious_forest>) -> Result) -> Result {
        splitOffset.withUnsafeBufferPointer { splitOffset in
            splitBucket.withUnsafeBufferPointer { splitBucket in
                treeSplits.withUnsafeBufferPointer { treeSplits in
                    treeLeaves.withUnsafeBufferPointer { treeLeaves in
                        leafValues.withUnsafeBufferPointer { leafValues in
                            var forest = sibyl_oblivious_forest(
                                split_offset: splitOffset.baseAddress, split_bucket: splitBucket.baseAddress,
                                tree_split: treeSplits.baseAddress, tree_leaf: treeLeaves.baseAddress,
                                leaf: leafValues.baseAddress, tree_count: Int64(treeSplits.count - 1))
                            return body(&forest)
                        }
                    }
                }
            }
        }
    }

    /// Writes the binary features of rows `first..<first + rows` into `block`, feature-major, a lane each.
    private func quantize(
        _ values: UnsafeBufferPointer<Float>, first: Int, rows: Int, into block: UnsafeMutableBufferPointer<UInt8>,
        kernel: ForestKernel?
    ) {
        quantizers.withUnsafeBufferPointer { quantizers in
            borders.withUnsafeBufferPointer { borders in
                let start = values.baseAddress! + first * featureCount
                switch kernel {
                case .avx512?:
                    sibyl_oblivious_quantize_avx512(
                        quantizers.baseAddress, Int64(quantizers.count), borders.baseAddress, start, Int64(rows),
                        Int64(featureCount), block.baseAddress)
                case .avx2?:
                    sibyl_oblivious_quantize_avx2(
                        quantizers.baseAddress, Int64(quantizers.count), borders.baseAddress, start, Int64(rows),
                        Int64(featureCount), block.baseAddress)
                case nil:
                    for (feature, quantizer) in quantizers.enumerated() {
                        let ascending = UnsafeBufferPointer(rebasing: borders[Int(quantizer.border_start)..<Int(quantizer.border_start + quantizer.border_count)])
                        for row in 0..<rows {
                            let value = start[row * featureCount + Int(quantizer.column)]
                            var bucket = Int(quantizer.missing_bucket)
                            if !value.isNaN {
                                // How many borders lie below the value: a binary search for the first not below it.
                                var low = 0, high = ascending.count
                                while low < high {
                                    let middle = (low + high) / 2
                                    if value > ascending[middle] { low = middle + 1 } else { high = middle }
                                }
                                bucket = low
                            }
                            block[feature * Self.lane + row] = UInt8(bucket)
                        }
                    }
                }
            }
        }
        for (index, question) in categoryQuestions.enumerated() {
            let feature = quantizers.count + index
            for row in 0..<rows {
                // As the binary trees read a category (`LightGBMMixedSplits`); any other value is unseen.
                var answer = question.unseen
                if let code = LightGBMMixedSplits.code(of: values[(first + row) * featureCount + question.column]),
                   code < question.answers.count {
                    answer = question.answers[code]
                }
                block[feature * Self.lane + row] = answer ? 1 : 0
            }
        }
    }

    /// Adds every tree's leaf to the outputs of one block of rows.
    private func addLeaves(_ block: UnsafeMutableBufferPointer<UInt8>, rows: Int, into out: UnsafeMutablePointer<Double>) {
        let raw = UnsafeRawPointer(block.baseAddress!)
        splitOffset.withUnsafeBufferPointer { splitOffset in
            splitBucket.withUnsafeBufferPointer { splitBucket in
                leafValues.withUnsafeBufferPointer { leafValues in
                    for tree in 0..<treeSplits.count - 1 {
                        // Leaf index bit i is question i's answer.
                        var index = SIMD16<UInt16>(repeating: 0)
                        var shift: UInt16 = 0
                        for split in Int(treeSplits[tree])..<Int(treeSplits[tree + 1]) {
                            let bytes = raw.loadUnaligned(fromByteOffset: Int(splitOffset[split]), as: SIMD16<UInt8>.self)
                            let bucket = SIMD16<UInt8>(repeating: UInt8(splitBucket[split]))
                            let yes = SIMD16<UInt8>(repeating: 0).replacing(with: 1, where: bytes .> bucket)
                            index |= SIMD16<UInt16>(truncatingIfNeeded: yes) &<< SIMD16<UInt16>(repeating: shift)
                            shift += 1
                        }
                        let leaves = leafValues.baseAddress! + Int(treeLeaves[tree])
                        if outputs == 1 {
                            for row in 0..<rows { out[row] += leaves[Int(index[row])] }
                        } else {
                            for row in 0..<rows {
                                for output in 0..<outputs { out[row * outputs + output] += leaves[Int(index[row]) * outputs + output] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Adds the bias after the trees, as catboost does (and the binary trees' one-leaf trees do).
    private func addBias(rows: Int, into out: UnsafeMutablePointer<Double>) {
        for row in 0..<rows {
            for output in 0..<outputs where bias[output] != 0 { out[row * outputs + output] += bias[output] }
        }
    }
}
