import Foundation
import SibylCore
import SibylFuzzTargets
import SibylRuntime
import Testing

/// Every fuzz target over its committed seeds and over every input that once broke it: a crash found by
/// `scripts/fuzz.sh` is saved under `Fuzz/Crashes/<target>/` and stays a test from then on.
@Suite struct FuzzCorpusTests {
    static let fuzz = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz")

    static func inputs(_ folder: String, _ target: String) throws -> [URL] {
        let directory = fuzz.appendingPathComponent(folder).appendingPathComponent(target)
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    @Test(arguments: FuzzTarget.all.map(\.name))
    func seedsAndPastCrashesKeepEveryProperty(_ name: String) throws {
        let target = try #require(FuzzTarget.named(name))
        let seeds = try Self.inputs("Corpus", name)
        #expect(!seeds.isEmpty, "no seeds for \(name)")
        for file in seeds + (try Self.inputs("Crashes", name)) {
            target.run([UInt8](try Data(contentsOf: file)))
        }
    }

    /// A seed longer than `-max_len` would be cut by libFuzzer and lose what it was chosen for.
    @Test(arguments: FuzzTarget.all.map(\.name))
    func seedsFitTheTargetsLength(_ name: String) throws {
        let target = try #require(FuzzTarget.named(name))
        for file in try Self.inputs("Corpus", name) {
            let size = try Data(contentsOf: file).count
            #expect(size <= target.maxLength, "\(file.lastPathComponent): \(size) bytes, more than \(target.maxLength)")
        }
    }

    /// The models cut from the fixtures (`model-*`) still load: a seed the loader refuses at once would
    /// leave the fuzzer only the loader's first checks to explore.
    @Test(arguments: [
        ("xgboost-json", ModelFormat.xgboostJSON, 10), ("xgboost-ubj", .xgboostUBJ, 10), ("lightgbm", .lightgbmText, 10),
        ("catboost", .catboostJSON, 5), ("onnx", .onnx, 5),
    ])
    func modelSeedsLoad(_ target: String, _ format: ModelFormat, _ minimum: Int) throws {
        let models = try Self.inputs("Corpus", target).filter { $0.lastPathComponent.hasPrefix("model-") }
        #expect(models.count >= minimum)
        for file in models {
            #expect(throws: Never.self, "\(file.lastPathComponent)") {
                _ = try CompiledModel.load([UInt8](try Data(contentsOf: file)), format: format)
            }
        }
    }
}
