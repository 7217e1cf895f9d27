import Foundation
import Testing
@testable import SibylRuntime

/// Decimal conversion must equal a correctly rounded `strtod`, which Swift's `Double(String)` is.
@Suite struct DecimalNumberTests {
    func parse(_ text: String, grammar: DecimalNumber.Grammar = .json) -> Double? {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            guard let (value, end) = DecimalNumber.parse(buffer, from: 0, limit: buffer.count, grammar: grammar),
                  end == buffer.count else { return nil }
            return value
        }
    }

    /// SplitMix64, so that the random cases are the same on every run.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func shortestDoublesRoundTrip() {
        var generator = Generator(state: 42)
        var failures = 0
        for _ in 0..<50_000 {
            let value = Double(bitPattern: generator.next())
            guard value.isFinite else { continue }
            if parse(value.description)?.bitPattern != value.bitPattern { failures += 1 }
        }
        #expect(failures == 0)
    }

    @Test func floatsRoundTripThroughDouble() {
        var generator = Generator(state: 7)
        var failures = 0
        for _ in 0..<50_000 {
            let value = Float(bitPattern: UInt32(truncatingIfNeeded: generator.next()))
            guard value.isFinite else { continue }
            let back = parse(value.description).map(Float.init)
            if back?.bitPattern != value.bitPattern { failures += 1 }
            // Values as xgboost's test data writes them.
            let nineDigits = String(format: "%.9g", Double(value))
            if parse(nineDigits).map(Float.init)?.bitPattern != value.bitPattern { failures += 1 }
        }
        #expect(failures == 0)
    }

    @Test(arguments: [
        "0", "-0", "1", "0.1", "0.30000000000000004", "1e23", "8.98846567431158e307", "1.7976931348623157e308",
        "1.7976931348623159e308", "2.2250738585072011e-308", "2.2250738585072014e-308", "4.9406564584124654e-324",
        "2.4703282292062327e-324", "2.4703282292062328e-324", "9007199254740993", "9007199254740992.5",
        "123456789012345678901234567890", "0.000000000000000000000000000001", "1e400", "-1e400", "1e-400",
        "3.4028235677973366e38", "1.00000000000000011102230246251565404236316680908203125",
        "1.00000000000000011102230246251565404236316680908203124", "7.0e-10", "1E+2", "5e-1",
    ])
    func hardCasesMatchTheStandardLibrary(_ text: String) {
        let ours = parse(text)
        #expect(ours?.bitPattern == Double(text)?.bitPattern, "\(text)")
        if text.hasPrefix("-0") { #expect(ours?.sign == .minus) }
    }

    @Test func lenientGrammarTakesSpreadsheetForms() {
        #expect(parse("+1.5", grammar: .lenient) == 1.5)
        #expect(parse(".5", grammar: .lenient) == 0.5)
        #expect(parse("5.", grammar: .lenient) == 5)
        #expect(parse("007", grammar: .lenient) == 7)
        #expect(parse(".", grammar: .lenient) == nil)
        #expect(parse("+", grammar: .lenient) == nil)
        #expect(parse("+1.5") == nil)
        #expect(parse(".5") == nil)
    }
}
