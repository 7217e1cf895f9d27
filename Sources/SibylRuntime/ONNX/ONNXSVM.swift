#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import SibylCore

/// A support vector machine as skl2onnx writes scikit-learn's SVR and SVC (`SVMRegressor`, `SVMClassifier`
/// of `ai.onnx.ml`), computed as onnxruntime computes it: each row's kernel against every support vector in
/// float32, then the regressor's weighted sum, or the classifier's one-against-one decision per pair of
/// classes, its votes (the label) and Platt's probabilities coupled across the pairs (libsvm's
/// `multiclass_probability`, in onnxruntime's float32).
struct ONNXSVM: Sendable {
    enum Kernel: Sendable, Equatable {
        case linear
        case poly(gamma: Float, coef0: Float, degree: Float)
        case rbf(gamma: Float)
        case sigmoid(gamma: Float, coef0: Float)
    }

    enum Decision: Sendable {
        /// `Σ coefficient · kernel + rho`; a one-class machine answers its sign, 1 or -1.
        case regressor(coefficients: [Float], rho: Float, oneClass: Bool)
        /// One-against-one over the classes: `vectorsPerClass` support vectors each, `coefficients` laid out
        /// `[classes − 1, vectors]`, one `rho` and one Platt pair (`probA`, `probB`) per pair of classes, or
        /// no Platt pairs: then its outputs are its decision values, one per pair (binary: `[−d, d]`, as
        /// onnxruntime writes them).
        case classifier(vectorsPerClass: [Int], coefficients: [Float], rho: [Float], probA: [Float], probB: [Float])
    }

    let kernel: Kernel
    /// The classifier's class names (none for a regressor).
    let classes: [String]
    /// `[vectors, width]`, row-major.
    let supportVectors: [Float]
    let width: Int
    let decision: Decision

    var vectorCount: Int { supportVectors.count / width }

    /// Whether a classifier's outputs are probabilities (it has Platt pairs), not decision values.
    var probabilities: Bool {
        if case .classifier(_, _, _, let probA, _) = decision { !probA.isEmpty } else { false }
    }

    /// A row's outputs: one value, one probability per class, or one decision value per pair of classes
    /// (two for a binary classifier).
    var outputWidth: Int {
        let classes = self.classes.count
        return classes == 0 ? 1 : probabilities || classes == 2 ? classes : classes * (classes - 1) / 2
    }

    /// Multiply-adds a row costs.
    var work: Int {
        switch decision {
        case .regressor: vectorCount * (width + 1)
        case .classifier(let perClass, _, _, _, _): vectorCount * (width + perClass.count) + perClass.count * perClass.count * 100
        }
    }

    /// The rows' outputs (the value, or every class's probability) and, for a classifier, the labels.
    func run(_ x: [Float], rows: Int) -> (values: [Float], labels: [Int]?) {
        var kernels = [Float](repeating: 0, count: vectorCount)
        switch decision {
        case .regressor(let coefficients, let rho, let oneClass):
            var values: [Float] = []
            values.reserveCapacity(rows)
            for row in 0..<rows {
                computeKernels(x, row: row, into: &kernels)
                // onnxruntime's matrix product: float fused multiply-adds in order, rho added last.
                var sum: Float = 0
                for v in kernels.indices { sum = sum.addingProduct(kernels[v], coefficients[v]) }
                let value = sum + rho
                values.append(oneClass ? (value > 0 ? 1 : -1) : value)
            }
            return (values, nil)
        case .classifier(let perClass, let coefficients, let rho, let probA, let probB):
            let classes = perClass.count
            var starts = [0]
            for count in perClass.dropLast() { starts.append(starts.last! + count) }
            let probabilities = !probA.isEmpty
            var values: [Float] = []
            values.reserveCapacity(rows * outputWidth)
            var labels: [Int] = []
            labels.reserveCapacity(rows)
            var pairs = [Float](repeating: 0, count: classes * classes)
            for row in 0..<rows {
                computeKernels(x, row: row, into: &kernels)
                var votes = [Int](repeating: 0, count: classes)
                var pair = 0
                for i in 0..<classes - 1 {
                    for j in i + 1..<classes {
                        // A float product at a time, summed in double, as onnxruntime's loop does.
                        var sum = 0.0
                        for m in 0..<perClass[i] {
                            sum += Double(coefficients[(j - 1) * vectorCount + starts[i] + m] * kernels[starts[i] + m])
                        }
                        for m in 0..<perClass[j] {
                            sum += Double(coefficients[i * vectorCount + starts[j] + m] * kernels[starts[j] + m])
                        }
                        sum += Double(rho[pair])
                        votes[sum > 0 ? i : j] += 1
                        if !probabilities {
                            values += classes == 2 ? [-Float(sum), Float(sum)] : [Float(sum)]
                            pair += 1
                            continue
                        }
                        let probability = min(max(Self.plattProbability(Float(sum), probA[pair], probB[pair]), 1e-7), 1 - 1e-7)
                        pairs[i * classes + j] = probability
                        pairs[j * classes + i] = 1 - probability
                        pair += 1
                    }
                }
                labels.append(votes.firstIndex(of: votes.max()!)!)
                if probabilities { values += Self.coupled(pairs, classes: classes) }
            }
            return (values, labels)
        }
    }

