import SibylCore
import Testing
@testable import SibylRuntime

/// A model file's arrays of numbers are read into one buffer each (`NumberArray`), not a value per number,
/// and give back every number exactly as a value of its own did.
@Suite struct ModelDocumentTests {
    /// Doubles that each push a packed array to a wider buffer, or must keep every bit.
    static let awkward: [Double] = [
        0, 1, -7, 2_147_483_647, -2_147_483_648, 16_777_216, 0.5, -0.0, 16_777_217, 0.1, 1e300, -.leastNonzeroMagnitude,
        2_147_483_648, 9_007_199_254_740_992, .infinity, .nan,
    ]

    @Test func numbersKeepEveryBitWhicheverBufferHoldsThem() {
        // Every prefix and every suffix: each starts in some buffer and widens at a different element.
        for start in Self.awkward.indices {
            for values in [Array(Self.awkward[start...]), Array(Self.awkward[...start])] {
                var numbers = NumberArray()
                for value in values { numbers.append(value) }
                #expect(numbers.count == values.count)
                #expect((0..<numbers.count).map { numbers[$0].bitPattern } == values.map(\.bitPattern))
            }
        }
        #expect(NumberArray(float32s: [1.5, -0.0])[1].bitPattern == (-0.0 as Double).bitPattern)
        var integers = NumberArray(int32s: [.min, 3])
        integers.append(0.25)
        #expect((0..<3).map { integers[$0] } == [-2_147_483_648, 3, 0.25])
    }

    @Test func modelDocumentsPackArraysOfNumbersAndOnlyThose() throws {
        let text = #"{"a":[1,2.5,-3],"b":[1,"x",2],"c":[],"d":[[1],{"e":[true]}],"f":7}"#
        for document in [
            try JSONReader.parse(Array(text.utf8), as: ModelValue.self),
            try UBJSONReader.parse(UBJSONWriter.encode(JSONValue.parse(Array(text.utf8))), as: ModelValue.self),
        ] {
            let root = ModelField(root: document)
            guard case .numbers(let a) = try root.member("a").value else { Issue.record("a is not packed"); continue }
            #expect((0..<a.count).map { a[$0] } == [1, 2.5, -3])
            #expect(try root.member("b").value == .array([.number(1), .string("x"), .number(2)]))
            #expect(try root.member("c").value == .array([]))
            guard case .array(let d) = try root.member("d").value, case .numbers = d.first else {
                Issue.record("d[0] is not packed")
                continue
            }
            #expect(try root.member("f").value == .number(7))
        }
        // Request bodies keep a value per number.
        #expect(try JSONValue.parse(Array(#"[1,2]"#.utf8)) == .array([.number(1), .number(2)]))
    }

    @Test func packedArraysReadAsTheyDidAsValues() throws {
        let text = #"{"i":[0,1,-1,4294967296],"j":[1,1.5],"f":[0.1,1e39],"b":[0,1,2]}"#
        let packed = ModelField(root: try JSONReader.parse(Array(text.utf8), as: ModelValue.self))
        #expect(try packed.member("i").integers() == [0, 1, -1, 4_294_967_296])
        #expect(throws: SibylError(.invalidModel, "j: element 1 is not an integer")) { try packed.member("j").integers() }
        #expect(throws: SibylError(.invalidModel, "f: element 1 is not a finite float32 number")) { try packed.member("f").floats() }
        #expect(throws: SibylError(.invalidModel, "b: element 2 is not a boolean or 0/1")) { try packed.member("b").flags() }
        #expect(try packed.member("b").elements()[2].path == "b[2]")
        #expect(throws: SibylError(.invalidModel, "b[1]: expected a string")) { try packed.member("b").elements()[1].string() }
    }
}
