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
/// Each formula copies XGBoost's C++ (`regression_loss.h`, `common/math.h`, `multiclass_obj`) operation
/// for operation in float32, so that results match the library's to the bit, not merely closely.
enum Objective: String, Sendable, CaseIterable {
    case binaryLogistic = "binary:logistic"
    case binaryLogitRaw = "binary:logitraw"
    case regSquaredError = "reg:squarederror"
    case regLogistic = "reg:logistic"
    case multiSoftprob = "multi:softprob"
    case multiSoftmax = "multi:softmax"

    var task: ModelTask {
        switch self {
        case .binaryLogistic, .binaryLogitRaw: .binary
        case .regSquaredError, .regLogistic: .regression
        case .multiSoftprob, .multiSoftmax: .multiclass
        }
    }

    /// Whether the model's `base_score` is a probability that must be mapped to a margin.
    ///
    /// XGBoost stores the intercept as the user sees it and applies the objective's `ProbToMargin` on load;
    /// only the two logistic objectives have a non-identity one.
    var baseScoreIsProbability: Bool {
        self == .binaryLogistic || self == .regLogistic
    }

    /// XGBoost's `LogisticRegression::ProbToMargin`: `-logf(1.0f / base_score - 1.0f)`.
    static func logit(_ probability: Float) -> Float {
        -logf(1 / probability - 1)
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