    private func computeKernels(_ x: [Float], row: Int, into kernels: inout [Float]) {
        let base = row * width
        for v in 0..<vectorCount {
            let vector = v * width
            switch kernel {
            case .rbf(let gamma):
                var sum: Float = 0
                for f in 0..<width {
                    let difference = x[base + f] - supportVectors[vector + f]
                    sum += difference * difference
                }
                kernels[v] = expf(-gamma * sum)
            case .linear, .poly, .sigmoid:
                var dot: Float = 0
                for f in 0..<width { dot = dot.addingProduct(x[base + f], supportVectors[vector + f]) }
                switch kernel {
                case .poly(let gamma, let coef0, let degree):
                    let t = gamma * dot + coef0
                    kernels[v] = degree == 2 ? t * t : degree == 3 ? t * t * t : powf(t, degree)
                case .sigmoid(let gamma, let coef0):
                    kernels[v] = tanhf(gamma * dot + coef0)
                default:
                    kernels[v] = dot
                }
            }
        }
    }

    /// libsvm's `sigmoid_predict` in onnxruntime's float32: `1 − logistic(score · A + B)`.
    static func plattProbability(_ score: Float, _ a: Float, _ b: Float) -> Float {
        let value = score * a + b
        let logistic = 1 / (1 + expf(-abs(value)))
        return 1 - (value < 0 ? 1 - logistic : logistic)
    }

    /// The class probabilities that best agree with the pairwise ones `r` (`r[i·k + j]`: class i over j), by
    /// the fixed-point iteration of Wu, Lin and Weng (2004) as libsvm and onnxruntime run it: at most 100
    /// rounds, stopping when every gradient is within 0.005 / k.
    static func coupled(_ r: [Float], classes k: Int) -> [Float] {
        var q = [Float](repeating: 0, count: k * k)
        var qp = [Float](repeating: 0, count: k)
        var p = [Float](repeating: 1 / Float(k), count: k)
        let eps = 0.005 / Float(k)
        for i in 0..<k {
            for j in 0..<i {
                q[i * k + i] += r[j * k + i] * r[j * k + i]
                q[i * k + j] = q[j * k + i]
            }
            for j in i + 1..<k {
                q[i * k + i] += r[j * k + i] * r[j * k + i]
                q[i * k + j] = -r[j * k + i] * r[i * k + j]
            }
        }
        for _ in 0..<100 {
            var pqp: Float = 0
            for i in 0..<k {
                qp[i] = 0
                for j in 0..<k { qp[i] += q[i * k + j] * p[j] }
                pqp += p[i] * qp[i]
            }
            var largest: Float = 0
            for i in 0..<k where abs(qp[i] - pqp) > largest { largest = abs(qp[i] - pqp) }
            if largest < eps { break }
            for i in 0..<k {
                let diff = (-qp[i] + pqp) / q[i * k + i]
                p[i] += diff
                pqp = (pqp + diff * (diff * q[i * k + i] + 2 * qp[i])) / (1 + diff) / (1 + diff)
                for j in 0..<k {
                    qp[j] = (qp[j] + diff * q[i * k + j]) / (1 + diff)
                    p[j] /= (1 + diff)
                }
            }
        }
        return p
    }
}

