import SibylCore
import SibylWire
import Testing

/// The multipart reader: forms as browsers and curl send them, RFC 2046's boundary grammar, and a cost
/// linear in the body whatever the sender chooses.
@Suite struct MultipartTests {
    static func malformed(_ reason: String) -> SibylError {
        SibylError(.malformedBody, "the multipart body is not well-formed: \(reason)")
    }

    static let badBoundary = SibylError(
        .malformedBody, "the multipart boundary must be 1 to 70 characters: letters, digits, '()+_,-./:=? and inner spaces")

    @Test func readsAFormAsBrowsersSendIt() throws {
        let body = Array(
            ("preamble to ignore\r\n"
                + "--XyZ\r\nContent-Disposition: form-data; filename=\"name=x\"; name=\"file\"\r\nContent-Type: text/plain\r\n\r\nline 1\r\nline 2\r\n"
                + "--XyZ  \r\ncontent-disposition: FORM-DATA; NAME=\"say \\\"hi\\\"\"\r\n\r\n\r\n"
                + "--XyZ\r\n\r\na part without headers is skipped\r\n"
                + "--XyZ\r\nContent-Disposition: form-data; name=plain\r\n\r\na\r\n-XyZ\r\n"
                + "--XyZ--\r\nepilogue to ignore").utf8)
        let parts = try Multipart.parts(body, boundary: "XyZ")
        #expect(parts.mapValues { String(decoding: $0, as: UTF8.self) } == ["file": "line 1\r\nline 2", "say \"hi\"": "", "plain": "a\r\n-XyZ"])
    }

    @Test func theBoundaryComesFromTheMediaType() {
        #expect(Multipart.boundary(ofContentType: "multipart/form-data; boundary=abc") == "abc")
        #expect(Multipart.boundary(ofContentType: "Multipart/Form-Data;charset=utf-8; boundary=\"a b:c\"") == "a b:c")
        #expect(Multipart.boundary(ofContentType: "multipart/form-data") == "")
        #expect(Multipart.boundary(ofContentType: "application/json; boundary=abc") == nil)
    }

    /// 1 to 70 characters of RFC 2046's set, not ending in a space; anything else is refused before the
    /// body is looked at.
    @Test func theBoundaryFollowsRFC2046() throws {
        let longest = String(String(repeating: "'()+_,-./:=? aZ9", count: 5).prefix(69)) + "x"
        #expect(longest.count == 70)
        let form = { (boundary: String) in Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--\(boundary)--".utf8) }
        #expect(try Multipart.parts(form(longest), boundary: longest) == ["a": Array("1".utf8)])
        for boundary in [longest + "y", "", "a;b", "a\"b", "a@b", "tab\there", "ends in space ", "é", String(repeating: "a", count: 70_000)] {
            #expect(throws: Self.badBoundary, "\(boundary.prefix(20))") { try Multipart.parts(form(boundary), boundary: boundary) }
        }
        // A multipart media type without a boundary is a malformed body, not a body of another kind.
        #expect(throws: Self.badBoundary) { try Multipart.parts(form("x"), boundary: Multipart.boundary(ofContentType: "multipart/form-data")!) }
    }

    @Test func brokenBodiesAreRefusedWithTheirReason() throws {
        let cases: [(String, String)] = [
            ("no boundary here", "no boundary"),
            ("--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1", "no closing boundary"),
            ("--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--B\r\n", "no closing boundary"),
            ("--Bx\r\n\r\n\r\n--B--", "a boundary line does not end in CRLF"),
            ("--B\r\n--B--", "a part is missing between two boundaries"),
            ("--B\r\nContent-Disposition: form-data; name=\"a\"\r\n--B--", "a part's headers do not end in an empty line"),
        ]
        for (body, reason) in cases {
            #expect(throws: Self.malformed(reason), "\(body)") { try Multipart.parts(Array(body.utf8), boundary: "B") }
        }
        // An empty part (no headers, no content) is allowed, and names nothing.
        #expect(try Multipart.parts(Array("--B\r\n\r\n--B--".utf8), boundary: "B") == [:])
    }

    /// The worst cases for a search that compares the boundary at every byte (issue 14: 7 s for 256 KB with a
    /// 70,000-character boundary, which the grammar now refuses): a body of dashes for a boundary of dashes
    /// but its last character, so that every byte starts a match that fails late, and a body of nothing but
    /// near-delimiters; each 256 KB with the longest boundary.
    @Test func aHostileBodyCostsTimeLinearInItsSize() throws {
        let nearMiss = "\r\n--" + String(repeating: "a", count: 69) + "b"
        let bodies: [(body: [UInt8], boundary: String)] = [
            ([UInt8](repeating: UInt8(ascii: "-"), count: 256 << 10), String(repeating: "-", count: 69) + "a"),
            (Array(String(repeating: nearMiss, count: (256 << 10) / nearMiss.utf8.count).utf8), String(repeating: "a", count: 70)),
        ]
        for (body, boundary) in bodies {
            var error: SibylError?
            let elapsed = ContinuousClock().measure {
                do throws(SibylError) { _ = try Multipart.parts(body, boundary: boundary) } catch let thrown { error = thrown }
            }
            #expect(error == Self.malformed("no boundary"))
            #expect(elapsed < .milliseconds(100), "\(elapsed) for \(body.count) bytes")
        }
        // As many parts as fit: each is read once.
        let part = "--B\r\nContent-Disposition: form-data; name=\"p\"\r\n\r\nx\r\n"
        let many = Array((String(repeating: part, count: (256 << 10) / part.utf8.count) + "--B--").utf8)
        var parts: [String: [UInt8]] = [:]
        let elapsed = try ContinuousClock().measure { parts = try Multipart.parts(many, boundary: "B") }
        #expect(parts == ["p": Array("x".utf8)])
        #expect(elapsed < .milliseconds(100), "\(elapsed) for \(many.count) bytes")
    }
}
