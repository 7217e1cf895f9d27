#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Scans a decimal number in bytes and converts it to the nearest `Double`, as `strtod` does.
///
/// Request bodies are mostly numbers, so the common case avoids the C library: a number with at most
/// 19 significant digits whose value and power of ten are both exactly representable is computed with
/// one correctly rounded multiplication or division (Clinger's fast path). Every other number goes to
/// `strtod`, which rounds correctly, on a NUL-terminated copy of the token.
enum DecimalNumber {
    /// How permissive the grammar is.
    enum Grammar {
        /// RFC 8259: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
        case json
        /// JSON plus a leading `+`, leading zeros, and a bare `.5` or `5.`, as spreadsheets write them.
        case lenient
    }

    /// Parses the number that starts at `start` and ends at or before `limit`.
    ///
    /// Returns the value and the index just past the number, or nil when the bytes there are not a number
    /// in `grammar`. The caller decides what may follow the number.
    static func parse(
        _ bytes: UnsafeBufferPointer<UInt8>, from start: Int, limit: Int, grammar: Grammar
    ) -> (value: Double, end: Int)? {
        var i = start
        var negative = false
        if i < limit, bytes[i] == UInt8(ascii: "-") || (grammar == .lenient && bytes[i] == UInt8(ascii: "+")) {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }

        // Up to 19 significant digits fit a UInt64; later digits only shift the exponent or mark the
        // mantissa inexact, which sends the number to strtod.
        var mantissa: UInt64 = 0
        var significantDigits = 0
        var exponent = 0
        var inexact = false

        let integerStart = i
        while i < limit, bytes[i] &- UInt8(ascii: "0") < 10 {
            let digit = UInt64(bytes[i] &- UInt8(ascii: "0"))
            if significantDigits < 19 {
                mantissa = mantissa &* 10 &+ digit
                if mantissa != 0 { significantDigits += 1 }
            } else {
                exponent += 1
                if digit != 0 { inexact = true }
            }
            i += 1
        }
        let integerDigits = i - integerStart
        if grammar == .json {
            if integerDigits == 0 { return nil }
            if integerDigits > 1 && bytes[integerStart] == UInt8(ascii: "0") { return nil }
        }

        var fractionDigits = 0
        if i < limit, bytes[i] == UInt8(ascii: ".") {
            i += 1
            let fractionStart = i
            while i < limit, bytes[i] &- UInt8(ascii: "0") < 10 {
                let digit = UInt64(bytes[i] &- UInt8(ascii: "0"))
                if significantDigits < 19 {
                    mantissa = mantissa &* 10 &+ digit
                    if mantissa != 0 { significantDigits += 1 }
                    exponent -= 1
                } else if digit != 0 {
                    inexact = true
                }
                i += 1
            }
            fractionDigits = i - fractionStart
            if grammar == .json && fractionDigits == 0 { return nil }
        }
        if integerDigits == 0 && fractionDigits == 0 { return nil }

        if i < limit, bytes[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var exponentNegative = false
            if i < limit, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
                exponentNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            let exponentStart = i
            var written = 0
            while i < limit, bytes[i] &- UInt8(ascii: "0") < 10 {
                // Saturate: any exponent this large already means overflow or zero.
                if written < 100_000 { written = written * 10 + Int(bytes[i] &- UInt8(ascii: "0")) }
                i += 1
            }
            if i == exponentStart { return nil }
            exponent += exponentNegative ? -written : written
        }

        if mantissa == 0 && !inexact {
            return (negative ? -0.0 : 0.0, i)
        }
        if !inexact && mantissa <= 1 << 53 && exponent >= -22 && exponent <= 22 {
            // Both operands are exact doubles, so IEEE rounding of the one operation is the correct result.
            var value = Double(mantissa)
            value = exponent < 0 ? value / powersOfTen[-exponent] : value * powersOfTen[exponent]
            return (negative ? -value : value, i)
        }
        return (slowPath(bytes, from: start, to: i), i)
    }

    /// The powers of ten that a double holds exactly.
    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// Converts a token the scanner accepted with `strtod`.
    ///
    /// strtod follows the C locale's decimal point, which is `.` unless the process called `setlocale`;
    /// if it stops early the standard library's locale-independent parser decides instead.
    private static func slowPath(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Double {
        let length = end - start
        let token = UnsafeBufferPointer(rebasing: bytes[start..<end])
        let parsed: Double? = withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { buffer in
            for k in 0..<length { buffer[k] = CChar(bitPattern: token[k]) }
            buffer[length] = 0
            var stop: UnsafeMutablePointer<CChar>?
            let value = strtod(buffer.baseAddress!, &stop)
            return stop == buffer.baseAddress! + length ? value : nil
        }
        if let parsed { return parsed }
        // The lenient grammar's forms (`+1`, `.5`, `5.`) are all ones Swift's parser reads too.
        return Double(String(decoding: token, as: UTF8.self)) ?? .nan
    }
}
