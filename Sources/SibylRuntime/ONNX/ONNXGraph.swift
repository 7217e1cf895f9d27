#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation
import SibylCore

/// An ONNX graph of numeric operators over float tensors of rows (`[N, width]`), planned at upload: the
/// steps that compute the graph's prediction output from its input, in the graph's own order, each with
/// its input and output widths checked. What skl2onnx writes for scikit-learn's numeric pipelines: scalers,
/// imputers, normalizers, linear models, multi-layer perceptrons (MatMul, Add, activations, Softmax), support
/// vector machines, and tree ensembles after any of them.
///
/// Nodes that only compute the label output (ArgMax, ArrayFeatureExtractor over the class list, Reshape,
/// Cast) are not run: the label is the one onnxruntime gives, that of the classifier operator the label
/// output leads back to (`ONNXPlanner`), or else the first largest probability, as an ArgMax of them.
struct ONNXGraph: Sendable {
    /// The widest tensor a step may make, and the most multiply-adds a row may cost.
    static let maxWidth = 1 << 16
    static let maxWorkPerRow = 1 << 22

    enum Operation: Sendable {
        case copy
        case scaler(offset: [Float], scale: [Float])
        case imputer(values: [Float], replaced: Float)
        case normalizer(String)
        /// `a op b op c …` of computed tensors and constant rows, in order, each one wide (broadcast) or as
        /// wide as the widest: a binary operator's two operands, or `Sum`'s.
        case combine(Elementwise, [Source])
        case unary(Unary)
        /// Every value `value`, as wide as the step's input (`ConstantOfShape` of its `Shape`).
        case fill(Float)
        /// `cond ? x : y` of three sources, each one wide or as wide as the widest.
        case `where`([Source])
        /// Each row's first largest column (as a float), one column.
        case argMax
        /// Each row's sum, one column.
        case rowSum
        /// Each row's product, from 1 in column order (a `PolynomialFeatures` term), one column.
        case rowProduct
        /// The mean of a row's `k` members, side by side (a bagging ensemble's): summed in member order in
        /// float32, then divided by k, as onnxruntime's `ReduceMean` over the first axis.
        case mean(Int)
        /// `x · weights + bias` with `weights` `[inner, outer]` row-major (MatMul, Gemm, LinearRegressor).
        case affine(weights: [Float], bias: [Float])
        case relu, sigmoid, tanh, softmax
        case select([Int])
        /// A category code (a text column's) as `count` columns, 1 at the code and 0 elsewhere; a missing or
        /// unknown code is all zeros.
        case oneHot(Int)
        /// Each column's value, truncated to an integer, as `count` columns, 1 at the category's code; a
        /// value no category lists (or none) is all zeros. `[N, w]` makes `[N, w · count]`, onnxruntime's
        /// `[N, w, count]` row-major.
        case oneHotNumbers([Int64: Int], count: Int)
        /// A category code (a text column's) as the number its key maps to; a missing or unknown code as
        /// `default`.
        case labelEncoder(values: [Float], default: Float)
        /// 1 where `x > threshold`, else 0.
        case binarizer(Float)
        case concat
        case linearClassifier(weights: [Float], bias: [Float], transform: ONNXTreeModel.Transform)
        case trees(ONNXTreeModel)
        case svm(ONNXSVM)
    }

    /// An operand that is a computed tensor (its slot and width) or a constant row.
    enum Source: Sendable {
        case slot(Int, width: Int)
        case constant([Float])

        var width: Int {
            switch self {
            case .slot(_, let width): width
            case .constant(let values): values.count
            }
        }
    }

    /// A step, a class so that running one does not copy its operation's constants.
    final class Step: Sendable {
        let operation: Operation
        let inputs: [Int]
        let output: Int
        let width: Int

        init(operation: Operation, inputs: [Int], output: Int, width: Int) {
            (self.operation, self.inputs, self.output, self.width) = (operation, inputs, output, width)
        }
    }

