import Foundation
import SibylCore

/// An ONNX graph run step by step (`ONNXGraph`). Its margins are its outputs (the probability of class 1,
/// every class's probability, or the value): a graph does not give its raw scores apart; a classifier that
/// gives decision values instead (`ONNXGraph.scores`) answers those as margins, and no probabilities. Not
/// explained, like every ONNX model.
struct ONNXGraphModel: ModelEvaluator {
    let schema: ModelSchema
    let graph: ONNXGraph
    var explains: Bool { false }
    var columnsNeedingValues: IndexSet { graph.columnsNeedingValues }
    var workPerRow: Int { graph.work }

    func predict(_ input: FeatureMatrix) -> Predictions {
        let (outputs, given) = graph.run(input)
        let classes = schema.classes.count
        let labels: [Int] = schema.task == .regression ? [] : given ?? (0..<input.rows).map { row in
            outputs.withUnsafeBufferPointer { all in
                Objective.firstMaxIndex(UnsafeBufferPointer(rebasing: all[row * classes..<(row + 1) * classes]))
            }
        }
        // A binary classifier's margin is class 1's output (its only one where the graph gives that alone).
        let margins = schema.task == .binary && outputs.count == 2 * input.rows ? stride(from: 1, to: outputs.count, by: 2).map { outputs[$0] } : outputs
        let probabilities = schema.task != .regression && !graph.scores
        return Predictions(
            task: schema.task, classes: schema.classes, rowCount: input.rows, marginsPerRow: schema.task == .multiclass ? classes : 1,
            margins: margins, hasProbabilities: probabilities, probabilities: probabilities ? outputs : [],
            labels: labels, values: schema.task == .regression ? outputs : [])
    }

    /// Never asked: `explains` is false, and the evaluator refuses before it asks.
    func explain(_ input: FeatureMatrix) -> Contributions {
        preconditionFailure("an ONNX model has no training covers to explain with")
    }
}
