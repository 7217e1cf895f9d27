import Foundation
import SibylCore

/// The body of the compatible prediction call: `{"inputs": [{"name", "type", "data"}, …]}` with `pr` (csv:
/// base64 of a CSV file, header and rows), `ar`, `ad` and `nc` (boolean, required), `nr` (boolean) and `pc`
/// (string, optional). Anything else, or a wrong type, is a bad request: a `SibylError` whose message is the
/// detail of Prediction One's 400 (`PredictionOneError`).
public struct PredictionOneRequest {
    /// The CSV file `pr` carried, decoded from base64.
    public var csv: [UInt8]
    /// `ar`: also the prediction reasons (`prediction_analysis.csv`).
    public var reasons: Bool
    /// `ad`: the input columns appended to the result.
    public var appendInputs: Bool
    /// `nc`: probabilities only, no predicted class.
    public var probabilitiesOnly: Bool
    /// `nr`: no row-number column.
    public var noRowNumbers: Bool
    /// `pc`: an input column to put first, as a key.
    public var keyColumn: String?

    public init(_ body: [UInt8]) throws(SibylError) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw SibylError(.malformedBody, "the body must be a JSON object")
        }
        guard Set(object.keys) == ["inputs"], let inputs = object["inputs"] as? [[String: Any]] else {
            throw SibylError(.invalidInput, "inputs: expected an array of {name, type, data}, and nothing else")
        }
        var items: [String: (type: String, data: Any)] = [:]
        for input in inputs {
            guard Set(input.keys) == ["name", "type", "data"], let name = input["name"] as? String, let type = input["type"] as? String,
                let data = input["data"]
            else { throw SibylError(.invalidInput, "inputs: each item is {name, type, data}") }
            guard items[name] == nil else { throw SibylError(.invalidInput, "inputs: \(name) is given twice") }
            guard ["pr", "ar", "ad", "nc", "nr", "pc"].contains(name) else { throw SibylError(.invalidInput, "inputs: unknown name \(name)") }
            items[name] = (type, data)
        }
        func flag(_ name: String, required: Bool) throws(SibylError) -> Bool {
            guard let item = items[name] else {
                if required { throw SibylError(.invalidInput, "inputs: \(name) is required") }
                return false
            }
            // JSONSerialization gives booleans as NSNumbers of type "c".
            guard item.type == "boolean", let number = item.data as? NSNumber, String(cString: number.objCType) == "c" else {
                throw SibylError(.invalidInput, "inputs: \(name) must be of type boolean with true or false")
            }
            return number.boolValue
        }
        guard let pr = items["pr"] else { throw SibylError(.invalidInput, "inputs: pr is required") }
        guard pr.type == "csv", let text = pr.data as? String, let csv = Data(base64Encoded: text, options: .ignoreUnknownCharacters)
        else { throw SibylError(.invalidInput, "inputs: pr must be of type csv with the base64 of a CSV file") }
        self.csv = [UInt8](csv)
        reasons = try flag("ar", required: true)
        appendInputs = try flag("ad", required: true)
        probabilitiesOnly = try flag("nc", required: true)
        noRowNumbers = try flag("nr", required: false)
        if let pc = items["pc"] {
            guard pc.type == "string", let column = pc.data as? String else { throw SibylError(.invalidInput, "inputs: pc must be of type string") }
            keyColumn = column
        }
    }
}
