import Foundation

/// The engine's RFC 3339 times ("2026-11-26T11:51:46.642236893Z", podman's logs without a fraction,
/// offsets like "+01:00"). Parsed by hand because an ISO8601DateFormatter accepts either fractional or
/// whole seconds, not both, and the engine sends both.
enum EngineTime {
    static func parse(_ text: some StringProtocol) -> Date? {
        let b = Array(text.utf8)
        func digit(_ i: Int) -> Int? { i < b.count && b[i] >= 48 && b[i] <= 57 ? Int(b[i] - 48) : nil }
        func number(_ start: Int, _ count: Int) -> Int? {
            var value = 0
            for i in start..<start + count {
                guard let d = digit(i) else { return nil }
                value = value * 10 + d
            }
            return value
        }
        func byte(_ i: Int) -> UInt8 { i < b.count ? b[i] : 0 }
        guard byte(4) == UInt8(ascii: "-"), byte(7) == UInt8(ascii: "-"), byte(13) == UInt8(ascii: ":"),
            byte(16) == UInt8(ascii: ":"), [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")].contains(byte(10)),
            let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
            let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 19
        var fraction = 0.0
        if byte(i) == UInt8(ascii: ".") {
            i += 1
            var scale = 0.1
            while let d = digit(i) {
                fraction += Double(d) * scale
                scale /= 10
                i += 1
            }
        }
        var offset = 0
        switch byte(i) {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard let h = number(i + 1, 2), byte(i + 3) == UInt8(ascii: ":"), let m = number(i + 4, 2) else { return nil }
            offset = (h * 3600 + m * 60) * (byte(i) == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        default:
            return nil
        }
        guard i == b.count else { return nil }
        let seconds = daysSinceEpoch(year: year, month: month, day: day) * 86400 + hour * 3600 + minute * 60 + second
        return Date(timeIntervalSince1970: Double(seconds - offset) + fraction)
    }

    /// Howard Hinnant's days_from_civil (proleptic Gregorian calendar).
    private static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146097 + dayOfEra - 719468
    }
}
