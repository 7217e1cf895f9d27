import Foundation
import SQLKit
import SibylCore

extension Store {
    /// Writes a node's batches of captures in one transaction. A batch written again (sent again after its
    /// answer was lost) is not written twice: it is named after its first capture.
    public func addCaptures(_ batches: [CaptureBatch]) async throws(SibylError) {
        guard !batches.isEmpty else { return }
        try await run(transaction: true) { db in try await Self.insert(batches, into: db) }
    }

    static func insert(_ batches: [CaptureBatch], into db: any SQLDatabase) async throws {
        for batch in batches where !batch.id.isEmpty {
            try await db.raw("""
                INSERT INTO capture_batches (id, api_id, first_at, last_at, answered, captures)
                VALUES (\(bind: batch.id), \(bind: batch.apiID), \(bind: batch.firstAt), \(bind: batch.lastAt), \(bind: batch.answered),
                  \(bind: Data(batch.bytes)))
                ON CONFLICT (id) DO NOTHING
                """).run()
        }
    }

    // The next two decode a batch outside the async closures that read it: a typed throw inside one of them
    // crashes the release build's compiler (Swift 6.3.1, in coroutine splitting).

    /// How many of a batch's captures from `from` to `to` were answered.
    static func answered(_ batch: CaptureBatch, from: Int64, to: Int64) throws -> Int {
        try batch.captures().filter { $0.status == 200 && $0.time >= from && $0.time <= to }.count
    }

    /// A batch's captures made at `from` or later, as batches.
    static func captures(of batch: CaptureBatch, from: Int64) throws -> [CaptureBatch] {
        CaptureBatch.batches(try batch.captures().filter { $0.time >= from })
    }

    /// A batch as read back from a row of `capture_batches` (its id and captures).
    static func storedBatch(_ row: any SQLRow, apiID: String) throws -> CaptureBatch {
        CaptureBatch(
            id: try row.decode(column: "id", as: String.self), apiID: apiID, firstAt: try row.decode(column: "first_at", as: Int64.self),
            lastAt: try row.decode(column: "last_at", as: Int64.self), answered: try row.decode(column: "answered", as: Int.self),
            bytes: [UInt8](try row.decode(column: "captures", as: Data.self)))
    }

    /// An API's captures from `from` to `to` (milliseconds, both included) after the one at `after` (a
    /// page's end), oldest first (by time, then id), at most `limit`.
    ///
    /// Batches are read in the order they begin, a few at a time, from the first that may hold a capture
    /// after `after` (none spans more than `CaptureBatch.span`), until the captures kept fill the page and
    /// the next batch begins after its last: nodes write batches of the same times, so they are merged.
    public func captures(apiID: String, from: Int64, to: Int64, after: CaptureCursor?, limit: Int) async throws(SibylError)
        -> [Capture]
    {
        let lower = max(from, after?.time ?? from)
        let earliest = Self.earliestStart(reaching: lower)
        var found: [Capture] = []
        var read: (first: Int64, id: String) = (Int64.min, "")
        while true {
            let past = read
            let batches = try await run { db in
                try await db.raw("""
                    SELECT * FROM capture_batches WHERE api_id = \(bind: apiID)
                      AND first_at >= \(bind: earliest) AND first_at <= \(bind: to) AND last_at >= \(bind: lower)
                      AND (first_at > \(bind: past.first) OR (first_at = \(bind: past.first) AND id > \(bind: past.id)))
                    ORDER BY first_at, id LIMIT \(bind: Self.batchesPerRead)
                    """).all().map { try Self.storedBatch($0, apiID: apiID) }
            }
            guard let last = batches.last else { break }
            read = (last.firstAt, last.id)
            for batch in batches {
                found += try batch.captures().filter { capture in
                    capture.time >= from && capture.time <= to && after?.precedes(capture) != false
                }
            }
            found.sort { ($0.time, $0.id) < ($1.time, $1.id) }
            if found.count > limit { found.removeLast(found.count - limit) }
            if found.count == limit, let kept = found.last, read.first > kept.time { break }
        }
        return found
    }

    /// The earliest first time of a batch that may hold a capture made at `time` or later (none spans more than
    /// `CaptureBatch.span`).
    static func earliestStart(reaching time: Int64) -> Int64 {
        time < Int64.min + CaptureBatch.span ? Int64.min : time - CaptureBatch.span
    }

