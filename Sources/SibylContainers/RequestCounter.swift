/// Requests per second over the last hour, in constant space and constant time per request: the http
/// trigger's window (at most an hour) is a sum of recent slots.
struct RequestCounter: Sendable {
    static let slots = 3_600
    private var counts = [UInt32](repeating: 0, count: slots)
    /// The second each slot counts, so that a slot left from an hour ago reads as empty.
    private var seconds = [Int64](repeating: .min, count: slots)

    mutating func record(at second: Int64, count: Int = 1) {
        let slot = Self.slot(second)
        if seconds[slot] != second {
            seconds[slot] = second
            counts[slot] = 0
        }
        counts[slot] &+= UInt32(clamping: count)
    }

    /// Requests in the `window` seconds up to and including `second`.
    func count(window: Int, upTo second: Int64) -> Int {
        var total = 0
        for past in second - Int64(min(window, Self.slots)) + 1...second {
            let slot = Self.slot(past)
            if seconds[slot] == past { total += Int(counts[slot]) }
        }
        return total
    }

    private static func slot(_ second: Int64) -> Int {
        Int((second % Int64(slots) + Int64(slots)) % Int64(slots))
    }
}
