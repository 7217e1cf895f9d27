import SibylCore
import Synchronization

/// The last drift report of each API computed on this node, as Prometheus gauges per input:
/// `sibyl_input_drift_psi`, `sibyl_input_missing_rate_change` and `sibyl_input_drifted` (1 or 0), labelled
/// with the API's id and the feature's name (escaped as the text format asks).
public final class DriftGauges: Sendable {
    private let reports = Mutex<[String: APIOperations.DriftReport]>([:])

    public init() {}

    func record(_ report: APIOperations.DriftReport) {
        reports.withLock { $0[report.apiID] = report }
    }

    /// Forgets a deleted API's gauges.
    func remove(apiID: String) {
        reports.withLock { _ = $0.removeValue(forKey: apiID) }
    }

    /// The gauges in Prometheus' text format.
    public func text() -> String {
        let reports = reports.withLock { $0 }.values.sorted { $0.apiID < $1.apiID }
        guard !reports.isEmpty else { return "" }
        let gauges: [(name: String, help: String, value: (FeatureDrift) -> Double?)] = [
            ("sibyl_input_drift_psi", "Population stability index of an input's captured values against its reference, as last reported on this node", \.psi),
            ("sibyl_input_missing_rate_change", "Missing rate of an input's captured values less its reference's, as last reported on this node", \.missingRateChange),
            ("sibyl_input_drifted", "1 when an input drifted past the report's thresholds, else 0, as last reported on this node", { $0.drifted ? 1 : 0 }),
        ]
        var text = ""
        for gauge in gauges {
            text += "# HELP \(gauge.name) \(gauge.help)\n# TYPE \(gauge.name) gauge\n"
            for report in reports {
                for feature in report.features {
                    guard let value = gauge.value(feature) else { continue }
                    text += "\(gauge.name){api_id=\"\(Self.escaped(report.apiID))\",feature=\"\(Self.escaped(feature.name))\"} \(value)\n"
                }
            }
        }
        return text
    }

    static func escaped(_ label: String) -> String {
        label.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"").replacing("\n", with: "\\n")
    }
}
