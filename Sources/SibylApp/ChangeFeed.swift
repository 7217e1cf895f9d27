import Logging
import ServiceLifecycle
import SibylContainers
import SibylCore
import SibylStore

/// What one node tells the others that share its database: which part of the store to reload.
public enum Change: Equatable {
    case api(projectID: Int, apiID: String)
    case deployments
    /// A follower's report to the leader: requests a deployment received there, and whether one waits.
    case deploymentRequests(projectID: Int, name: String, requests: Int, waiting: Bool)

    public var text: String {
        switch self {
        case .api(let projectID, let apiID): "api \(projectID) \(apiID)"
        case .deployments: "deployments"
        case .deploymentRequests(let projectID, let name, let requests, let waiting):
            "requests \(projectID) \(name) \(requests) \(waiting ? 1 : 0)"
        }
    }

    public init?(_ text: String) {
        let parts = text.split(separator: " ")
        switch parts.first {
        case "api" where parts.count == 3:
            guard let projectID = Int(parts[1]) else { return nil }
            self = .api(projectID: projectID, apiID: String(parts[2]))
        case "deployments" where parts.count == 1:
            self = .deployments
        case "requests" where parts.count == 5:
            guard let projectID = Int(parts[1]), let requests = Int(parts[3]), ["0", "1"].contains(parts[4]) else { return nil }
            self = .deploymentRequests(projectID: projectID, name: String(parts[2]), requests: requests, waiting: parts[4] == "1")
        default:
            return nil
        }
    }
}

/// Keeps a node's routing table and deployment directory in step with changes made through other nodes:
/// each change is reloaded as soon as its notification arrives, and everything is reloaded every
/// `refreshInterval` and on every (re)connection, so a lost notification delays a change by at most that
/// long. Runs only on a shared database.
public final class ChangeFeed: Service {
    private let platform: Platform
    private let supervisor: Supervisor?
    private let refreshInterval: Duration
    private let logger: Logger

    public init(platform: Platform, supervisor: Supervisor?, refreshInterval: Duration, logger: Logger) {
        self.platform = platform
        self.supervisor = supervisor
        self.refreshInterval = refreshInterval
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.listen() }
                group.addTask { await self.refreshPeriodically() }
            }
        }
        logger.notice("stopping: change feed ended")
    }

    private func listen() async {
        while !Task.isCancelled {
            do {
                try await platform.store.listen(
                    listening: { await self.refreshAll() },
                    onChange: { text in await self.apply(text) })
            } catch {
                if Task.isCancelled { return }
                logger.warning("change channel lost; reconnecting", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    private func refreshPeriodically() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: refreshInterval)
            await refreshAll()
        }
    }

    private func apply(_ text: String) async {
        do throws(SibylError) {
            switch Change(text) {
            case .api(let projectID, let apiID): try await platform.refreshRoute(projectID: projectID, apiID: apiID)
            case .deployments: supervisor?.sync(try await platform.deployments.reload(from: platform.store))
            case .deploymentRequests(let projectID, let name, let requests, let waiting):
                supervisor?.received(projectID: projectID, name: name, requests: requests, waiting: waiting)
            case nil: logger.warning("unknown change ignored", metadata: ["change": "\(text)"])
            }
        } catch {
            logger.warning("change not reloaded; the next full reload will", metadata: ["change": "\(text)", "error": "\(error)"])
        }
    }

    private func refreshAll() async {
        do {
            supervisor?.sync(try await platform.refreshAll())
        } catch {
            if Task.isCancelled { return }
            logger.warning("full reload failed; serving what is in memory", metadata: ["error": "\(error)"])
        }
    }
}
