import Foundation
import Testing

/// openapi.yaml is the contract; the node serves the copy compiled into it. The copy must be the file.
@Suite struct OpenAPIContractTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized

    @Test func theServedDocumentIsOpenAPIYAML() throws {
        let yaml = try String(contentsOf: Self.root.appendingPathComponent("openapi.yaml"), encoding: .utf8)
        let compiled = try String(contentsOf: Self.root.appendingPathComponent("Sources/SibylContract/OpenAPIText.swift"), encoding: .utf8)
        let start = try #require(compiled.range(of: "static let yaml = #\"\"\"\n"))
        let end = try #require(compiled.range(of: "\n\"\"\"#", options: .backwards))
        #expect(
            String(compiled[start.upperBound..<end.lowerBound]) + "\n" == yaml,
            "Sources/SibylContract/OpenAPIText.swift is not openapi.yaml: run scripts/openapi-embed.sh")
    }
}
