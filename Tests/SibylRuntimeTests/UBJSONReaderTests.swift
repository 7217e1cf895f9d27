import SibylCore
import Testing
@testable import SibylRuntime

/// The UBJSON reader on every construct of the draft it accepts; hostile inputs are in HostileModelTests.
@Suite struct UBJSONReaderTests {
    func parse(_ parts: [UInt8]...) throws(SibylError) -> JSONValue {
        try UBJSONReader.parse(parts.flatMap { $0 })
    }

    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func readsEveryScalar() throws {
        #expect(try parse(bytes("Z")) == .null)
        #expect(try parse(bytes("T")) == .bool(true))
        #expect(try parse(bytes("F")) == .bool(false))
        #expect(try parse(bytes("i"), [0xFE]) == .number(-2))
        #expect(try parse(bytes("U"), [0xFE]) == .number(254))
        #expect(try parse(bytes("I"), [0x80, 0x00]) == .number(-32768))
        #expect(try parse(bytes("l"), UBJSONWriter.bigEndian(Int32(-100_000))) == .number(-100_000))
        #expect(try parse(bytes("L"), UBJSONWriter.bigEndian(Int64(1) << 40)) == .number(1_099_511_627_776))
        #expect(try parse(bytes("d"), UBJSONWriter.bigEndian(Float(0.1).bitPattern)) == .number(Double(Float(0.1))))
        #expect(try parse(bytes("D"), UBJSONWriter.bigEndian(0.1.bitPattern)) == .number(0.1))
        #expect(try parse(bytes("HU"), [5], bytes("-1e-3")) == .number(-0.001))
        #expect(try parse(bytes("Cx")) == .string("x"))
        #expect(try parse(bytes("Si"), [3], bytes("hé")) == .string("hé"))
        #expect(try parse(bytes("SU"), [0]) == .string(""))
    }

    @Test func readsTypedArraysOfEveryWidth() throws {
        #expect(try parse(bytes("[$i#U"), [3, 0xFF, 0, 1]) == .array([.number(-1), .number(0), .number(1)]))
        #expect(try parse(bytes("[$U#i"), [2, 0, 1]) == .array([.number(0), .number(1)]))
        #expect(try parse(bytes("[$l#L"), UBJSONWriter.bigEndian(Int64(1)), UBJSONWriter.bigEndian(Int32(-7)))
            == .array([.number(-7)]))
        #expect(try parse(bytes("[$L#U"), [1], UBJSONWriter.bigEndian(Int64(-1))) == .array([.number(-1)]))
        #expect(try parse(bytes("[$d#U"), [2], UBJSONWriter.bigEndian(Float(1.5).bitPattern),
                          UBJSONWriter.bigEndian(Float(-2).bitPattern)) == .array([.number(1.5), .number(-2)]))
        #expect(try parse(bytes("[$S#U"), [2], bytes("U"), [1], bytes("aU"), [0]) == .array([.string("a"), .string("")]))
        #expect(try parse(bytes("[$[#U"), [2], bytes("]#U"), [0]) == .array([.array([]), .array([])]))
        #expect(try parse(bytes("[$d#U"), [0]) == .array([]))
    }

    @Test func readsCountedAndOpenContainers() throws {
        let expected = JSONValue.object(["a": .array([.bool(true), .null]), "b": .object([:])])
        #expect(try parse(bytes("{U"), [1], bytes("a[TZ]U"), [1], bytes("b{}}")) == expected)
        #expect(try parse(bytes("{#U"), [2], bytes("U"), [1], bytes("a[#U"), [2], bytes("TZU"), [1], bytes("b{#U"), [0]) == expected)
        // No-ops may stand between the elements of open containers.
        #expect(try parse(bytes("[NTNN]")) == .array([.bool(true)]))
        #expect(try parse(bytes("{$U#U"), [2], bytes("U"), [1], bytes("x"), [7], bytes("U"), [1], bytes("y"), [8])
            == .object(["x": .number(7), "y": .number(8)]))
    }

    @Test func readsXGBoostsOwnFile() throws {
        let json = try JSONValue.parse(Fixtures.bytes("xgb_small_binary/model.json"))
        let ubj = try UBJSONReader.parse(Fixtures.bytes("xgb_small_binary/model.ubj"))
        let fromJSON = try ModelField(root: json).member("learner"), fromUBJ = try ModelField(root: ubj).member("learner")
        #expect(try fromJSON.member("learner_model_param").value == fromUBJ.member("learner_model_param").value)
        let path = ["gradient_booster", "model", "trees"]
        var jsonTrees = fromJSON, ubjTrees = fromUBJ
        for key in path {
            jsonTrees = try jsonTrees.member(key)
            ubjTrees = try ubjTrees.member(key)
        }
        for (a, b) in zip(try jsonTrees.elements(), try ubjTrees.elements()) {
            #expect(try a.member("split_conditions").floats() == b.member("split_conditions").floats())
            #expect(try a.member("left_children").integers() == b.member("left_children").integers())
            #expect(try a.member("default_left").flags() == b.member("default_left").flags())
        }
    }

    @Test func reportsTheByteOffset() {
        #expect(throws: SibylError(.malformedBody, "unexpected end of input at byte 3")) { try parse(bytes("[TT")) }
        #expect(throws: SibylError(.malformedBody, "unexpected 'Q', expected a value marker, at byte 2")) {
            try parse(bytes("[TQ]"))
        }
    }
}
