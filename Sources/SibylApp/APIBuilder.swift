import Logging
import ServiceLifecycle
import SibylCore
import SibylRuntime
import SibylStore

/// Builds APIs in the background: compile the model, run a warm-up prediction, then serve.
///
/// An API waits in `building` (new) or `updating` (model changed) until its build ends in `operating`,
/// or in `failed` with the reason. Builds run one after another; each takes well under a second.
public final class APIBuilder: Service {
    private let stream: AsyncStream<(projectID: Int, apiID: String)>
    private let continuation: AsyncStream<(projectID: Int, apiID: String)>.Continuation
    private let platform: Platform
    private let logger: Logger

    public init(platform: Platform, logger: Logger) {
        (stream, continuation) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
        self.platform = platform
        self.logger = logger
    }

    public func enqueue(projectID: Int, apiID: String) {
        continuation.yield((projectID, apiID))
    }

    public func run() async throws {
        for await job in stream.cancelOnGracefulShutdown() {
            await build(projectID: job.projectID, apiID: job.apiID)
        }
    }

    private func build(projectID: Int, apiID: String) async {
        do {
            guard let api = try await platform.store.api(projectID: projectID, id: apiID),
                api.status == .building || api.status == .updating,
                let model = try await platform.store.model(projectID: projectID, id: api.modelID)
            else { return }
            let failure: String?
            do throws(SibylError) {
                let compiled = try await platform.models.model(model)
                let warmUp = FeatureMatrix(rows: 1, columns: compiled.schema.featureNames.count,
                    values: Array(repeating: .nan, count: compiled.schema.featureNames.count))
                _ = compiled.predict(warmUp)
                // The data plane serves before the store says operating, never after: whoever reads
                // "operating" may call at once.
                platform.routes.serve(apiID, version: api.version, model: compiled)
                failure = nil
            } catch {
                failure = error.message
            }
            _ = try await platform.store.changeAPI(projectID: projectID, id: apiID) { current in
                // A stop or delete that raced the build wins; only a still-pending build is settled here.
                guard current.status == .building || current.status == .updating else { return current }
                var next = current
                next.status = failure == nil ? .operating : .failed
                next.failureReason = failure
                return next
            }
            try await platform.apiChanged(projectID: projectID, apiID: apiID)
            logger.info("API built", metadata: ["api.id": "\(apiID)", "outcome": "\(failure == nil ? "operating" : "failed")"])
        } catch {
            logger.error("API build failed", metadata: ["api.id": "\(apiID)", "error": "\(error)"])
        }
    }
}
