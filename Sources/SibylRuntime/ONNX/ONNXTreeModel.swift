#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import SibylCore

/// An ONNX tree ensemble: its float32 forest and onnxruntime's `FinalizeScores` after it, in float32 as its
/// C++ computes them (`tree_ensemble_aggregator.h`, `ml_common.h`).
///
/// ONNX keeps no training covers (`nodes_hitrates` are 1 as skl2onnx writes them), and TreeSHAP weighs
/// every split by them, so the model is not explained (`explains` is false). A class, so that a planned
/// graph's step that runs it costs one reference, not one per array of its forest.
final class ONNXTreeModel: ModelEvaluator {
    enum Transform: Sendable {
        case none, logistic, softmax
    }

    /// What follows the trees: onnxruntime adds the base values to the sums (after dividing by the tree
    /// count for AVERAGE), then applies the post transform.
    struct Finish: Sendable {
        let task: ModelTask
        /// The operator and its transform, which the schema reports as the objective.
        let objective: String
        let transform: Transform
        /// One per output, or none.
        let base: [Float]
        /// The tree count an AVERAGE regressor divides by.
        let averageOver: Float?
    }

    let schema: ModelSchema
    let finish: Finish
    let forest: Forest
    var explains: Bool { false }

    init(schema: ModelSchema, finish: Finish, forest: Forest) {
        (self.schema, self.finish, self.forest) = (schema, finish, forest)
    }

    func predict(_ input: FeatureMatrix) -> Predictions {
        var scores = forest.margins(input)
        let groups = forest.groupCount
        for k in scores.indices {
            if let trees = finish.averageOver { scores[k] /= trees }
            if !finish.base.isEmpty { scores[k] += finish.base[k % groups] }
        }
        var probabilities: [Float] = []
        var labels: [Int] = []
        var values: [Float] = []
        switch finish.task {
        case .binary:
            probabilities.reserveCapacity(scores.count * 2)
            for score in scores {
                switch finish.transform {
                case .logistic:
                    // Weights of both signs: the score is a margin, and its sign the label.
                    probabilities.append(Self.logistic(-score))
                    probabilities.append(Self.logistic(score))
                    labels.append(score > 0 ? 1 : 0)
                case .none, .softmax:
                    // Non-negative weights: the score is the probability of class 1.
                    probabilities.append(1 - score)
                    probabilities.append(score)
                    labels.append(score > 0.5 ? 1 : 0)
                }
            }
        case .multiclass:
            probabilities = scores
            probabilities.withUnsafeMutableBufferPointer { all in
                for row in 0..<input.rows {
                    let slice = UnsafeMutableBufferPointer(rebasing: all[row * groups..<(row + 1) * groups])
                    // The label is the first largest score, before the transform.
                    labels.append(Objective.firstMaxIndex(UnsafeBufferPointer(slice)))
                    switch finish.transform {
                    case .none: break
                    case .logistic: for k in slice.indices { slice[k] = Self.logistic(slice[k]) }
                    case .softmax: Self.softmax(slice)
                    }
                }
            }
        case .regression:
            values = scores
        }
        return Predictions(
            task: finish.task, classes: schema.classes, rowCount: input.rows, marginsPerRow: groups, margins: scores,
            hasProbabilities: finish.task != .regression, probabilities: probabilities, labels: labels, values: values)
    }

    /// Never asked: `explains` is false, and the evaluator refuses before it asks.
    func explain(_ input: FeatureMatrix) -> Contributions {
        preconditionFailure("an ONNX model has no training covers to explain with")
    }

    /// onnxruntime's `ComputeLogistic`: `1 / (1 + exp(-|x|))`, mirrored for negative x.
    static func logistic(_ value: Float) -> Float {
        let v = 1 / (1 + expf(-abs(value)))
        return value < 0 ? 1 - v : v
    }

    /// onnxruntime's `ComputeSoftmax`: the largest subtracted, exponentials and their sum in float32.
    static func softmax(_ values: UnsafeMutableBufferPointer<Float>) {
        var largest = -Float.greatestFiniteMagnitude
        for value in values where value > largest { largest = value }
        var sum: Float = 0
        for k in values.indices {
            values[k] = expf(values[k] - largest)
            sum += values[k]
        }
        for k in values.indices { values[k] /= sum }
    }
}
