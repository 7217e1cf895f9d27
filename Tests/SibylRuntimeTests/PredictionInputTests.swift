import SibylCore
import Testing
@testable import SibylRuntime

@Suite struct PredictionInputTests {
    static let schema = ModelSchema(
        format: .xgboostJSON, task: .binary, objective: "binary:logistic",
        featureNames: ["a", "b", "c"], classes: ["0", "1"], treeCount: 1)

    func decode(_ body: String, _ mediaType: String = "application/json", maxRows: Int = 100) throws(SibylError) -> FeatureMatrix {
        try PredictionInput.decode(Array(body.utf8), mediaType: mediaType, schema: Self.schema, limits: InputLimits(maxRows: maxRows, maxCells: 1 << 22))
    }

    func failure(_ body: [UInt8], _ mediaType: String = "application/json", maxRows: Int = 100) -> SibylError? {
        Result { () throws(SibylError) in
            try PredictionInput.decode(body, mediaType: mediaType, schema: Self.schema, limits: InputLimits(maxRows: maxRows, maxCells: 1 << 22))
        }.failure
    }

    func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

    // MARK: Equivalence

    @Test func recordsRowsAndCSVGiveTheSameMatrix() throws {
        let (header, rows) = try Fixtures.inputs(nan: true)
        let sample = Array(rows.prefix(200))
        let text = String(decoding: try Fixtures.bytes("data/X_test_nan.csv"), as: UTF8.self)
        let csvLines = text.split(whereSeparator: \.isNewline).prefix(sample.count + 1)
        let model = try CompiledModel.load(Fixtures.bytes("xgb_binary/model.json"), format: nil)
        let expected = bits(sample.flatMap { $0 })

        // Records: missing values left out in even rows and written null in odd ones.
        let records = sample.enumerated().map { index, row in
            "{" + zip(header, row).compactMap { name, value in
                value.isNaN ? (index.isMultiple(of: 2) ? nil : "\"\(name)\":null") : "\"\(name)\":\(value)"
            }.joined(separator: ",") + "}"
        }
        let recordsBody = #"{"records":["# + records.joined(separator: ",") + "]}"
        let fromRecords = try PredictionInput.decode(Array(recordsBody.utf8), mediaType: "application/json", features: model.features, limits: InputLimits(maxRows: 1000, maxCells: 1 << 22))

        let rowsBody = #" { "rows" : [ "# + sample.map { row in
            "[" + row.map { $0.isNaN ? "null" : "\($0)" }.joined(separator: ", ") + "]"
        }.joined(separator: ",\n") + "] }\n"
        let fromRows = try PredictionInput.decode(Array(rowsBody.utf8), mediaType: "application/json; charset=utf-8", features: model.features, limits: InputLimits(maxRows: 1000, maxCells: 1 << 22))

        // CSV: the fixture's own %.9g text, with its columns reversed and CRLF line ends.
        let csvBody = csvLines.map { line in
            line.split(separator: ",", omittingEmptySubsequences: false).reversed().joined(separator: ",")
        }.joined(separator: "\r\n")
        let fromCSV = try PredictionInput.decode(Array(csvBody.utf8), mediaType: "text/csv", features: model.features, limits: InputLimits(maxRows: 1000, maxCells: 1 << 22))