    let steps: [Step]
    /// The slot of the prediction output: probabilities (classes wide) or values (1 wide).
    let result: Int
    /// The step whose labels are the graph's (a tree ensemble, linear classifier or SVC), if any.
    let labeller: Int?
    /// Whether the result is the labeller's decision values rather than probabilities (a linear classifier
    /// without a transform, as skl2onnx writes LinearSVC, or an SVC without Platt pairs): a binary one's is
    /// its class 1 value, alone or beside class 0's.
    let scores: Bool
    /// The input columns whose missing value reaches the result as NaN, through arithmetic with no imputer,
    /// tree ensemble or encoder before it, or reaches a step with no answer for it (see `ONNXPlanner`): a
    /// row missing one has no prediction.
    let columnsNeedingValues: IndexSet
    /// Multiply-adds (or other operations) a row costs.
    let work: Int
    /// Each slot's width (slot 0 the input's), and where its rows start in a run's buffer, in columns
    /// (slot k at `rows × starts[k]`; slot 0 is the input itself).
    let widths: [Int]
    let starts: [Int]

    init(
        steps: [Step], inputWidth: Int, result: Int, labeller: Int?, scores: Bool, columnsNeedingValues: IndexSet, work: Int
    ) {
        (self.steps, self.result, self.labeller, self.scores) = (steps, result, labeller, scores)
        (self.columnsNeedingValues, self.work) = (columnsNeedingValues, work)
        var widths = [inputWidth], starts = [0, 0]
        for step in steps {
            widths.append(step.width)
            starts.append(starts[starts.count - 1] + step.width)
        }
        (self.widths, self.starts) = (widths, starts)
    }

    /// Runs the steps on `input` (slot 0); returns the result rows and the labeller's labels.
    ///
    /// Every step writes its rows into one buffer made for the run (slot k at `rows × starts[k]`), so a run
    /// allocates once however many steps the graph has: a row alone pays for its arithmetic, not for a
    /// buffer per step.
    func run(_ input: FeatureMatrix) -> (values: [Float], labels: [Int]?) {
        precondition(input.columns == widths[0], "input has \(input.columns) columns, the graph reads \(widths[0])")
        let rows = input.rows
        // Local, so that the closures below hold these arrays and not the whole graph.
        let (starts, widths, steps, labeller) = (starts, widths, steps, labeller)
        var arena = [Float](repeating: 0, count: rows * starts[starts.count - 1])
        var labels: [Int]?
        arena.withUnsafeMutableBufferPointer { arena in
            input.values.withUnsafeBufferPointer { given in
                func read(_ slot: Int) -> UnsafeBufferPointer<Float> {
                    slot == 0 ? given : UnsafeBufferPointer(rebasing: arena[rows * starts[slot]..<rows * starts[slot + 1]])
                }
                for index in steps.indices {
                    let step = steps[index]
                    let out = UnsafeMutableBufferPointer(rebasing: arena[rows * starts[step.output]..<rows * starts[step.output + 1]])
                    let given = Self.compute(step, into: out, rows: rows, widths: widths, read: read)
                    if index == labeller { labels = given }
                }
            }
        }
        let result = rows * starts[result]..<rows * starts[result + 1]
        return (Array(arena[result]), labels)
    }

