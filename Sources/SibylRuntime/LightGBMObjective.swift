#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import SibylCore

/// A LightGBM objective as the model file's `objective=` line names it (`binary sigmoid:1`,
/// `multiclass num_class:3`, `regression`, …), and the transform LightGBM's `ConvertOutput` applies to
/// the raw scores, in double as its C++ does.
struct LightGBMObjective: Sendable, Equatable {
    enum Transform: Sendable, Equatable {
        /// The raw score itself: regression, regression_l1, huber, fair, quantile, mape.
        case identity
        /// `regression sqrt` (reg_sqrt): the model learnt the signed square root of the label.
        case signedSquare
        /// Log-link objectives: poisson, gamma, tweedie.
        case exponential
        /// `1 / (1 + exp(-sigmoid · score))` per output: binary, multiclassova, cross_entropy (sigmoid 1).
        case sigmoid(Double)
        /// `log(1 + exp(score))`: cross_entropy_lambda.
        case softplus
        /// multiclass: softmax over the row's outputs.
        case softmax
    }

    /// The objective line as written, which the schema reports.
    let line: String
    let task: ModelTask
    /// Outputs per row: the class count of a multiclass model, 1 otherwise.
    let outputCount: Int
    let transform: Transform

    static let identityNames: Set = ["regression", "regression_l1", "huber", "fair", "quantile", "mape"]
    static let supported = "binary, multiclass, multiclassova, regression, regression_l1, huber, fair, quantile, "
        + "mape, poisson, gamma, tweedie, cross_entropy, cross_entropy_lambda"

    /// An objective named by another format (CatBoost's loss functions), with the transform it implies.
    init(line: String, task: ModelTask, outputCount: Int, transform: Transform) {
        (self.line, self.task, self.outputCount, self.transform) = (line, task, outputCount, transform)
    }

    /// Parses the `objective=` line, whose parameters are `name:value` words after the objective's name.
    /// A parameter Sibyl does not know is refused, since it might change the transform.
    init(line: String, header: LightGBMSection) throws(SibylError) {
        let words = line.split(separator: " ")
        guard let name = words.first.map(String.init) else { throw header.invalid("objective is empty") }
        var sigmoid: Double?
        var classCount: Int?
        var squareRoot = false
        for word in words.dropFirst() {
            if word == "sqrt" && Self.identityNames.contains(name) {
                squareRoot = true
            } else if word.hasPrefix("sigmoid:") && ["binary", "multiclassova"].contains(name) {
                guard let value = Double(word.dropFirst("sigmoid:".count)), value > 0, value.isFinite else {
                    throw header.invalid("objective parameter \"\(word)\" must be a positive number")
                }
                sigmoid = value
            } else if word.hasPrefix("num_class:") && ["multiclass", "multiclassova"].contains(name) {
                guard let value = Int(word.dropFirst("num_class:".count)), value >= 2, value <= LightGBMTextLoader.maxClasses else {
                    throw header.invalid("objective parameter \"\(word)\" must be an integer in 2...\(LightGBMTextLoader.maxClasses)")
                }
                classCount = value
            } else {
                throw header.invalid("objective \"\(name)\" has a parameter Sibyl does not know: \"\(word.prefix(64))\"")
            }
        }

        self.line = line
        switch name {
        case "binary":
            guard let sigmoid else { throw header.invalid("objective binary needs its sigmoid parameter") }
            (task, outputCount, transform) = (.binary, 1, .sigmoid(sigmoid))
        case "multiclass", "multiclassova":
            guard let classCount else { throw header.invalid("objective \(name) needs its num_class parameter") }
            if name == "multiclass" {
                (task, outputCount, transform) = (.multiclass, classCount, .softmax)
            } else {
                guard let sigmoid else { throw header.invalid("objective multiclassova needs its sigmoid parameter") }
                (task, outputCount, transform) = (.multiclass, classCount, .sigmoid(sigmoid))
            }
        case _ where Self.identityNames.contains(name):
            (task, outputCount, transform) = (.regression, 1, squareRoot ? .signedSquare : .identity)
        case "poisson", "gamma", "tweedie":
            (task, outputCount, transform) = (.regression, 1, .exponential)
        case "cross_entropy":
            (task, outputCount, transform) = (.regression, 1, .sigmoid(1))
        case "cross_entropy_lambda":
            (task, outputCount, transform) = (.regression, 1, .softplus)
        default:
            throw header.invalid("unsupported objective \"\(name.prefix(64))\" (supported: \(Self.supported))")
        }
    }

    /// Converts one row's raw scores (`outputCount` of them) in place, as LightGBM's `ConvertOutput`.
    func convert(_ scores: UnsafeMutableBufferPointer<Double>) {
        switch transform {
        case .identity:
            break
        case .signedSquare:
            for k in scores.indices {
                let score = scores[k]
                scores[k] = (score > 0 ? 1 : score < 0 ? -1 : 0) * score * score
            }
        case .exponential:
            for k in scores.indices { scores[k] = exp(scores[k]) }
        case .sigmoid(let scale):
            for k in scores.indices { scores[k] = 1 / (1 + exp(-scale * scores[k])) }
        case .softplus:
            for k in scores.indices { scores[k] = log1p(exp(scores[k])) }
        case .softmax:
            // Common::Softmax: subtract the largest, exponentiate, divide by the sum, all in double.
            var largest = scores[0]
            for score in scores.dropFirst() { largest = max(score, largest) }
            var sum = 0.0
            for k in scores.indices {
                scores[k] = exp(scores[k] - largest)
                sum += scores[k]
            }
            for k in scores.indices { scores[k] /= sum }
        }
    }
}
