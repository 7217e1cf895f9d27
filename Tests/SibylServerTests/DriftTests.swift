import Foundation
import NIOHTTP1
import SibylApp
import Testing

/// Drift on real data with a known shift (Tests/Fixtures/drift_breast_cancer): held-out cases against the
/// training rows drift nowhere; with mean_texture raised by one standard deviation, it alone drifts, and every
/// input's index is numpy's.
@Suite struct DriftTests {
    static let folder = "drift_breast_cancer"

    /// numpy's index of every input: held-out rows, and shifted ones, against the training rows.
    static func expected() throws -> [String: (current: Double, shifted: Double)] {
        let lines = String(decoding: try Fixtures.bytes("\(folder)/psi.csv"), as: UTF8.self).split(separator: "\n").dropFirst()
        return Dictionary(uniqueKeysWithValues: lines.map { line in
            let cells = line.split(separator: ",")
            return (String(cells[0]), (Double(cells[1])!, Double(cells[2])!))
        })
    }

    /// Sends a CSV file's rows, 20 a request.
    static func send(_ node: TestNode, _ api: (id: String, key: String), file: String) async throws {
        let lines = String(decoding: try Fixtures.bytes("\(folder)/\(file)"), as: UTF8.self).split(separator: "\n")
        for start in stride(from: 1, to: lines.count, by: 20) {
            let body = ([lines[0]] + lines[start..<min(start + 20, lines.count)]).joined(separator: "\n")
            let answer = try await node.predict(api.id, key: api.key, body: Array(body.utf8), headers: [("Content-Type", "text/csv")])
            #expect(answer.status == 200, "\(answer.text)")
        }
    }

    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }

    static func psi(_ report: TestNode.Answer) -> [String: Double] {
        Dictionary(uniqueKeysWithValues: ((report["features"] as? [[String: Any]]) ?? []).map {
            ($0["name"] as? String ?? "", $0["psi"] as? Double ?? .nan)
        })
    }

    /// The fixture's model served by an official API: the API, its path, and its model's profile's path.
    static func cancerAPI(_ node: TestNode) async throws -> (api: (id: String, key: String), path: String, profilePath: String) {
        let model = try await node.call(.POST, "/api/v1/projects/1/models?name=cancer", body: try Fixtures.bytes("\(folder)/model.json"))
        let modelID = try #require(model["model_id"] as? String)
        let api = try await node.createAPI(model: modelID, type: "official")
        return (api, "/api/v1/projects/1/apis/\(api.id)", "/api/v1/projects/1/models/\(modelID)/profile")
    }

    @Test func onlyTheShiftedInputDriftsAndEveryIndexIsNumpys() async throws {
        let node = try await TestNode()
        defer { node.removeData() }
        let model = try await node.call(.POST, "/api/v1/projects/1/models?name=cancer", body: try Fixtures.bytes("\(Self.folder)/model.json"))
        let modelID = try #require(model["model_id"] as? String, "\(model.text)")
        let api = try await node.createAPI(model: modelID, type: "official")
        let path = "/api/v1/projects/1/apis/\(api.id)"
        #expect(try await node.call(.PUT, "\(path)/capture", json: ["rate": 100]).status == 200)
        #expect(try await node.call(.GET, "\(path)/drift").status == 409)  // no reference yet

        let profile = try await node.call(
            .PUT, "/api/v1/projects/1/models/\(modelID)/profile", body: try Fixtures.bytes("\(Self.folder)/reference.csv"),
            headers: [("Content-Type", "text/csv")])
        #expect(profile.status == 200 && profile["rows"] as? Int == 341, "\(profile.text)")
        let texture = try #require((profile["features"] as? [[String: Any]])?.first { $0["name"] as? String == "mean_texture" })
        #expect((texture["edges"] as? [Double])?.count == 9 && (texture["bins"] as? [Int])?.reduce(0, +) == 341)
        #expect(try await node.call(.GET, "/api/v1/projects/1/models/\(modelID)/profile")["rows"] as? Int == 341)

        let start = Self.now()
        try await Self.send(node, api, file: "current.csv")
        try await Task.sleep(for: .milliseconds(20))
        let boundary = Self.now()
        try await Task.sleep(for: .milliseconds(20))
        let middle = Self.now()
        try await Self.send(node, api, file: "shifted.csv")

        let expected = try Self.expected()
        let unshifted = try await node.call(.GET, "\(path)/drift?from=\(start)&to=\(boundary)")
        #expect(unshifted.status == 200 && unshifted["reference"] as? String == "profile" && unshifted["rows"] as? Int == 228, "\(unshifted.text)")
        #expect(unshifted["drifted"] as? [String] == [] && unshifted["captures"] as? Int == 12)
        for (name, psi) in Self.psi(unshifted) {
            #expect(abs(psi - expected[name]!.current) < 1e-9, "\(name): \(psi) vs numpy \(expected[name]!.current)")
        }
        let shifted = try await node.call(.GET, "\(path)/drift?from=\(middle)")
        #expect(shifted["drifted"] as? [String] == ["mean_texture"], "\(shifted.text)")
        let indexes = Self.psi(shifted)
        #expect(indexes.count == 30)
        for (name, psi) in indexes {
            #expect(abs(psi - expected[name]!.shifted) < 1e-9, "\(name): \(psi) vs numpy \(expected[name]!.shifted)")
        }
        #expect(indexes["mean_texture"]! > 1 && indexes.filter { $0.key != "mean_texture" }.values.allSatisfy { $0 < 0.2 })

        // Against an earlier period: the same held-out cases, so only the shift is left.
        let period = try await node.call(.GET, "\(path)/drift?from=\(middle)&reference_from=\(start)&reference_to=\(boundary)")
        #expect(period["reference"] as? String == "period" && period["drifted"] as? [String] == ["mean_texture"], "\(period.text)")
        #expect(Self.psi(period).filter { $0.key != "mean_texture" }.values.allSatisfy { $0 < 1e-12 })

        // The last report's gauges, escaped labels and all.
        let metrics = try await node.call(.GET, "/metrics", token: nil).text
        #expect(metrics.contains("# TYPE sibyl_input_drift_psi gauge"))
        #expect(metrics.contains("sibyl_input_drifted{api_id=\"\(api.id)\",feature=\"mean_texture\"} 1.0"), "\(metrics.suffix(3000))")
        #expect(metrics.contains("sibyl_input_drifted{api_id=\"\(api.id)\",feature=\"mean_radius\"} 0.0"))
        await node.stop()
    }

    /// The gauges are refreshed on their own, every `driftRefreshMilliseconds`, for an API that captures and
    /// whose model has a profile: no report is asked for here.
    @Test func theGaugesAreKeptCurrentWithoutAsking() async throws {
        let node = try await TestNode { $0.driftRefreshMilliseconds = 100 }
        defer { node.removeData() }
        let model = try await node.call(.POST, "/api/v1/projects/1/models?name=cancer", body: try Fixtures.bytes("\(Self.folder)/model.json"))
        let modelID = try #require(model["model_id"] as? String)
        let api = try await node.createAPI(model: modelID, type: "official")
        #expect(try await node.call(.PUT, "/api/v1/projects/1/apis/\(api.id)/capture", json: ["rate": 100]).status == 200)
        let profile = try await node.call(
            .PUT, "/api/v1/projects/1/models/\(modelID)/profile", body: try Fixtures.bytes("\(Self.folder)/reference.csv"),
            headers: [("Content-Type", "text/csv")])
        #expect(profile.status == 200)
        try await Self.send(node, api, file: "shifted.csv")
        let drifted = "sibyl_input_drifted{api_id=\"\(api.id)\",feature=\"mean_texture\"} 1.0"
        let steady = "sibyl_input_drifted{api_id=\"\(api.id)\",feature=\"mean_radius\"} 0.0"
        // A refresh may run while the captures are still being written (a few rows drift anywhere): the
        // gauges settle once every row is in.
        let metrics = try await node.poll("/metrics") { $0.text.contains(drifted) && $0.text.contains(steady) }
        #expect(metrics.text.contains(drifted), "\(metrics.text.suffix(2000))")
        #expect(metrics.text.contains(steady))
        await node.stop()
    }

    @Test func driftAndProfilesRefuseWhatTheyCannotRead() async throws {
        let node = try await TestNode { $0.maxProfileBytes = 4_096 }
        defer { node.removeData() }
        let (api, path, profilePath) = try await Self.cancerAPI(node)
        let csv = String(decoding: try Fixtures.bytes("\(Self.folder)/reference.csv"), as: UTF8.self)
        let header = String(csv.prefix { $0 != "\n" })
        #expect(try await node.call(.GET, profilePath).status == 404)
        #expect(try await node.call(.DELETE, profilePath).status == 404)
        #expect(try await node.call(.PUT, profilePath, body: Array(header.utf8), headers: [("Content-Type", "text/csv")]).status == 422)
        #expect(try await node.call(.PUT, profilePath, body: Array("nope,x\n1,2\n".utf8), headers: [("Content-Type", "text/csv")]).status == 422)
        #expect(try await node.call(.PUT, "/api/v1/projects/1/models/mdl_aaaaaaaaaaaaaaaa/profile", body: Array(csv.prefix(100).utf8)).status == 404)
        // At the byte limit it is read; one past it, 413.
        var rows = header + "\n"
        let line = csv.split(separator: "\n")[1]
        while rows.utf8.count + 2 * (line.utf8.count + 1) <= 4_096 { rows += line + "\n" }
        // The last row fills the limit exactly: its first value (a radius, positive) with leading zeros.
        let atLimit = rows + String(repeating: "0", count: 4_096 - rows.utf8.count - line.utf8.count - 1) + line + "\n"
        #expect(atLimit.utf8.count == 4_096)
        let read = try await node.call(.PUT, profilePath, body: Array(atLimit.utf8), headers: [("Content-Type", "text/csv")])
        #expect(read.status == 200, "\(read.text)")
        let over = try await node.call(.PUT, profilePath, body: Array((atLimit + "\n").utf8), headers: [("Content-Type", "text/csv")])
        #expect(over.status == 413, "\(over.text)")

        for query in ["threshold=0", "threshold=x", "missing_threshold=-1", "version=9", "version=x", "reference_from=2026-12-01",
            "from=2026-12-07&to=2026-12-06", "from=yesterday"]
        {
            let refused = try await node.call(.GET, "\(path)/drift?\(query)")
            #expect(refused.status == 422, "\(query): \(refused.text)")
        }
        #expect(try await node.call(.GET, "\(path)/drift?reference_from=2026-12-01&reference_to=2026-12-01").status == 422)  // no rows
        #expect(try await node.call(.DELETE, profilePath).status == 204)
        #expect(try await node.call(.GET, "\(path)/drift").status == 409)
        await node.stop()
    }

    /// A profile of exactly `profileCells` values is read and one row more is refused (413); a report reads at
    /// most `driftCaptureLimit` captures and says when the period held more.
    @Test func profilesAndReportsStopAtTheirLimits() async throws {
        let node = try await TestNode {
            $0.profileCells = 30 * 10
            $0.driftCaptureLimit = 3
        }
        defer { node.removeData() }
        let (api, path, profilePath) = try await Self.cancerAPI(node)
        let lines = String(decoding: try Fixtures.bytes("\(Self.folder)/reference.csv"), as: UTF8.self).split(separator: "\n")
        #expect(lines[0].split(separator: ",").count == 30)
        let csv = { (rows: Int) in Array(lines.prefix(1 + rows).joined(separator: "\n").utf8) }
        let read = try await node.call(.PUT, profilePath, body: csv(10), headers: [("Content-Type", "text/csv")])
        #expect(read.status == 200 && read["rows"] as? Int == 10, "\(read.text)")
        let over = try await node.call(.PUT, profilePath, body: csv(11), headers: [("Content-Type", "text/csv")])
        #expect(over.status == 413 && over.errorCode == "too_many_rows", "\(over.text)")
        #expect(try await node.call(.GET, profilePath)["rows"] as? Int == 10)  // the refused one changed nothing

        #expect(try await node.call(.PUT, "\(path)/capture", json: ["rate": 100]).status == 200)
        for sent in 1...4 {
            let body = Array(([lines[0], lines[sent]]).joined(separator: "\n").utf8)
            #expect(try await node.predict(api.id, key: api.key, body: body, headers: [("Content-Type", "text/csv")]).status == 200)
            let report = try await node.call(.GET, "\(path)/drift")
            #expect(report["captures"] as? Int == min(sent, 3) && report["rows"] as? Int == min(sent, 3), "\(report.text)")
            #expect(report["truncated"] as? Bool == (sent > 3), "\(sent): \(report.text)")
        }
        await node.stop()
    }
}
