@testable import SibylRuntime

/// Encodes a `JSONValue` as XGBoost's `save_model("….ubj")` does, so tests can write UBJSON models: keys
/// and strings with int64 lengths, arrays of integers as typed int32 containers, other arrays of numbers
/// as typed float32 ones, every other array with a count, objects closed by `}`.
enum UBJSONWriter {
    static func encode(_ value: JSONValue) -> [UInt8] {
        var bytes: [UInt8] = []
        write(value, to: &bytes)
        return bytes
    }

    static func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian, Array.init)
    }

    static func length(_ count: Int) -> [UInt8] {
        Array("L".utf8) + bigEndian(Int64(count))
    }

    private static func write(_ value: JSONValue, to bytes: inout [UInt8]) {
        switch value {
        case .null: bytes += Array("Z".utf8)
        case .bool(let flag): bytes += Array((flag ? "T" : "F").utf8)
        case .number(let number) where number == number.rounded() && abs(number) < 1e15:
            bytes += Array("L".utf8) + bigEndian(Int64(number))
        case .number(let number):
            bytes += Array("d".utf8) + bigEndian(Float(number).bitPattern)
        case .string(let text):
            bytes += Array("S".utf8) + length(text.utf8.count) + Array(text.utf8)
        case .array(let items):
            let numbers = items.compactMap { if case .number(let n) = $0 { n } else { nil } }
            if !items.isEmpty && numbers.count == items.count {
                let integral = numbers.allSatisfy { $0 == $0.rounded() && abs($0) < 1e9 }
                bytes += Array((integral ? "[$l#" : "[$d#").utf8) + length(items.count)
                for number in numbers {
                    bytes += integral ? bigEndian(Int32(number)) : bigEndian(Float(number).bitPattern)
                }
            } else {
                bytes += Array("[#".utf8) + length(items.count)
                for item in items { write(item, to: &bytes) }
            }
        case .object(let members):
            bytes += Array("{".utf8)
            for key in members.keys.sorted() {
                bytes += length(key.utf8.count) + Array(key.utf8)
                write(members[key]!, to: &bytes)
            }
            bytes += Array("}".utf8)
        }
    }
}