        for matrix in [fromRecords, fromRows, fromCSV] {
            #expect(matrix.rows == sample.count)
            #expect(matrix.columns == 30)
            #expect(bits(matrix.values) == expected)
        }
    }

    /// A feature with no key or column is absent; one given as null or an empty cell is missing, not absent.
    @Test func absentFeaturesAreToldApartFromMissingValues() throws {
        #expect(try decode(#"{"records": [{"a": 1, "b": null, "c": 2}]}"#).absentColumns == [])
        #expect(try decode(#"{"records": [{"a": 1, "b": null}, {"c": 2, "b": 1}]}"#).absentColumns == [0, 2])
        #expect(try decode(#"{"records": [{}, {"a": 1, "b": 2, "c": 3}]}"#).absentColumns == [0, 1, 2])
        #expect(try decode(#"{"rows": [[1, null, 2]]}"#).absentColumns == [])
        #expect(try decode("c,a\n1,\n", "text/csv").absentColumns == [1])
        #expect(try decode("a,b,c\n,,\n", "text/csv").absentColumns == [])
    }

    @Test func numbersRoundTripExactly() throws {
        var generator = DecimalNumberTests.Generator(state: 99)
        var doubles: [Double] = []
        while doubles.count < 3000 {
            let value = Double(bitPattern: generator.next())
            if value.isFinite && abs(value) < Double(Float.greatestFiniteMagnitude) { doubles.append(value) }
        }
        let floats = doubles.map { Float(bitPattern: UInt32(truncatingIfNeeded: $0.bitPattern)) }.map { $0.isFinite ? $0 : 1 }
        let doubleBody = #"{"rows":["# + stride(from: 0, to: 3000, by: 3).map { "[\(doubles[$0]),\(doubles[$0 + 1]),\(doubles[$0 + 2])]" }.joined(separator: ",") + "]}"
        #expect(bits(try decode(doubleBody, maxRows: 1000).values) == bits(doubles.map(Float.init)))
        let floatBody = #"{"rows":["# + stride(from: 0, to: 3000, by: 3).map { "[\(floats[$0]),\(floats[$0 + 1]),\(floats[$0 + 2])]" }.joined(separator: ",") + "]}"
        #expect(bits(try decode(floatBody, maxRows: 1000).values) == bits(floats))
        let csvBody = "a,b,c\n" + stride(from: 0, to: 3000, by: 3).map { "\(floats[$0]),\(floats[$0 + 1]),\(floats[$0 + 2])" }.joined(separator: "\n")
        #expect(bits(try decode(csvBody, "text/csv", maxRows: 1000).values) == bits(floats))
    }

    @Test func acceptsEscapedKeysQuotedCellsAndSpreadsheetNumbers() throws {
        let json = try decode(#"{"r\u0065cords":[{"\u0061":-0.0,"c":1E2}]}"#)
        #expect(bits(json.values) == bits([-0.0, .nan, 100]))
        let unknown = failure(Array(#"{"records":[{"\u0061\u00e9":1}]}"#.utf8))
        #expect(unknown?.message == #"records[0]: unknown feature "aé""#)
        let csv = try decode("\u{FEFF}\"c\", b ,\"a\"\n\n\"1.5\", +2 ,.5\n\"\",,\n", "Text/CSV; charset=\"UTF-8\"")
        #expect(bits(csv.values) == bits([0.5, 2, 1.5, .nan, .nan, .nan]))
        // The same text as cells, for answers that repeat them: the same reading, quotes and spaces undone.
        #expect(try CSVRecords.read(Array("\u{FEFF}\"c\", b ,\"a\"\n\n\"1.5\", +2 ,.5\n\"\",,\n".utf8)) == [["c", "b", "a"], ["1.5", "+2", ".5"], ["", "", ""]])
        #expect(try CSVRecords.read(Array("id,\"say \"\"hi\"\", then\"\r\nx,\"a\nb\"\ry,z".utf8)) == [["id", "say \"hi\", then"], ["x", "a\nb"], ["y", "z"]])
    }

    // MARK: Errors

    struct Bad: CustomTestStringConvertible, Sendable {
        var body: [UInt8]
        var mediaType = "application/json"
        var code: SibylError.Code
        var message: String
        var maxRows = 100
        var testDescription: String { String(decoding: body.prefix(60), as: UTF8.self) }

        init(_ body: String, _ code: SibylError.Code, _ message: String, type mediaType: String = "application/json", maxRows: Int = 100) {
            self.init(bytes: Array(body.utf8), code, message, type: mediaType, maxRows: maxRows)
        }

        init(bytes: [UInt8], _ code: SibylError.Code, _ message: String, type mediaType: String = "application/json", maxRows: Int = 100) {
            self.body = bytes
            self.mediaType = mediaType
            self.code = code
            self.message = message
            self.maxRows = maxRows
        }
    }

    static let badBodies: [Bad] = [
        // Shape errors name the record or row and the feature.
        Bad(#"{"records":[{"a":1},{"b":2},{"foo":1}]}"#, .invalidInput, #"records[2]: unknown feature "foo""#),
        Bad(#"{"records":[{"a":"1"}]}"#, .invalidInput, #"records[0]: feature "a" is a number, not the text "1""#),
        Bad(#"{"records":[{"b":true}]}"#, .invalidInput, #"records[0]: feature "b" must be a number or null, not a boolean"#),
        Bad(#"{"records":[{"c":{}}]}"#, .invalidInput, #"records[0]: feature "c" must be a number or null, not an object"#),
        Bad(#"{"records":[{"c":[1]}]}"#, .invalidInput, #"records[0]: feature "c" must be a number or null, not an array"#),
        Bad(#"{"records":[{"a":1e400}]}"#, .invalidInput, #"records[0]: feature "a": 1e400 is outside the float32 range"#),
        Bad(#"{"records":[{"a":-1e39}]}"#, .invalidInput, "is outside the float32 range"),
        Bad(#"{"records":[{"a":1,"a":2}]}"#, .invalidInput, #"records[0]: duplicate feature "a""#),
        Bad(#"{"records":[1]}"#, .invalidInput, "records[0]: expected an object"),
        Bad(#"{"records":{}}"#, .invalidInput, #""records" must be an array of objects"#),
        Bad(#"{"records":[]}"#, .invalidInput, #""records" is empty"#),
        Bad(#"{"rows":[]}"#, .invalidInput, #""rows" is empty"#),
        Bad(#"{"rows":[[1,2,3],[1,2,3],[1,2,3],[1,2]]}"#, .invalidInput, "rows[3]: expected 3 values, got 2"),
        Bad(#"{"rows":[[1,2,3,[4]]]}"#, .invalidInput, "rows[0]: expected 3 values, got 4"),
        Bad(#"{"rows":[[1,"x",3]]}"#, .invalidInput, #"rows[0][1] (feature "b") is a number, not the text "x""#),
        Bad(#"{"rows":[{"a":1}]}"#, .invalidInput, "rows[0]: expected an array"),
        Bad(#"{"records":[{"a":1}],"rows":[[1,2,3]]}"#, .invalidInput, #"exactly one of "records" or "rows""#),
        Bad(#"{"rows":[[1,2,3]],"extra":1}"#, .invalidInput, #"unknown key "extra""#),
        Bad(#"{}"#, .invalidInput, #"must have "records" or "rows""#),
        Bad(#"[[1,2,3]]"#, .invalidInput, "must be a JSON object"),
        Bad(#"{"rows":[[1,2,3],[4,5,6],[7,8,9]]}"#, .tooManyRows, "more than 2 rows", maxRows: 2),
        Bad(#"{"records":[{},{},{}]}"#, .tooManyRows, "more than 2 rows", maxRows: 2),
        // Syntax errors, which outrank any shape error met before them.
        Bad(#"{"records":[{"a":1}"#, .malformedBody, "unexpected end of input"),
        Bad(#"{"records":[{"a":1},]}"#, .malformedBody, "at byte 20"),
        Bad(#"{"rows":[[NaN,1,2]]}"#, .malformedBody, "at byte 10"),
        Bad(#"{"rows":[[1,Infinity,2]]}"#, .malformedBody, "at byte"),
        Bad(#"{"rows":[[1,-Infinity,2]]}"#, .malformedBody, "invalid number at byte 12"),
        Bad(#"{"rows":[[01,2,3]]}"#, .malformedBody, "at byte"),
        Bad(#"{"foo":1, "#, .malformedBody, "unexpected end of input"),
        Bad(#"{"records":[{"zz":1}]} trailing"#, .malformedBody, "at byte 23"),
        Bad(#"{"rows":"# + String(repeating: "[", count: 100), .malformedBody, "nesting deeper than 64"),
        Bad(bytes: [0xEF, 0xBB, 0xBF] + Array(#"{"rows":[[1,2,3]]}"#.utf8), .malformedBody, "at byte 0"),
        Bad(bytes: Array(#"{"records":[{""#.utf8) + [0xC3, 0x28] + Array(#"":1}]}"#.utf8), .malformedBody, "invalid UTF-8"),
        Bad("", .malformedBody, "unexpected end of input"),
        // CSV.
        Bad("a,zz\n1,2", .invalidInput, #"line 1: unknown feature "zz""#, type: "text/csv"),
        Bad("a,b,a\n1,2,3", .invalidInput, #"line 1: duplicate column "a""#, type: "text/csv"),
        Bad("a,b\n1,2\n1,x", .invalidInput, #"line 3, column "b": "x" is not a number"#, type: "text/csv"),
        Bad("a,b\n1,nan", .invalidInput, #"line 2, column "b": "nan" is not a number"#, type: "text/csv"),
        Bad("a,b\n1,1e400", .invalidInput, #"line 2, column "b": 1e400 is outside the float32 range"#, type: "text/csv"),
        Bad("a,b\n1,2\n1", .malformedBody, "line 3: expected 2 cells, got 1", type: "text/csv"),
        Bad("a,b\n1,2,3", .malformedBody, "line 2: expected 2 cells, got 3", type: "text/csv"),
        Bad("a,b\n\"1,2", .malformedBody, "line 2: a quoted cell is not closed", type: "text/csv"),
        Bad("a,b\n1\"2,3", .malformedBody, "line 2: a quote inside an unquoted cell", type: "text/csv"),
        Bad("a,b\n\"1\"x,3", .malformedBody, "line 2: unexpected text after a quoted cell", type: "text/csv"),
        Bad("a,b\n", .invalidInput, "header but no rows", type: "text/csv"),
        Bad("\n\n", .malformedBody, "CSV body is empty", type: "text/csv"),
        Bad("a\n1\n2\n3", .tooManyRows, "more than 2 rows", type: "text/csv", maxRows: 2),
        // Media types.
        Bad(#"{"rows":[[1,2,3]]}"#, .unsupportedMediaType, #"media type "text/plain" is not supported"#, type: "text/plain"),
        Bad(#"{"rows":[[1,2,3]]}"#, .unsupportedMediaType, #"charset "latin1""#, type: "application/json; charset=latin1"),
        Bad(#"{"rows":[[1,2,3]]}"#, .unsupportedMediaType, "no media type", type: ""),
    ]

    @Test(arguments: badBodies)
    func refuses(_ bad: Bad) {
        let error = failure(bad.body, bad.mediaType, maxRows: bad.maxRows)
        #expect(error?.code == bad.code)
        #expect(error?.message.contains(bad.message) == true, "\(error?.message ?? "no error")")
    }

    /// Rows × features is a limit of its own: at most 6 values for this 3-feature schema, so 2 rows pass and
    /// a third is refused, in every syntax, whatever the row limit.
    @Test(arguments: [
        (#"{"records":[{},{"a":1}]}"#, #"{"records":[{},{"a":1},{}]}"#, "application/json"),
        ("{\"rows\":[[1,2,3],[4,5,6]]}", "{\"rows\":[[1,2,3],[4,5,6],[7,8,9]]}", "application/json"),
        ("a\n1\n2", "a\n1\n2\n3", "text/csv"),
    ])
    func refusesMoreCellsThanTheLimit(_ atLimit: String, _ overLimit: String, _ mediaType: String) throws {
        let limits = InputLimits(maxRows: 100, maxCells: 6)
        #expect(try PredictionInput.decode(Array(atLimit.utf8), mediaType: mediaType, schema: Self.schema, limits: limits).rows == 2)
        let error = Result { () throws(SibylError) in
            try PredictionInput.decode(Array(overLimit.utf8), mediaType: mediaType, schema: Self.schema, limits: limits)
        }.failure
        #expect(error == SibylError(
            .tooManyRows, "the body has more than 2 rows: a request may hold 6 values (rows × features), and this model has 3 features"))
    }

    /// Issue 14, item 10: a few bytes of empty records for a wide model are refused before their rows of
    /// missing values are made (1,000 × 65,536 would be 256 MB), at the row the cells run out.
    @Test func refusesEmptyRecordsForAWideModelEarly() {
        let features = FeatureIndex(names: (0..<65_536).map { "f\($0)" })
        let body = Array(("{\"records\":[" + Array(repeating: "{}", count: 1_000).joined(separator: ",") + "]}").utf8)
        let error = Result { () throws(SibylError) in
            try PredictionInput.decode(body, mediaType: "application/json", features: features, limits: InputLimits(maxRows: 1_000, maxCells: 4 << 20))
        }.failure
        #expect(error?.code == .tooManyRows)
        #expect(error?.message == "the body has more than 64 rows: a request may hold 4194304 values (rows × features), and this model has 65536 features")
    }

    @Test func acceptsMediaTypeVariants() throws {
        for mediaType in ["application/json", "application/json; charset=utf-8", "APPLICATION/JSON;CHARSET=UTF-8", " application/json ; foo=bar"] {
            #expect(try decode(#"{"rows":[[1,2,3]]}"#, mediaType).rows == 1)
        }
        #expect(try decode("a\n1", "text/csv; charset=utf-8").rows == 1)
    }

    @Test func quotesHostileNamesBriefly() {
        let name = String(repeating: "x", count: 10_000)
        let error = failure(Array(#"{"records":[{"\#(name)":1}]}"#.utf8))
        #expect(error?.code == .invalidInput)
        #expect((error?.message.count ?? .max) < 120)
    }

    @Test func randomlyMutatedBodiesNeverCrash() {
        var generator = DecimalNumberTests.Generator(state: 5)
        let bodies: [(String, String)] = [
            (#"{"records":[{"a":1.5,"b":null,"c":-2e3},{"c":"\u0041"}]}"#, "application/json"),
            (#"{"rows":[[1.5,null,-2e3],[0,1,2]]}"#, "application/json"),
            ("c,\"a\",b\r\n1.5,,-2e3\n\"x\"\"y\",2,3\n", "text/csv"),
        ]
        let alphabet = Array(#"{}[]:,"-0123456789.eE tfnul\"#.utf8) + [0x0A, 0x0D, 0x00, 0xC3, 0xFF]
        for _ in 0..<3000 {
            for (text, mediaType) in bodies {
                var bytes = Array(text.utf8)
                for _ in 0..<Int(generator.next() % 3 + 1) {
                    let index = Int(generator.next() % UInt64(bytes.count))
                    bytes[index] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                }
                if let error = failure(bytes, mediaType, maxRows: 2) {
                    #expect([.malformedBody, .invalidInput, .tooManyRows].contains(error.code))
                }
            }
        }
    }
}