    /// Batches one read of `captures` asks for.
    static let batchesPerRead = 4

    /// The next captures after `after`, as `captures` reads them, at most `limit` and, past the first, no more
    /// than `byteLimit` of request bodies: what a replay or a drift report reads at once.
    public func capturePage(apiID: String, from: Int64, to: Int64, after: CaptureCursor?, limit: Int, byteLimit: Int)
        async throws(SibylError) -> [Capture]
    {
        let page = try await captures(apiID: apiID, from: from, to: to, after: after, limit: limit)
        var bytes = 0
        let count = page.prefix { capture in
            bytes += capture.request.count
            return bytes <= byteLimit
        }.count
        return Array(page.prefix(max(1, count)))
    }

    /// How many answered captures of an API a period holds (what a replay of it runs): counted per batch for
    /// the batches inside the period, capture by capture for those across its ends.
    public func answeredCaptureCount(apiID: String, from: Int64, to: Int64) async throws(SibylError) -> Int {
        let earliest = Self.earliestStart(reaching: from)
        return try await run { db in
            let inside = try await db.raw("""
                SELECT CAST(COALESCE(SUM(answered), 0) AS BIGINT) AS n FROM capture_batches WHERE api_id = \(bind: apiID)
                  AND first_at >= \(bind: from) AND last_at <= \(bind: to)
                """).first()?.decode(column: "n", as: Int.self) ?? 0
            let across = try await db.raw("""
                SELECT * FROM capture_batches WHERE api_id = \(bind: apiID) AND first_at >= \(bind: earliest)
                  AND first_at <= \(bind: to) AND last_at >= \(bind: from) AND (first_at < \(bind: from) OR last_at > \(bind: to))
                """).all().map { try Self.storedBatch($0, apiID: apiID) }
            return try inside + across.map { try Self.answered($0, from: from, to: to) }.reduce(0, +)
        }
    }

    /// Deletes an API's captures made before `before` (milliseconds): its retention. A batch across that time
    /// keeps its newer captures.
    public func deleteCaptures(apiID: String, before: Int64) async throws(SibylError) {
        let earliest = Self.earliestStart(reaching: before)
        try await run(transaction: true) { db in
            try await db.raw("DELETE FROM capture_batches WHERE api_id = \(bind: apiID) AND last_at < \(bind: before)").run()
            let across = try await db.raw("""
                SELECT * FROM capture_batches WHERE api_id = \(bind: apiID) AND first_at >= \(bind: earliest)
                  AND first_at < \(bind: before)
                """).all().map { try Self.storedBatch($0, apiID: apiID) }
            for batch in across {
                try await db.raw("DELETE FROM capture_batches WHERE id = \(bind: batch.id)").run()
                try await Self.insert(Self.captures(of: batch, from: before), into: db)
            }
        }
    }
}

extension Store {
    /// Migration 0010: moves the captures written a row each into batches, a thousand rows at a time, and
    /// drops their table.
    static func batchRowCaptures(_ db: any SQLDatabase) async throws {
        var after: (api: String, time: Int64, id: String) = ("", Int64.min, "")
        while true {
            let rows = try await db.raw("""
                SELECT * FROM captures WHERE api_id > \(bind: after.api) OR (api_id = \(bind: after.api)
                  AND (captured_at > \(bind: after.time) OR (captured_at = \(bind: after.time) AND id > \(bind: after.id))))
                ORDER BY api_id, captured_at, id LIMIT 1000
                """).all().map { row in
                Capture(
                    id: try row.decode(column: "id", as: String.self), apiID: try row.decode(column: "api_id", as: String.self),
                    endpoint: Capture.Endpoint(rawValue: try row.decode(column: "endpoint", as: String.self)) ?? .predict,
                    time: try row.decode(column: "captured_at", as: Int64.self), version: try row.decode(column: "version", as: Int.self),
                    keyID: try row.decode(column: "key_id", as: String.self), status: try row.decode(column: "status", as: Int.self),
                    mediaType: try row.decode(column: "media_type", as: String.self),
                    request: [UInt8](try row.decode(column: "request", as: Data.self)),
                    answer: [UInt8](try row.decode(column: "answer", as: Data.self)))
            }
            guard let last = rows.last else { break }
            after = (last.apiID, last.time, last.id)
            try await insert(CaptureBatch.batches(rows), into: db)
        }
        try await db.raw("DROP TABLE captures").run()
    }
}