extension ONNXSVM {
    /// Reads an `SVMRegressor` or `SVMClassifier` node over rows `width` wide, every length checked.
    init(_ node: Onnx_NodeProto, width: Int) throws(SibylError) {
        let classifier = node.opType == "SVMClassifier"
        let attributes = try ONNXAttributes(
            node,
            known: classifier
                ? ["kernel_type", "kernel_params", "support_vectors", "vectors_per_class", "coefficients", "rho", "prob_a", "prob_b",
                   "classlabels_ints", "classlabels_strings", "post_transform"]
                : ["kernel_type", "kernel_params", "support_vectors", "n_supports", "coefficients", "rho", "one_class", "post_transform"])
        guard try (attributes.string("post_transform") ?? "NONE") == "NONE" else { throw attributes.invalid("post_transform must be NONE") }
        let parameters = try attributes.floats("kernel_params")
        guard parameters.isEmpty || parameters.count == 3 else {
            throw attributes.invalid("kernel_params has \(parameters.count) values; it is gamma, coef0 and degree")
        }
        let (gamma, coef0, degree) = parameters.isEmpty ? (Float(0), Float(0), Float(0)) : (parameters[0], parameters[1], parameters[2])
        let kernel: Kernel
        switch try attributes.string("kernel_type") ?? "LINEAR" {
        case "LINEAR": kernel = .linear
        case "POLY": kernel = .poly(gamma: gamma, coef0: coef0, degree: degree)
        case "RBF": kernel = .rbf(gamma: gamma)
        case "SIGMOID": kernel = .sigmoid(gamma: gamma, coef0: coef0)
        case let other: throw attributes.invalid("kernel_type \(other.prefix(64)) is not LINEAR, POLY, RBF or SIGMOID")
        }
        let vectors = try attributes.floats("support_vectors")
        let coefficients = try attributes.floats("coefficients"), rho = try attributes.floats("rho")
        let decision: Decision
        let vectorCount: Int
        var names: [String] = []
        if classifier {
            let counts = try attributes.ints("vectors_per_class")
            let numbers = try attributes.ints("classlabels_ints")
            names = numbers.isEmpty ? try attributes.strings("classlabels_strings") : numbers.map(String.init)
            let classes = names.count
            guard classes >= 2, counts.count == classes, counts.allSatisfy({ $0 > 0 && $0 <= Int32.max }) else {
                throw attributes.invalid("has \(counts.count) vector counts for \(classes) classes; Sibyl serves SVC machines, support vectors for every class")
            }
            vectorCount = counts.reduce(0) { $0 + Int($1) }
            guard vectorCount <= vectors.count else {
                throw attributes.invalid("support_vectors has \(vectors.count) values for \(vectorCount) vectors")
            }
            let pairs = classes * (classes - 1) / 2
            let (probA, probB) = (try attributes.floats("prob_a"), try attributes.floats("prob_b"))
            guard (probA.count == pairs && probB.count == pairs) || (probA.isEmpty && probB.isEmpty) else {
                throw attributes.invalid("has \(probA.count) prob_a and \(probB.count) prob_b for \(pairs) pairs of classes")
            }
            guard coefficients.count == (classes - 1) * vectorCount, rho.count == pairs else {
                throw attributes.invalid("has \(coefficients.count) coefficients and \(rho.count) rho for \(classes) classes of \(vectorCount) vectors")
            }
            decision = .classifier(vectorsPerClass: counts.map { Int($0) }, coefficients: coefficients, rho: rho, probA: probA, probB: probB)
        } else {
            guard let count = try attributes.int("n_supports"), count > 0, count <= vectors.count else {
                throw attributes.invalid("has no support vectors (n_supports); Sibyl serves SVR machines")
            }
            vectorCount = Int(count)
            guard coefficients.count == vectorCount, rho.count == 1 else {
                throw attributes.invalid("has \(coefficients.count) coefficients and \(rho.count) rho for \(vectorCount) vectors and 1 target")
            }
            decision = .regressor(coefficients: coefficients, rho: rho[0], oneClass: try (attributes.int("one_class") ?? 0) != 0)
        }
        guard vectors.count == vectorCount * width else {
            throw attributes.invalid("support_vectors has \(vectors.count) values for \(vectorCount) vectors of \(width) columns")
        }
        self.init(kernel: kernel, classes: names, supportVectors: vectors, width: width, decision: decision)
    }
}
