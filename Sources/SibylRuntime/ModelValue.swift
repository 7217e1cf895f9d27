import SibylCore

/// A parsed XGBoost model file, JSON or UBJSON: a JSON document whose arrays of numbers are each one
/// `NumberArray`. A value per number took about 24 bytes of memory for a UBJSON float32's 4; packed, a
/// model's document is about the size of its file (docs/MODELS.md has the measurements).
enum ModelValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([ModelValue])
    /// A non-empty array of numbers only.
    case numbers(NumberArray)
    case object([String: ModelValue])

    /// The same document, packed (for documents a test parsed as `JSONValue`).
    init(_ value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .number(let number): self = .number(number)
        case .string(let text): self = .string(text)
        case .array(let items):
            var elements = ArrayElements<ModelValue>(reservingCapacity: items.count)
            for item in items {
                if case .number(let number) = item { elements.append(number: number) } else { elements.append(ModelValue(item)) }
            }
            self = elements.value()
        case .object(let members): self = .object(members.mapValues(ModelValue.init))
        }
    }

    /// The value as an error message may quote it: scalars as written, containers by kind.
    var shortDescription: String {
        switch self {
        case .null: "null"
        case .bool(let flag): String(flag)
        case .number(let number): number == number.rounded() && abs(number) < 1e18 ? String(Int(number)) : String(number)
        case .string(let text): "\"\(text.count > 64 ? text.prefix(64) + "…" : Substring(text))\""
        case .array, .numbers: "an array"
        case .object: "an object"
        }
    }
}

extension ModelValue: DocumentValue {
    static var packsNumbers: Bool { true }

    static func packed(_ numbers: NumberArray) -> ModelValue { .numbers(numbers) }
}
