import Testing
import SibylCore

@Suite struct IdentifierTests {
    @Test func madeIdentifiersAreWellFormed() {
        for prefix in [Identifier.key, Identifier.api, Identifier.model, Identifier.usageBatch] {
            #expect(Identifier.isWellFormed(Identifier.make(prefix), prefix: prefix))
        }
    }

    /// The prefix, an underscore and 16 characters of a–z and 2–7; anything else is not an identifier.
    @Test(arguments: [
        ("key_abcdefghijklmnop", true), ("key_234567abcdefghij", true), ("key_abcdefghijklmno", false),
        ("key_abcdefghijklmnopq", false), ("key-abcdefghijklmnop", false), ("api_abcdefghijklmnop", false),
        ("key_abcdefghijklmno1", false), ("key_abcdefghijklmno8", false), ("key_Abcdefghijklmnop", false),
        ("key_abcdefghijklmn_p", false), ("ke_yabcdefghijklmnop", false), ("", false),
    ])
    func aKeyIdIsWellFormedOnlyAsMade(_ text: String, _ wellFormed: Bool) {
        #expect(Identifier.isWellFormed(text, prefix: Identifier.key) == wellFormed)
        #expect(Identifier.isWellFormed(text[...], prefix: Identifier.key) == wellFormed)
    }
}

/// Identifiers made many times a second, and the draws made on every request.
@Suite struct SequentialIdentifierAndDrawTests {
    @Test func sequentialIdentifiersAreWellFormedAndUnique() {
        let ids = (0..<10_000).map { _ in Identifier.sequential(Identifier.capture) }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { Identifier.isWellFormed($0, prefix: "cap") })
        #expect(Set(ids.map { $0.prefix(12) }).count == 1)  // the process's random part
    }

    /// 100,000 buckets: each of the 100 within 6 standard deviations of 1,000, and percentages in range.
    @Test func drawsAreUniform() {
        var counts = [Int](repeating: 0, count: 100)
        for _ in 0..<100_000 { counts[Draw.bucket()] += 1 }
        #expect(counts.allSatisfy { (810...1_190).contains($0) }, "\(counts)")
        let percents = (0..<10_000).map { _ in Draw.percent() }
        #expect(percents.allSatisfy { (0..<100).contains($0) } && abs(percents.reduce(0, +) / 10_000 - 50) < 2)
    }
}
