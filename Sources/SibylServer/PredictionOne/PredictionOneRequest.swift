import Foundation

/// The body of the compatible prediction call: `{"inputs": [{"name", "type", "data"}, …]}` with `pr` (csv:
/// base64 of a CSV file, header and rows), `ar`, `ad` and `nc` (boolean, required), `nr` (boolean) and `pc`
/// (string, optional). Anything else, or a wrong type, is a bad request.
struct PredictionOneRequest {
    /// The CSV file `pr` carried, decoded from base64.
    var csv: [UInt8]
    /// `ar`: also the prediction reasons (`prediction_analysis.csv`).
    var reasons: Bool
    /// `ad`: the input columns appended to the result.
    var appendInputs: Bool
    /// `nc`: probabilities only, no predicted class.
    var probabilitiesOnly: Bool
    /// `nr`: no row-number column.
    var noRowNumbers: Bool
    /// `pc`: an input column to put first, as a key.
    var keyColumn: String?

    init(_ body: [UInt8]) throws(PredictionOneError) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw .badRequest("the body must be a JSON object")
        }
        guard Set(object.keys) == ["inputs"], let inputs = object["inputs"] as? [[String: Any]] else {
            throw .badRequest("inputs: expected an array of {name, type, data}, and nothing else")
        }
        var items: [String: (type: String, data: Any)] = [:]
        for input in inputs {
            guard Set(input.keys) == ["name", "type", "data"], let name = input["name"] as? String, let type = input["type"] as? String,
                let data = input["data"]
            else { throw .badRequest("inputs: each item is {name, type, data}") }
            guard items[name] == nil else { throw .badRequest("inputs: \(name) is given twice") }
            guard ["pr", "ar", "ad", "nc", "nr", "pc"].contains(name) else { throw .badRequest("inputs: unknown name \(name)") }
            items[name] = (type, data)
        }
        func flag(_ name: String, required: Bool) throws(PredictionOneError) -> Bool {
            guard let item = items[name] else {
                if required { throw .badRequest("inputs: \(name) is required") }
                return false
            }
            // JSONSerialization gives booleans as NSNumbers of type "c".
            guard item.type == "boolean", let number = item.data as? NSNumber, String(cString: number.objCType) == "c" else {
                throw .badRequest("inputs: \(name) must be of type boolean with true or false")
            }
            return number.boolValue
        }
        guard let pr = items["pr"] else { throw .badRequest("inputs: pr is required") }
        guard pr.type == "csv", let text = pr.data as? String, let csv = Data(base64Encoded: text, options: .ignoreUnknownCharacters)
        else { throw .badRequest("inputs: pr must be of type csv with the base64 of a CSV file") }
        self.csv = [UInt8](csv)
        reasons = try flag("ar", required: true)
        appendInputs = try flag("ad", required: true)
        probabilitiesOnly = try flag("nc", required: true)
        noRowNumbers = try flag("nr", required: false)
        if let pc = items["pc"] {
            guard pc.type == "string", let column = pc.data as? String else { throw .badRequest("inputs: pc must be of type string") }
            keyColumn = column
        }
    }
}
