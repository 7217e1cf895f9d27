import ServiceLifecycle
import SibylCore
import SibylStore

/// Keeps the drift gauges current without anyone asking: every `ServerConfiguration.driftRefreshMilliseconds`,
/// each API that captures and whose current model has a profile gets the report `GET …/drift` answers by
/// default (the last 24 hours against the profile), which sets its gauges on this node.
public struct DriftMonitor: Service {
    let operations: APIOperations
    let interval: Duration

    public init(operations: APIOperations, interval: Duration) {
        self.operations = operations
        self.interval = interval
    }

    public func run() async throws {
        await everyInterval(interval) {
            // Not once more at a stop, as a flush is: a report then would be read by no one.
            guard !Task.isShuttingDownGracefully && !Task.isCancelled else { return }
            await refresh()
        }
    }

    /// One report per capturing API whose model has a profile; an API whose report cannot be made now is left as it was.
    func refresh() async {
        for route in operations.platform.routes.all() where route.api.capture.rate > 0 {
            guard let record = try? await operations.find(projectID: route.api.projectID, id: route.api.id) else { continue }
            // Without a profile the report is refused (409) before any capture is read, and no gauge changes.
            _ = try? await operations.drift(
                record, version: nil, from: nil, to: nil, referenceFrom: nil, referenceTo: nil, threshold: nil, missingThreshold: nil)
        }
    }
}