    /// One step's rows, written to `out` (`rows × step.width`); returns a classifier's labels.
    private static func compute(
        _ step: Step, into out: UnsafeMutableBufferPointer<Float>, rows: Int, widths: [Int],
        read: (Int) -> UnsafeBufferPointer<Float>
    ) -> [Int]? {
        let source = read(step.inputs[0]), width = widths[step.inputs[0]]
        func map(_ transform: (Float) -> Float) { for k in out.indices { out[k] = transform(source[k]) } }
        switch step.operation {
        case .copy:
            _ = out.update(fromContentsOf: source)
        case .scaler(let offset, let scale):
            for k in out.indices { out[k] = (source[k] - offset[offset.count == 1 ? 0 : k % width]) * scale[scale.count == 1 ? 0 : k % width] }
        case .imputer(let values, let replaced):
            for k in out.indices {
                let x = source[k]
                out[k] = (replaced.isNaN ? x.isNaN : x == replaced) ? values[values.count == 1 ? 0 : k % width] : x
            }
        case .normalizer(let norm):
            for row in 0..<rows {
                let range = row * width..<(row + 1) * width
                let divisor: Float = switch norm {
                case "MAX": source[range].max() ?? 0
                case "L1": source[range].reduce(0) { $0 + abs($1) }
                default: source[range].reduce(0) { $0 + $1 * $1 }.squareRoot()
                }
                for k in range { out[k] = divisor != 0 ? source[k] / divisor : source[k] }
            }
        case .combine(let kind, let sources):
            withOperands(sources[...], read: read) { operands in
                Self.elementwise(kind, rows: rows, width: step.width, operands[0], operands[1], into: out)
                for next in operands.dropFirst(2) {
                    Self.elementwise(kind, rows: rows, width: step.width, Operand(values: UnsafeBufferPointer(out), width: step.width, perRow: true), next, into: out)
                }
            }
        case .fill(let value):
            out.update(repeating: value)
        case .where(let sources):
            withOperands(sources[...], read: read) { operands in
                for row in 0..<rows {
                    for column in 0..<step.width {
                        let chosen = operands[0].value(row: row, column: column) != 0 ? operands[1] : operands[2]
                        out[row * step.width + column] = chosen.value(row: row, column: column)
                    }
                }
            }
        case .unary(let kind):
            map(kind.apply)
        case .argMax:
            for row in 0..<rows {
                var best = 0
                for column in 1..<max(width, 1) where source[row * width + column] > source[row * width + best] { best = column }
                out[row] = Float(best)
            }
        case .rowSum:
            for row in 0..<rows { out[row] = source[row * width..<(row + 1) * width].reduce(0, +) }
        case .rowProduct:
            for row in 0..<rows { out[row] = source[row * width..<(row + 1) * width].reduce(1, *) }
        case .mean(let members):
            let each = width / members
            for row in 0..<rows {
                for column in 0..<each {
                    var sum = source[row * width + column]
                    for member in 1..<members { sum += source[row * width + member * each + column] }
                    out[row * each + column] = sum / Float(members)
                }
            }
        case .affine(let weights, let bias):
            Self.affine(source, rows: rows, inner: width, weights: weights, bias: bias, outer: step.width, into: out)
        case .relu:
            map { $0 < 0 ? 0 : $0 }
        case .sigmoid:
            map(Self.logistic)
        case .tanh:
            map { tanhf($0) }
        case .softmax:
            _ = out.update(fromContentsOf: source)
            for row in 0..<rows { ONNXTreeModel.softmax(UnsafeMutableBufferPointer(rebasing: out[row * width..<(row + 1) * width])) }
        case .select(let columns):
            for row in 0..<rows {
                for (k, column) in columns.enumerated() { out[row * columns.count + k] = source[row * width + column] }
            }
        case .oneHot(let count):
            for row in 0..<rows {
                let code = source[row]
                if code >= 0, code < Float(count), code == code.rounded(.towardZero) { out[row * count + Int(code)] = 1 }
            }
        case .oneHotNumbers(let codes, let count):
            for (k, value) in source.enumerated() where value.isFinite && abs(value) < 9.2e18 {
                if let code = codes[Int64(value)] { out[k * count + code] = 1 }
            }
        case .labelEncoder(let values, let fallback):
            map { code in code >= 0 && code < Float(values.count) && code == code.rounded(.towardZero) ? values[Int(code)] : fallback }
        case .binarizer(let threshold):
            map { $0 > threshold ? 1 : 0 }
        case .concat:
            var k = 0
            for row in 0..<rows {
                for input in step.inputs {
                    let w = widths[input], values = read(input)
                    for column in 0..<w { out[k + column] = values[row * w + column] }
                    k += w
                }
            }
        case .linearClassifier(let weights, let bias, let transform):
            Self.affine(source, rows: rows, inner: width, weights: weights, bias: bias, outer: step.width, into: out)
            var rowLabels: [Int] = []
            for row in 0..<rows {
                let slice = UnsafeMutableBufferPointer(rebasing: out[row * step.width..<(row + 1) * step.width])
                rowLabels.append(Objective.firstMaxIndex(UnsafeBufferPointer(slice)))
                switch transform {
                case .none: break
                case .logistic: for k in slice.indices { slice[k] = Self.logistic(slice[k]) }
                case .softmax: ONNXTreeModel.softmax(slice)
                }
            }
            return rowLabels
        case .svm(let machine):
            let (values, labels) = machine.run(Array(source), rows: rows)
            _ = out.update(fromContentsOf: values)
            return labels
        case .trees(let model):
            let predictions = model.predict(FeatureMatrix(rows: rows, columns: width, values: Array(source)))
            _ = out.update(fromContentsOf: model.finish.task == .regression ? predictions.values : predictions.probabilities)
            return predictions.labels
        }
        return nil
    }

