import SibylCore
import Testing
@testable import SibylRuntime

@Suite struct JSONReaderTests {
    func parse(_ text: String) throws(SibylError) -> JSONValue {
        try JSONValue.parse(Array(text.utf8))
    }

    func parseError(_ bytes: [UInt8]) -> SibylError? {
        do {
            _ = try JSONValue.parse(bytes)
            return nil
        } catch {
            return error
        }
    }

    func validationError(_ bytes: [UInt8]) -> SibylError? {
        bytes.withUnsafeBufferPointer { buffer -> SibylError? in
            Result { () throws(SibylError) in try JSONReader.validate(buffer) }.failure
        }
    }

    @Test func readsEveryKindOfValue() throws {
        let value = try parse(#" { "a" : [1, -2.5e3, true, false, null, "x"], "b": {}, "c": [] } "#)
        #expect(value == .object([
            "a": .array([.number(1), .number(-2500), .bool(true), .bool(false), .null, .string("x")]),
            "b": .object([:]),
            "c": .array([]),
        ]))
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try parse(#""a\"b\\c\/d\b\f\n\r\t\u00e9\u20AC\ud83d\ude00 plain é""#)
        #expect(value == .string("a\"b\\c/d\u{8}\u{C}\n\r\té€😀 plain é"))
    }

    @Test(arguments: [
        #""\ud800""#, #""\ud800\u0041""#, #""\udc00""#, #""\x""#, #""\u12""#, #""\u12G4""#, "\"a\u{1}b\"", #""abc"#,
    ])
    func rejectsBadStrings(_ text: String) {
        let error = parseError(Array(text.utf8))
        #expect(error?.code == .malformedBody)
        #expect(error?.message.contains("at byte") == true)
    }

    @Test(arguments: [
        [0x22, 0xC0, 0x80, 0x22],             // overlong encoding
        [0x22, 0xED, 0xA0, 0x80, 0x22],       // encoded surrogate
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], // above U+10FFFF
        [0x22, 0xE2, 0x82, 0x22],             // truncated sequence
        [0x22, 0xFF, 0x22],                   // never valid
        [0xEF, 0xBB, 0xBF, 0x7B, 0x7D],       // byte-order mark before {}
    ] as [[UInt8]])
    func rejectsInvalidUTF8AndBOM(_ bytes: [UInt8]) {
        #expect(parseError(bytes)?.code == .malformedBody)
    }

    @Test(arguments: [
        "01", "1.", ".5", "-", "+1", "1e", "1e+", "NaN", "Infinity", "-Infinity", "0x10", "1.e5", "--1", "tru", "nul",
        "[1,]", "[1 2]", "{\"a\" 1}", "{\"a\":1,}", "{a:1}", "[1]]", "", "   ", "[", "{\"a\":1} x",
    ])
    func rejectsInvalidSyntax(_ text: String) {
        let error = parseError(Array(text.utf8))
        #expect(error?.code == .malformedBody, "\(text)")
    }

    @Test func reportsTheByteOffset() {
        #expect(parseError(Array("[1, 2, x]".utf8))?.message == "unexpected 'x', expected a value, at byte 7")
        #expect(parseError(Array("[1, 2".utf8))?.message == "unexpected end of input, expected ',' or ']', at byte 5")
    }

    @Test func limitsNesting() throws {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        _ = try parse(ok)
        let tooDeep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(parseError(Array(tooDeep.utf8))?.message.contains("nesting deeper than 64") == true)
        let hostile = Array(String(repeating: "[{\"a\":", count: 10_000).utf8)
        #expect(parseError(hostile)?.code == .malformedBody)
        #expect(validationError(hostile)?.message.contains("nesting deeper than 64") == true)
    }

    @Test func takesASmallerDepthLimit() {
        let bytes: [UInt8] = Array("[[[1]]]".utf8)
        let error = bytes.withUnsafeBufferPointer { buffer -> SibylError? in
            var reader = JSONReader(buffer, maxDepth: 2)
            return Result { () throws(SibylError) in try reader.skipValue() }.failure
        }
        #expect(error?.message == "nesting deeper than 2 levels at byte 2")
    }

    @Test func rejectsDuplicateKeys() {
        #expect(parseError(Array(#"{"a":1,"a":2}"#.utf8))?.message.contains("duplicate key \"a\"") == true)
    }

    @Test func skipsAndValidatesWithoutATree() {
        #expect(validationError(Array(#" {"a":[1,{"b":[[],{}]},"s\u0041",null,true,-0.5e-3],"c":{}} "#.utf8)) == nil)
        #expect(validationError(Array(#"{"a":[1,{"b":[[],{}]},"s",null,true,-0.5e-3],"c":{},}"#.utf8)) != nil)
        #expect(validationError(Array("[1] [2]".utf8)) != nil)
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { error } else { nil }
    }
}
