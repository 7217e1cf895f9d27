import NIOPosix
import SibylCore
import SibylRuntime
import Synchronization

/// Runs model evaluation: small predictions inline (a thread hop would cost more than the work), larger ones
/// on a thread pool off the event loops, at most `concurrency` at once and `queueLength` waiting; beyond
/// that the node answers 503 at once instead of queueing without bound.
final class Evaluator: Sendable {
    private let pool: NIOThreadPool
    private let inlineBudget: Int
    private let capacity: Int
    private let admitted = Atomic<Int>(0)

    init(configuration: ServerConfiguration) {
        pool = NIOThreadPool(numberOfThreads: configuration.evaluationConcurrency)
        pool.start()
        inlineBudget = configuration.inlineEvaluationBudget
        capacity = configuration.evaluationConcurrency + configuration.evaluationQueueLength
    }

    func predict(_ model: CompiledModel, _ input: FeatureMatrix) async throws -> Predictions {
        try await run(cost: input.rows * model.schema.treeCount) { model.predict(input) }
    }

    /// Predictions and their contributions; TreeSHAP costs far more than a prediction, so it always goes
    /// to the pool.
    func explain(_ model: CompiledModel, _ input: FeatureMatrix) async throws -> (Predictions, Contributions) {
        try await run(cost: .max) { (model.predict(input), model.explain(input)) }
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

    func shutdown() async throws {
        try await pool.shutdownGracefully()
    }
}
