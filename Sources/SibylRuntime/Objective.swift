#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import SibylCore

/// The XGBoost objectives Sibyl evaluates, and the float32 arithmetic XGBoost applies around the trees.
///
/// Each formula copies XGBoost's C++ (`regression_loss.h`, `common/math.h`, `multiclass_obj`, the Poisson,
/// gamma and Tweedie objectives' `expf`) operation for operation in float32, so that results match the
/// library's to the bit, not merely closely.
enum Objective: String, Sendable, CaseIterable {
    case binaryLogistic = "binary:logistic"
    case binaryLogitRaw = "binary:logitraw"
    case regSquaredError = "reg:squarederror"
    case regLogistic = "reg:logistic"
    case regAbsoluteError = "reg:absoluteerror"
    case regPseudoHuber = "reg:pseudohubererror"
    case countPoisson = "count:poisson"
    case regGamma = "reg:gamma"
    case regTweedie = "reg:tweedie"
    case multiSoftprob = "multi:softprob"
    case multiSoftmax = "multi:softmax"

    var task: ModelTask {
        switch self {
        case .binaryLogistic, .binaryLogitRaw: .binary
        case .multiSoftprob, .multiSoftmax: .multiclass
        case .regSquaredError, .regLogistic, .regAbsoluteError, .regPseudoHuber, .countPoisson, .regGamma, .regTweedie:
            .regression
        }
    }

    /// How the objective's `ProbToMargin` turns `base_score`, which XGBoost stores as the user sees it,
    /// into the margin the trees add to.
    enum BaseScoreLink {
        /// The score is already a margin (squared, absolute and pseudo-Huber error, softmax, and
        /// `binary:logitraw`, whose `ProbToMargin` has been the identity since dmlc/xgboost#6517, December 2020).
        case identity
        /// A probability: `-logf(1 / p - 1)`.
        case logit
        /// A mean of a log-link model (Poisson, gamma, Tweedie): `logf(score)`.
        case log
    }

    var baseScoreLink: BaseScoreLink {
        switch self {
        case .binaryLogistic, .regLogistic: .logit
        case .countPoisson, .regGamma, .regTweedie: .log
        case .binaryLogitRaw, .regSquaredError, .regAbsoluteError, .regPseudoHuber, .multiSoftprob, .multiSoftmax: .identity
        }
    }

    /// XGBoost's `LogisticRegression::ProbToMargin`: `-logf(1.0f / base_score - 1.0f)`.
    static func logit(_ probability: Float) -> Float {
        -logf(1 / probability - 1)
    }

    /// XGBoost's log-link `ProbToMargin`: `std::log` of a float, which is `logf`.
    static func log(_ score: Float) -> Float {
        logf(score)
    }

    /// XGBoost's `common::Sigmoid`: the exponent is capped so `expf` cannot overflow, and the tiny
    /// epsilon added to the denominator (which vanishes in float32 for any denominator ≥ 1) is kept
    /// anyway, in XGBoost's order, so the evaluation is the same expression.
    static func sigmoid(_ margin: Float) -> Float {
        let denominator = expf(min(-margin, 88.7)) + 1 + 1e-16
        return 1 / denominator
    }

    /// XGBoost's `common::Softmax`, in place: max in float32, exponentials in float32, their sum in
    /// double, each divided by the sum rounded to float32.
    static func softmax(_ values: UnsafeMutableBufferPointer<Float>) {
        var largest = values[0]
        for value in values.dropFirst() { largest = fmaxf(value, largest) }
        var sum = 0.0
        for k in values.indices {
            values[k] = expf(values[k] - largest)
            sum += Double(values[k])
        }
        let divisor = Float(sum)
        for k in values.indices { values[k] /= divisor }
    }

    /// The index of the first largest value, as `std::max_element` (XGBoost) and `numpy.argmax` pick it.
    static func firstMaxIndex(_ values: UnsafeBufferPointer<Float>) -> Int {
        var best = 0
        for k in values.indices.dropFirst() where values[k] > values[best] { best = k }
        return best
    }
}

extension Objective {
    /// The predictions for `margins` (`rows × groups`, row-major): XGBoost's `PredTransform` in float32,
    /// and labels as xgboost's scikit-learn wrapper gives them.
    func predictions(margins: [Float], rows: Int, groups: Int, schema: ModelSchema) -> Predictions {
        var probabilities: [Float] = []
        var labels: [Int] = []
        var values: [Float] = []
        switch self {
        case .binaryLogistic:
            probabilities.reserveCapacity(rows * 2)
            labels.reserveCapacity(rows)
            for margin in margins {
                let positive = Self.sigmoid(margin)
                // The wrapper's predict_proba computes the other column as 1 - p in float32.
                probabilities.append(1 - positive)
                probabilities.append(positive)
                labels.append(positive > 0.5 ? 1 : 0)
            }
        case .binaryLogitRaw:
            labels = margins.map { $0 > 0 ? 1 : 0 }
        case .regSquaredError, .regAbsoluteError, .regPseudoHuber:
            values = margins
        case .regLogistic:
            values = margins.map(Self.sigmoid)
        case .countPoisson, .regGamma, .regTweedie:
            values = margins.map { expf($0) }
        case .multiSoftprob:
            probabilities = margins
            labels.reserveCapacity(rows)
            probabilities.withUnsafeMutableBufferPointer { all in
                for row in 0..<rows {
                    let slice = UnsafeMutableBufferPointer(rebasing: all[row * groups..<(row + 1) * groups])
                    Self.softmax(slice)
                    labels.append(Self.firstMaxIndex(UnsafeBufferPointer(slice)))
                }
            }
        case .multiSoftmax:
            labels.reserveCapacity(rows)
            margins.withUnsafeBufferPointer { all in
                for row in 0..<rows {
                    labels.append(Self.firstMaxIndex(UnsafeBufferPointer(rebasing: all[row * groups..<(row + 1) * groups])))
                }
            }
        }
        return Predictions(
            task: schema.task, classes: schema.classes, rowCount: rows, marginsPerRow: groups, margins: margins,
            hasProbabilities: self == .binaryLogistic || self == .multiSoftprob,
            probabilities: probabilities, labels: labels, values: values)
    }
}
