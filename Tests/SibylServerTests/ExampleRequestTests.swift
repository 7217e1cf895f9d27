import Foundation
@testable import SibylConsole
import SibylCore
import Testing

/// The API page's example request names every feature of the model, up to a width where it sends a file.
struct ExampleRequestTests {
    static let url = "https://sibyl.example/apis/api_aaaaaaaaaaaaaaaa/predict"

    /// The JSON body the curl example sends, parsed.
    static func record(_ example: ExampleRequest) throws -> [String: Any] {
        let start = try #require(example.curl.range(of: "-d '"))
        let body = String(example.curl[start.upperBound...].dropLast())
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        return try #require((object["records"] as? [[String: Any]])?.first)
    }

    @Test func everyFeatureIsInTheRecord() throws {
        let features = (0..<30).map { "f\($0)" } + ["say \"hi\""]
        let example = ExampleRequest(url: Self.url, features: features)
        #expect(Set(try Self.record(example).keys) == Set(features))
        #expect(example.python.contains("\"f29\": 0.5") && example.python.contains("\"say \\\"hi\\\"\": 0.5"))
        let widest = (0..<ExampleRequest.maxRecordFeatures).map { "feature_\($0)" }
        #expect(try Self.record(ExampleRequest(url: Self.url, features: widest)).count == ExampleRequest.maxRecordFeatures)
    }

    @Test func aWiderModelSendsACSVFile() throws {
        let features = (0...ExampleRequest.maxRecordFeatures).map { $0 == 1 ? "bad\nrm -rf ~" : "feature_\($0)" }
        let example = ExampleRequest(url: Self.url, features: features)
        #expect(example.curl.contains("-H 'Content-Type: text/csv'") && example.curl.contains("--data-binary @rows.csv"))
        #expect(example.curl.hasPrefix("# rows.csv: a header row naming the model's 201 features (feature_0,badrm -rf ~,feature_2,…)"))
        #expect(!example.curl.contains("feature_3") && !example.curl.contains("records"))
        #expect(example.python.contains("data=rows") && example.python.contains("\"Content-Type\": \"text/csv\""))
        // Every line but the comment is a command: no feature name broke out of it.
        #expect(example.curl.split(separator: "\n").filter { $0.hasPrefix("#") }.count == 1)
    }

    @Test func categoriesAreSentByName() throws {
        let example = ExampleRequest(
            url: Self.url, features: ["age", "city", "c0"], types: [.number, .category(["Braga", "Faro"]), .category([])])
        let record = try Self.record(example)
        #expect(record["age"] as? Double == 0.5 && record["city"] as? String == "Braga" && record["c0"] as? Int == 0)
        #expect(example.python.contains(#""city": "Braga""#))
    }

    /// A feature of whole numbers (an ONNX int64 input) gets one: 0.5 would be refused.
    @Test func wholeNumbersAreSentWhole() throws {
        let record = try Self.record(ExampleRequest(url: Self.url, features: ["age", "visits"], types: [.number, .wholeNumbers]))
        #expect(record["age"] as? Double == 0.5 && record["visits"] as? Int == 1)
    }
}
