import Foundation
import SibylCore
import SibylStore

/// An API's capture settings and the export of its captures, for every front end.
extension APIOperations {
    /// Sets which answered requests are kept and for how long; nil leaves a setting as it is.
    public func setCapture(_ record: APIRecord, rate: Double?, retentionDays: Int?) async throws(SibylError) -> APIRecord {
        let settings = try CaptureSettings(
            rate: rate ?? record.api.capture.rate, retentionDays: retentionDays ?? record.api.capture.retentionDays)
        guard let next = try await store.changeAPI(projectID: record.api.projectID, id: record.api.id, { try $0.capturing(settings) })
        else { throw SibylError(.notFound, "no such API") }
        try await platform.apiChanged(projectID: next.projectID, apiID: next.id)
        return try await self.record(projectID: next.projectID, id: next.id)
    }

    /// A page of captures: at most `limit` and about `byteLimit` of bodies; `next` is where the following
    /// page starts, nil when this one reached `to`.
    public struct CapturePage: Sendable {
        public let captures: [Capture]
        public let next: CaptureCursor?
    }

    /// Most captures in one page.
    public static let capturePageLimit = 1_000

    /// The captures from `from` to `to` (a `YYYY-MM-DD` day, whole, or an RFC 3339 time; by default the last
    /// 24 hours) after `after`, oldest first.
    public func captures(_ api: PredictionAPI, from: String?, to: String?, after: String?, limit: Int?) async throws -> CapturePage {
        let (start, end) = try period(from: from, to: to)
        let cursor = try after.map { text throws(SibylError) in
            guard let cursor = CaptureCursor(text: text) else { throw SibylError(.invalidInput, "after: expected a Sibyl-Next value") }
            return cursor
        }
        let limit = limit ?? Self.capturePageLimit
        guard (1...Self.capturePageLimit).contains(limit) else {
            throw SibylError(.invalidInput, "limit: from 1 to \(Self.capturePageLimit)")
        }
        // One more than asked tells whether another page follows; bodies are bounded like any answer.
        let found = try await platform.captures.captures(apiID: api.id, from: start, to: end, after: cursor, limit: limit + 1)
        var page: [Capture] = []
        var bytes = 0
        for capture in found.prefix(limit) {
            if !page.isEmpty && bytes + capture.bytes * 2 > platform.configuration.maxAnswerBytes { break }
            page.append(capture)
            bytes += capture.bytes * 2
        }
        return CapturePage(captures: page, next: page.count < found.count ? page.last.map(CaptureCursor.init) : nil)
    }

    /// A period of captures, in milliseconds: `from` and `to` as `YYYY-MM-DD` (the whole day) or RFC 3339
    /// times, by default the last 24 hours; `names` name them in errors.
    func period(from: String?, to: String?, names: (String, String) = ("from", "to")) throws(SibylError) -> (Int64, Int64) {
        let now = platform.clock.nowMilliseconds()
        let start = try from.map { text throws(SibylError) in try Self.time(text, name: names.0, endOfDay: false) } ?? now - 86_400_000
        let end = try to.map { text throws(SibylError) in try Self.time(text, name: names.1, endOfDay: true) } ?? now
        guard start <= end else { throw SibylError(.invalidInput, "\(names.0) must not be after \(names.1)") }
        return (start, end)
    }

    /// Milliseconds of a day's start (or end) or of an RFC 3339 time.
    static func time(_ text: String, name: String, endOfDay: Bool) throws(SibylError) -> Int64 {
        if let day = UTCDay.epochSeconds(of: text) { return day * 1_000 + (endOfDay ? 86_399_999 : 0) }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        guard let date = formatter.date(from: text) ?? plain.date(from: text) else {
            throw SibylError(.invalidInput, "\(name): expected YYYY-MM-DD or an RFC 3339 time such as 2026-12-07T05:00:00Z")
        }
        return Int64((date.timeIntervalSince1970 * 1_000).rounded())
    }
}
