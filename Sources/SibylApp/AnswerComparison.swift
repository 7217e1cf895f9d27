import SibylCore
import SibylRuntime

extension Comparison {
    /// Adds one request's comparison: rows whose labels agree, and the absolute differences of probabilities
    /// (or of values). Answers the rows that differ: another label, or for a regressor a value more than
    /// `tolerance` away.
    @discardableResult
    mutating func add(ours: Predictions, theirs: Predictions, tolerance: Double = 0) -> [Int] {
        requests += 1
        rows += ours.rowCount
        var differing: [Int] = []
        let compared: (ours: [Float], theirs: [Float])
        switch ours.task {
        case .regression:
            compared = (ours.values, theirs.values)
            for row in 0..<min(ours.values.count, theirs.values.count) where Double(abs(ours.values[row] - theirs.values[row])) > tolerance {
                differing.append(row)
            }
        case .binary, .multiclass:
            for (row, (a, b)) in zip(ours.labels, theirs.labels).enumerated() {
                if a == b { agreedRows += 1 } else { differing.append(row) }
            }
            compared = ours.hasProbabilities && theirs.hasProbabilities ? (ours.probabilities, theirs.probabilities) : ([], [])
        }
        for (a, b) in zip(compared.ours, compared.theirs) {
            let difference = Double(abs(a - b))
            values += 1
            sumAbsoluteDifference += difference
            maxAbsoluteDifference = max(maxAbsoluteDifference, difference)
        }
        return differing
    }
}

extension CompiledModel {
    /// Whether `input`, read for a model comparable with this one, can be answered by it: a value it needs
    /// is not missing.
    func canAnswer(_ input: FeatureMatrix) -> Bool {
        let needed = columnsNeedingValues
        return needed.count == 0 || !input.values.indices.contains { input.values[$0].isNaN && needed.contains($0 % input.columns) }
    }
}
