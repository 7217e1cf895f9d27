import Foundation
import NIOPosix
import SibylCore
import SibylRuntime
import Synchronization

/// Runs model evaluation: small predictions inline (a thread hop would cost more than the work), larger ones
/// on a thread pool off the event loops, at most `concurrency` at once and `queueLength` waiting; beyond
/// that the node answers 503 at once instead of queueing without bound.
///
/// Every input is held to `InputLimits` here too, whichever route decoded it, and an explanation's
/// contributions to the same number of values.
public final class Evaluator: Sendable {
    private let pool: NIOThreadPool
    private let inlineBudget: Int
    private let capacity: Int
    private let limits: InputLimits
    private let admitted = Atomic<Int>(0)

    public init(configuration: ServerConfiguration) {
        pool = NIOThreadPool(numberOfThreads: configuration.evaluationConcurrency)
        pool.start()
        inlineBudget = configuration.inlineEvaluationBudget
        capacity = configuration.evaluationConcurrency + configuration.evaluationQueueLength
        limits = configuration.inputLimits
    }

    /// The cost of a prediction in tree walks: each row walks every tree, and each of its cells is read
    /// (LightGBM copies every row, a linear model multiplies every cell, and a wide row is a cache miss per
    /// step). Counting trees alone sent 1,000 rows of a 2^20-feature model inline.
    /// A graph's arithmetic (an ONNX perceptron) counts as its operations a row.
    public static func cost(_ model: CompiledModel, _ input: FeatureMatrix) -> Int {
        input.rows * (model.schema.treeCount + input.columns + model.workPerRow)
    }

    public func predict(_ model: CompiledModel, _ input: FeatureMatrix) async throws -> Predictions {
        try limits.check(rows: input.rows, features: input.columns)
        try Self.checkMissing(model, input)
        return try await run(cost: Self.cost(model, input)) { model.predict(input) }
    }

    /// A model whose arithmetic reads a missing value gives no number for its row (onnxruntime answers NaN,
    /// scikit-learn refuses the row): the request is refused, naming the first such cell, before any row is
    /// computed.
    static func checkMissing(_ model: CompiledModel, _ input: FeatureMatrix) throws(SibylError) {
        let needed = model.columnsNeedingValues
        guard !needed.isEmpty else { return }
        for (index, value) in input.values.enumerated() where value.isNaN {
            let (row, column) = index.quotientAndRemainder(dividingBy: input.columns)
            guard needed.contains(column) else { continue }
            let what = model.schema.type(ofFeature: column).isCategory ? "a missing value or an unknown category" : "a missing value"
            throw SibylError(
                .invalidInput,
                "row \(row), feature \(model.schema.featureNames[column]): this model has no prediction for \(what) here (its graph computes on it with no imputer before), so send a value")
        }
    }

    /// Predictions and their contributions; TreeSHAP costs far more than a prediction, so it always goes
    /// to the pool. The contributions (rows × classes × (features + 1) doubles) are held to the same
    /// number of values as an input.
    public func explain(_ model: CompiledModel, _ input: FeatureMatrix) async throws -> (Predictions, Contributions) {
        try limits.check(rows: input.rows, features: input.columns)
        guard model.explains else {
            throw SibylError(
                .invalidInput,
                "this model (\(model.schema.format.rawValue)) keeps no training covers, so Sibyl cannot give its exact contributions; ask without explain")
        }
        let groups = model.schema.task == .multiclass ? model.schema.classes.count : 1
        let perRow = groups * (input.columns + 1)
        guard input.rows * perRow <= limits.maxCells else {
            throw SibylError(
                .tooManyRows,
                "the body has more than \(limits.maxCells / perRow) rows to explain: an explanation may hold \(limits.maxCells) contributions, and a row of this model has \(perRow)")
        }
        return try await run(cost: .max) { (model.predict(input), model.explain(input)) }
    }

    private func run<R: Sendable>(cost: Int, _ work: @escaping @Sendable () -> R) async throws -> R {
        if cost <= inlineBudget { return work() }
        guard admitted.add(1, ordering: .relaxed).newValue <= capacity else {
            admitted.subtract(1, ordering: .relaxed)
            throw SibylError(.overloaded, "the node is busy: retry shortly")
        }
        defer { admitted.subtract(1, ordering: .relaxed) }
        return try await pool.runIfActive(work)
    }

    public func shutdown() async throws {
        try await pool.shutdownGracefully()
    }
}

extension ServerConfiguration {
    /// What one prediction request may hold, on every route that takes rows.
    public var inputLimits: InputLimits {
        InputLimits(maxRows: maxRowsPerRequest, maxCells: maxCellsPerRequest)
    }
}
