import SibylCore
import SibylStore

/// Replays of an API's captures against another version, for every front end.
extension APIOperations {
    /// Most replays an API lists (the newest).
    public static let replayListLimit = 100

    /// Starts replaying the answered captures from `from` to `to` (as `captures` reads them; by default the
    /// last 24 hours) against `version`; a regressor's rows differ when more than `tolerance` apart (0 by default).
    public func startReplay(_ record: APIRecord, version: Int?, from: String?, to: String?, tolerance: Double?) async throws -> Replay {
        guard let version else { throw SibylError(.invalidInput, "version: required") }
        let (start, end) = try period(from: from, to: to)
        let tolerance = tolerance ?? 0
        guard tolerance.isFinite, tolerance >= 0 else { throw SibylError(.invalidInput, "tolerance: a number of 0 or more") }
        return try await platform.replays.start(record, version: version, from: start, to: end, tolerance: tolerance)
    }

    /// The API's replays, newest first.
    public func replays(_ api: PredictionAPI) async throws(SibylError) -> [Replay] {
        try await store.replays(apiID: api.id, limit: Self.replayListLimit)
    }

    public func replay(_ api: PredictionAPI, id: String?) async throws(SibylError) -> Replay {
        guard let id, let replay = try await store.replay(apiID: api.id, id: id) else { throw SibylError(.notFound, "no such replay") }
        return replay
    }

    /// Stops a replay (here at once, on another node at its next page) and forgets it.
    public func deleteReplay(_ api: PredictionAPI, id: String?) async throws(SibylError) {
        guard let id, try await store.deleteReplay(apiID: api.id, id: id) else { throw SibylError(.notFound, "no such replay") }
        platform.replays.cancel(id)
    }
}