    /// `sources` as operands, constants included, for `body`.
    private static func withOperands<Result>(
        _ sources: ArraySlice<Source>, read: (Int) -> UnsafeBufferPointer<Float>, _ done: [Operand] = [],
        _ body: ([Operand]) -> Result
    ) -> Result {
        guard let first = sources.first else { return body(done) }
        switch first {
        case .slot(let slot, let width):
            return withOperands(sources.dropFirst(), read: read, done + [Operand(values: read(slot), width: width, perRow: true)], body)
        case .constant(let values):
            return values.withUnsafeBufferPointer { values in
                withOperands(sources.dropFirst(), read: read, done + [Operand(values: values, width: values.count, perRow: false)], body)
            }
        }
    }

    /// The logistic function as onnxruntime computes it for `Sigmoid` and a linear classifier's scores
    /// (MLAS's `MlasComputeLogistic`, Eigen's rational approximation over [-18, 18] in fused multiply-adds),
    /// which differs from `1 / (1 + e^-x)` in the last digits.
    /// A missing value stays missing, as onnxruntime's does.
    static func logistic(_ x: Float) -> Float {
        guard !x.isNaN else { return x }
        let v = min(18, max(-18, x))
        let v2 = v * v
        var p: Float = Float(1.15627324459942e-07).addingProduct(v2, 4.37031012579801e-11)
        p = Float(6.08574864600143e-05).addingProduct(p, v2)
        p = Float(8.51377133304701e-03).addingProduct(p, v2)
        p = Float(2.48287947061529e-01).addingProduct(p, v2)
        p *= v
        var q: Float = Float(5.76102136993427e-09).addingProduct(v2, 6.10247389755681e-13)
        q = Float(6.29106785017040e-06).addingProduct(q, v2)
        q = Float(1.70198817374094e-03).addingProduct(q, v2)
        q = Float(1.16817656904453e-01).addingProduct(q, v2)
        q = Float(9.93151921023180e-01).addingProduct(q, v2)
        return min(1, max(0, p / q + 0.5))
    }

    /// `rows × inner` times `inner × outer`, plus a bias of one value or one per output column: as
    /// onnxruntime's matrix kernels (MLAS) sum, in float32, fused multiply-adds in `k` order from zero, the
    /// bias added once at the end.
    private static func affine(
        _ x: UnsafeBufferPointer<Float>, rows: Int, inner: Int, weights: [Float], bias: [Float], outer: Int,
        into out: UnsafeMutableBufferPointer<Float>
    ) {
        for row in 0..<rows {
            for j in 0..<outer {
                var sum: Float = 0
                for k in 0..<inner { sum = sum.addingProduct(x[row * inner + k], weights[k * outer + j]) }
                out[row * outer + j] = bias.isEmpty ? sum : sum + bias[bias.count == 1 ? 0 : j]
            }
        }
    }
}
