import Synchronization

/// Cheap random draws for choices made on every request (which version answers, whether a request is
/// captured): SplitMix64 over one atomic counter, seeded once from the system's generator. Not for secrets;
/// the system's generator costs a system call a draw, which a request's hot path should not pay.
public enum Draw {
    private static let state = Atomic<UInt64>(UInt64.random(in: .min ... .max))

    /// A uniformly distributed 64-bit value.
    public static func next() -> UInt64 {
        var z = state.wrappingAdd(0x9E37_79B9_7F4A_7C15, ordering: .relaxed).newValue
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A bucket from 0 to 99.
    public static func bucket() -> Int { Int(next() % 100) }

    /// A percentage in 0 ..< 100, to 53 bits.
    public static func percent() -> Double { Double(next() >> 11) * 0x1p-53 * 100 }
}
