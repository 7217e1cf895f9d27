/// Request counts of one API on one UTC day.
public struct UsageDay: Sendable, Equatable, Codable {
    /// `YYYY-MM-DD`, UTC.
    public var date: String
    /// Requests by final HTTP status.
    public var byStatus: [Int: Int]

    public init(date: String, byStatus: [Int: Int] = [:]) {
        self.date = date
        self.byStatus = byStatus
    }

    /// Requests answered 200.
    public var status200: Int { byStatus[200, default: 0] }
    /// Requests answered with an error, client (4xx) or server (5xx), counted together as in the seed.
    public var status4xx5xx: Int { byStatus.filter { $0.key >= 400 }.values.reduce(0, +) }
}

/// UTC calendar days as `YYYY-MM-DD`, without Foundation's calendars (civil-from-days, H. Hinnant).
public enum UTCDay {
    public static func string(fromEpochSeconds seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return "\(year)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)"
    }

    /// ISO 8601 date and time, UTC: `2026-11-23T17:57:21Z`.
    public static func dateTime(fromEpochSeconds seconds: Int64) -> String {
        let second = ((seconds % 86_400) + 86_400) % 86_400
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return string(fromEpochSeconds: seconds) + "T\(two(second / 3600)):\(two(second / 60 % 60)):\(two(second % 60))Z"
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` of milliseconds since 1970.
    public static func dateTime(fromEpochMilliseconds milliseconds: Int64) -> String {
        let seconds = milliseconds >= 0 ? milliseconds / 1_000 : (milliseconds - 999) / 1_000
        let fraction = milliseconds - seconds * 1_000
        let text = String(fraction)
        return String(dateTime(fromEpochSeconds: seconds).dropLast()) + "." + String(repeating: "0", count: 3 - text.count) + text + "Z"
    }

    /// Epoch seconds of midnight UTC of a `YYYY-MM-DD` date; nil when the text is not a real date.
    public static func epochSeconds(of date: String) -> Int64? {
        let parts = date.split(separator: "-", omittingEmptySubsequences: false)
        guard date.utf8.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int64(parts[0]), let month = Int64(parts[1]), let day = Int64(parts[2]),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let seconds = (era * 146_097 + doe - 719_468) * 86_400
        return string(fromEpochSeconds: seconds) == date ? seconds : nil
    }
}

/// Requests of one API on one UTC day answered with one status, not yet written.
public struct UsageKey: Hashable, Sendable {
    public var apiID: String
    public var day: String
    public var status: Int

    public init(apiID: String, day: String, status: Int) {
        self.apiID = apiID
        self.day = day
        self.status = status
    }
}
