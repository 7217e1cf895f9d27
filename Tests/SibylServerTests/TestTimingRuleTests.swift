import Foundation
import Testing

/// Issue 16: no Swift test sleeps longer than 0.2 s in real time. Time the code reads is moved by hand
/// (`ManualWallClock`, `ManualMonotonicClock`); what runs in the background is polled for, in short steps,
/// until it shows. The test sources are read, so a long sleep fails here rather than in a slow CI run.
@Suite struct TestTimingRuleTests {
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

    @Test func noTestSleepsLongerThanAFifthOfASecond() throws {
        let files = try #require(FileManager.default.enumerator(atPath: Self.tests.path)).compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") }
        #expect(files.count > 50)
        // `Task.sleep(for: .seconds(n))`, `.milliseconds(n)` and `nanoseconds:`, however spelled.
        let sleep = #/Task\.sleep\((?:for: |until: )?\.?(seconds|milliseconds|nanoseconds)?\(?:? ?([0-9_]+)/#
        var long: [String] = []
        for file in files {
            let lines = try String(contentsOf: Self.tests.appendingPathComponent(file), encoding: .utf8).split(separator: "\n")
            for (number, line) in lines.enumerated() {
                guard let match = line.firstMatch(of: sleep), let amount = Double(match.2.replacing("_", with: "")) else { continue }
                let seconds = switch match.1 {
                case "seconds": amount
                case "milliseconds": amount / 1_000
                default: amount / 1e9
                }
                if seconds > 0.2 { long.append("\(file):\(number + 1): \(line.trimmingCharacters(in: .whitespaces))") }
            }
        }
        #expect(long.isEmpty, "\(long.joined(separator: "\n"))")
    }
}
