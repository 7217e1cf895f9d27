import Foundation

/// Test data under `Tests/Fixtures`, found from this file's own location.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: root.appendingPathComponent(path)))
    }

    /// A numeric CSV file as its header and rows; an empty cell is NaN.
    ///
    /// Deliberately independent of the decoder under test: values go through `Double(String)` and then
    /// to the nearest Float, which is what xgboost does with a float64 array.
    static func table(_ path: String) throws -> (header: [String], rows: [[Double]]) {
        let text = String(decoding: try bytes(path), as: UTF8.self)
        // A blank line is a row of one missing value (NaN written by the fixture scripts as an empty cell).
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        if lines.last?.isEmpty == true { lines.removeLast() }
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let rows = lines.dropFirst().map { line in
            line.split(separator: ",", omittingEmptySubsequences: false).map { Double($0) ?? .nan }
        }
        return (header, rows)
    }

    /// `data/X_test.csv` (or the NaN variant) as a feature matrix.
    static func inputs(nan: Bool) throws -> (header: [String], rows: [[Float]]) {
        let (header, rows) = try table(nan ? "data/X_test_nan.csv" : "data/X_test.csv")
        return (header, rows.map { $0.map(Float.init) })
    }
}
