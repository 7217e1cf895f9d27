import Foundation
import Testing

/// Issue 16: the application layer (`SibylApp`) holds the rules and knows nothing of HTTP, and the front ends
/// (the data plane, the management, deployment and developer APIs, the console, with `SibylHTTP` between
/// them and `SibylServer` composing them) reach the store only through it, so that every front end asks the
/// same operations and none can skip a rule. The package's target dependencies do not stop a source file from importing a module built
/// for another target, so the sources are read.
@Suite struct ModuleBoundaryTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources").standardized

    static func imports(of module: String) throws -> [(file: String, module: String)] {
        let folder = sources.appendingPathComponent(module)
        let files = try #require(FileManager.default.enumerator(atPath: folder.path)).compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        #expect(!files.isEmpty, "\(folder.path)")
        return try files.flatMap { file in
            try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8).split(separator: "\n")
                .filter { $0.hasPrefix("import ") }.map { (file, String($0.dropFirst("import ".count))) }
        }
    }

    @Test func theApplicationLayerImportsNoHTTPFramework() throws {
        let http: Set = ["Hummingbird", "HummingbirdCore", "HummingbirdTLS", "HTTPTypes", "NIOHTTP1", "NIOHTTPTypes", "Mustache", "AsyncHTTPClient"]
        let found = try Self.imports(of: "SibylApp").filter { http.contains($0.module) }
        #expect(found.isEmpty, "\(found)")
    }

    /// Only the composition root, which opens the store and hands it to the application, names it.
    @Test func theFrontEndsReachTheStoreOnlyThroughTheApplication() throws {
        let found = try Self.imports(of: "SibylServer").filter { $0.module == "SibylStore" }.map(\.file)
        #expect(found == ["Application+build.swift"])
        for module in [
            "SibylConsole", "SibylHTTP", "SibylDataPlane", "SibylManagementAPI", "SibylDeploymentAPI", "SibylDeveloperAPI", "SibylContract",
            "sibyl",
        ] {
            let found = try Self.imports(of: module).filter { $0.module == "SibylStore" }
            #expect(found.isEmpty, "\(module): \(found)")
        }
    }
}
