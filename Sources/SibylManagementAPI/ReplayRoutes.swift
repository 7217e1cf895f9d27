import Hummingbird
import SibylApp
import SibylCore
import SibylHTTP

/// Replays of an API's captures against another version, under `…/apis/{api_id}/replays`: started (202, a
/// task), followed by its progress, deleted (stopped).
extension APIRoutes {
    func addReplays(to apis: RouterGroup<ProjectContext>) {
        apis.post(":api_id/replays") { request, context in
            let record = try await record(request, context)
            let body = try await JSONBody.read(request, limit: limit, allowed: ["version", "from", "to", "tolerance"])
            let replay = try await operations.startReplay(
                record, version: try body.int("version"), from: try body.string("from"), to: try body.string("to"),
                tolerance: try body.number("tolerance"))
            return JSONAnswer(.accepted, ReplayAnswer(replay, now: operations.platform.clock.nowMilliseconds(), differences: true))
        }
        apis.get(":api_id/replays") { request, context in
            let replays = try await operations.replays(try await record(request, context).api)
            let now = operations.platform.clock.nowMilliseconds()
            return JSONAnswer(.ok, ListAnswer(replays.map { ReplayAnswer($0, now: now, differences: false) }))
        }
        apis.get(":api_id/replays/:replay_id") { request, context in
            let replay = try await operations.replay(try await record(request, context).api, id: context.parameters.get("replay_id"))
            return JSONAnswer(.ok, ReplayAnswer(replay, now: operations.platform.clock.nowMilliseconds(), differences: true))
        }
        apis.delete(":api_id/replays/:replay_id") { request, context in
            try await operations.deleteReplay(try await record(request, context).api, id: context.parameters.get("replay_id"))
            return Response(status: .noContent)
        }
    }
}

/// A replay: its period, progress and comparison; with its differing rows when one replay is asked for.
struct ReplayAnswer: Encodable {
    struct Difference: Encodable {
        let captureID: String
        let row: Int
        let answered: String
        let replayed: String
    }

    let id: String
    let apiID: String
    let version: Int
    let from: String
    let to: String
    let tolerance: Double
    let state: String
    let total: Int
    let processed: Int
    let requests: Int
    let rows: Int
    let failed: Int
    let labelAgreement: Double?
    let meanAbsDifference: Double?
    let maxAbsDifference: Double?
    let differingRows: Int
    let differences: [Difference]?
    let error: String?
    let createdAt: String
    let updatedAt: String

    init(_ replay: Replay, now: Int64, differences: Bool) {
        id = replay.id
        apiID = replay.apiID
        version = replay.version
        from = UTCDay.dateTime(fromEpochMilliseconds: replay.from)
        to = UTCDay.dateTime(fromEpochMilliseconds: replay.to)
        tolerance = replay.tolerance
        state = replay.state(at: now).rawValue
        total = replay.total
        processed = replay.processed
        requests = replay.comparison.requests
        rows = replay.comparison.rows
        failed = replay.comparison.failed
        labelAgreement = replay.comparison.labelAgreement(classifier: replay.classifier)
        meanAbsDifference = replay.comparison.meanAbsoluteDifference
        maxAbsDifference = replay.comparison.maximumAbsoluteDifference
        differingRows = replay.differingRows
        self.differences = differences
            ? replay.differences.map { Difference(captureID: $0.captureID, row: $0.row, answered: $0.answered, replayed: $0.replayed) } : nil
        error = replay.error
        createdAt = UTCDay.dateTime(fromEpochMilliseconds: replay.createdAt)
        updatedAt = UTCDay.dateTime(fromEpochMilliseconds: replay.updatedAt)
    }
}
