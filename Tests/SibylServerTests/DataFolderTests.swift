import Foundation
import SibylServer
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The data folder holds password and token hashes, the secrets key and the models: only the node's user may
/// read it, in a new install and in one an older version left readable by everyone.
@Suite(.serialized) struct DataFolderTests {
    @Test func theDataFolderAndEverythingInItAreTheNodesUsersOnly() async throws {
        // What a shell gives a process: files readable by all unless the node says otherwise.
        umask(0o022)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sibyl-\(UUID().uuidString)").path
        let node = try await TestNode(folder: folder)
        defer { node.removeData() }
        let first = try await node.uploadModel("xgb_binary")
        try Self.expectPrivate(folder, holding: ["models/\(first).model"])
        await node.stop()

        // An older version's folder: everything readable by all.
        umask(0o022)
        for (path, isFolder) in try Self.everything(in: folder) { chmod(path, isFolder ? 0o755 : 0o644) }
        let restarted = try await TestNode(folder: folder)
        let second = try await restarted.uploadModel("xgb_binary")
        try Self.expectPrivate(folder, holding: ["models/\(first).model", "models/\(second).model"])
        await restarted.stop()
    }

    /// Every path under the folder (the test's own note of its PostgreSQL database aside) is 0700 for a folder
    /// and 0600 for a file, and the files Sibyl keeps there are among them.
    static func expectPrivate(_ folder: String, holding models: [String]) throws {
        let all = try everything(in: folder).filter { !$0.path.hasSuffix("/test-database-url") }
        var expected = [folder, folder + "/secrets.key", folder + "/models"] + models.map { folder + "/" + $0 }
        if ProcessInfo.processInfo.environment["SIBYL_TEST_NODE_DATABASE"] != "postgres" { expected.append(folder + "/sibyl.db") }
        #expect(Set(expected).isSubset(of: Set(all.map(\.path))), "\(all.map(\.path))")
        for (path, isFolder) in all {
            let mode = try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
            #expect(mode == (isFolder ? 0o700 : 0o600), "\(path): \(String(mode, radix: 8))")
        }
    }

    /// The folder and every path under it, with whether each is a folder.
    static func everything(in folder: String) throws -> [(path: String, isFolder: Bool)] {
        var all = [(folder, true)]
        for name in try FileManager.default.subpathsOfDirectory(atPath: folder) {
            let path = folder + "/" + name
            let type = try FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType
            all.append((path, type == .typeDirectory))
        }
        return all
    }
}
