/// CityHash64 as CatBoost hashes a category's text: Google's CityHash **1.0**, whose results differ from
/// later CityHash releases for texts over 64 bytes, so no other version will do. CatBoost keeps the low 32
/// bits (`CalcCatFeatureHash`) and never the text, so a category is known to a CatBoost model only by
/// this hash.
enum CityHash {
    private static let k0: UInt64 = 0xc3a5_c85c_97cb_3127
    private static let k1: UInt64 = 0xb492_b66f_be98_f273
    private static let k2: UInt64 = 0x9ae1_6a3b_2f90_404f
    private static let k3: UInt64 = 0xc949_d7c7_509e_6557

    /// CatBoost's hash of a category's text: the low 32 bits of CityHash64, as a signed integer.
    static func category(_ text: UnsafeBufferPointer<UInt8>) -> Int32 {
        Int32(truncatingIfNeeded: hash64(text))
    }

    static func hash64(_ s: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let length = s.count
        if length <= 32 { return length <= 16 ? length0to16(s) : length17to32(s) }
        if length <= 64 { return length33to64(s) }
        var x = fetch64(s, 0)
        var y = fetch64(s, length - 16) ^ k1
        var z = fetch64(s, length - 56) ^ k0
        var v = weakHash32(s, length - 64, UInt64(length), y)
        var w = weakHash32(s, length - 32, UInt64(length) &* k1, k0)
        z = z &+ shiftMix(v.1) &* k1
        x = rotate(z &+ x, 39) &* k1
        y = rotate(y, 33) &* k1
        var offset = 0
        var left = (length - 1) & ~63
        repeat {
            x = rotate(x &+ y &+ v.0 &+ fetch64(s, offset + 16), 37) &* k1
            y = rotate(y &+ v.1 &+ fetch64(s, offset + 48), 42) &* k1
            x ^= w.1
            y ^= v.0
            z = rotate(z ^ w.0, 33)
            v = weakHash32(s, offset, v.1 &* k1, x &+ w.0)
            w = weakHash32(s, offset + 32, z &+ w.1, y)
            swap(&z, &x)
            offset += 64
            left -= 64
        } while left != 0
        return hash16(hash16(v.0, w.0) &+ shiftMix(y) &* k1 &+ z, hash16(v.1, w.1) &+ x)
    }

    private static func fetch64(_ s: UnsafeBufferPointer<UInt8>, _ at: Int) -> UInt64 {
        var value: UInt64 = 0
        for k in 0..<8 { value |= UInt64(s[at + k]) << (8 * k) }
        return value
    }

    private static func fetch32(_ s: UnsafeBufferPointer<UInt8>, _ at: Int) -> UInt64 {
        var value: UInt64 = 0
        for k in 0..<4 { value |= UInt64(s[at + k]) << (8 * k) }
        return value
    }

    private static func rotate(_ value: UInt64, _ shift: UInt64) -> UInt64 {
        shift == 0 ? value : (value >> shift) | (value << (64 - shift))
    }

    private static func shiftMix(_ value: UInt64) -> UInt64 { value ^ (value >> 47) }

    private static func hash16(_ u: UInt64, _ v: UInt64) -> UInt64 {
        let multiplier: UInt64 = 0x9ddf_ea08_eb38_2d69
        var a = (u ^ v) &* multiplier
        a ^= a >> 47
        var b = (v ^ a) &* multiplier
        b ^= b >> 47
        return b &* multiplier
    }

    private static func length0to16(_ s: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let length = UInt64(s.count)
        if s.count > 8 {
            let a = fetch64(s, 0), b = fetch64(s, s.count - 8)
            // Rotate by the length, at least 1 here.
            return hash16(a, rotate(b &+ length, length)) ^ b
        }
        if s.count >= 4 {
            return hash16(length &+ (fetch32(s, 0) << 3), fetch32(s, s.count - 4))
        }
        if s.count > 0 {
            let a = UInt64(s[0]), b = UInt64(s[s.count >> 1]), c = UInt64(s[s.count - 1])
            let y = a &+ (b << 8), z = length &+ (c << 2)
            return shiftMix((y &* k2) ^ (z &* k3)) &* k2
        }
        return k2
    }

    private static func length17to32(_ s: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let length = UInt64(s.count)
        let a = fetch64(s, 0) &* k1, b = fetch64(s, 8)
        let c = fetch64(s, s.count - 8) &* k2, d = fetch64(s, s.count - 16) &* k0
        return hash16(rotate(a &- b, 43) &+ rotate(c, 30) &+ d, a &+ rotate(b ^ k3, 20) &- c &+ length)
    }

    private static func length33to64(_ s: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let length = s.count
        var z = fetch64(s, 24)
        var a = fetch64(s, 0) &+ (UInt64(length) &+ fetch64(s, length - 16)) &* k0
        var b = rotate(a &+ z, 52)
        var c = rotate(a, 37)
        a = a &+ fetch64(s, 8)
        c = c &+ rotate(a, 7)
        a = a &+ fetch64(s, 16)
        let vf = a &+ z, vs = b &+ rotate(a, 31) &+ c
        a = fetch64(s, 16) &+ fetch64(s, length - 32)
        z = fetch64(s, length - 8)
        b = rotate(a &+ z, 52)
        c = rotate(a, 37)
        a = a &+ fetch64(s, length - 24)
        c = c &+ rotate(a, 7)
        a = a &+ fetch64(s, length - 16)
        let wf = a &+ z, ws = b &+ rotate(a, 31) &+ c
        let r = shiftMix((vf &+ ws) &* k2 &+ (wf &+ vs) &* k0)
        return shiftMix(r &* k0 &+ vs) &* k2
    }

    private static func weakHash32(
        _ s: UnsafeBufferPointer<UInt8>, _ at: Int, _ seedA: UInt64, _ seedB: UInt64
    ) -> (UInt64, UInt64) {
        let w = fetch64(s, at), x = fetch64(s, at + 8), y = fetch64(s, at + 16), z = fetch64(s, at + 24)
        var a = seedA &+ w
        var b = rotate(seedB &+ a &+ z, 21)
        let c = a
        a = a &+ x
        a = a &+ y
        b = b &+ rotate(a, 44)
        return (a &+ z, b &+ c)
    }
}
