import Foundation
import SibylCore
import SibylHTTP

/// How the console writes values for people: dates and times in UTC without the ISO punctuation, sizes in
/// binary units, format names as their libraries call them.
enum ConsoleFormat {
    /// `2026-11-23 17:57`
    static func dateTime(_ seconds: Int64) -> String {
        let text = UTCDay.dateTime(fromEpochSeconds: seconds)
        return String(text.prefix(16)).replacingOccurrences(of: "T", with: " ")
    }

    static func size(_ bytes: Int) -> String {
        if bytes < 1024 { return "\(bytes) bytes" }
        let units = ["KiB", "MiB", "GiB"]
        var value = Double(bytes) / 1024
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return (value >= 100 ? String(Int(value.rounded())) : String((value * 10).rounded() / 10)) + " " + units[unit]
    }

    static func format(_ format: ModelFormat) -> String {
        switch format {
        case .xgboostJSON: "XGBoost JSON"
        case .xgboostUBJ: "XGBoost UBJSON"
        case .lightgbmText: "LightGBM text"
        case .catboostJSON: "CatBoost JSON"
        case .onnx: "ONNX"
        }
    }
}

/// A status as a badge: its stylesheet class and its words.
struct StatusBadge: Sendable {
    let key: String
    let text: String

    /// An API's status; an operating trial whose requests are all used says so (amber), since it answers
    /// nothing but 429 however "operating" it is.
    static func api(_ api: PredictionAPI) -> StatusBadge {
        api.status == .operating && api.isExhausted
            ? StatusBadge(key: "exhausted", text: "trial used up") : StatusBadge(key: api.status.rawValue, text: api.status.rawValue)
    }
}
