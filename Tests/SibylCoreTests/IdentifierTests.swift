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
