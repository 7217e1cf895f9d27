/// The numbers of one array of a model file, packed into one buffer instead of a value per number.
///
/// A model's trees are mostly such arrays (children, split features, thresholds, hessians), so this is what
/// keeps a parsed model near its file's size. Each number is kept as the double the reader made of it, in
/// the narrowest buffer that holds every element exactly: int32 while all are integers in its range,
/// float32 while all are float32 values (UBJSON's `$d` arrays, and integers up to 2^24), float64 otherwise.
/// Reading an element back gives that double bit for bit, so checks and conversions see what they saw when
/// each number was a value of its own.
struct NumberArray: Sendable, Equatable {
    /// One buffer, so that a `ModelValue` holding an array is no larger than one holding a string.
    private enum Storage: Sendable, Equatable {
        case int32([Int32])
        case float32([Float])
        case float64([Double])
    }

    private var storage = Storage.int32([])

    init() {}

    /// Elements read as float32 (UBJSON `$d`), each exact as a double.
    init(float32s: [Float]) {
        storage = .float32(float32s)
    }

    /// Elements read as integers of at most 32 bits (UBJSON `$i`, `$U`, `$I`, `$l`).
    init(int32s: [Int32]) {
        storage = .int32(int32s)
    }

    var count: Int {
        switch storage {
        case .int32(let values): values.count
        case .float32(let values): values.count
        case .float64(let values): values.count
        }
    }

    var isEmpty: Bool { count == 0 }

    subscript(index: Int) -> Double {
        switch storage {
        case .int32(let values): Double(values[index])
        case .float32(let values): Double(values[index])
        case .float64(let values): values[index]
        }
    }

    /// Appends `value`, moving every element to a wider buffer first when the current one cannot hold it
    /// exactly. Each case empties `storage` before appending, so that the buffer has one owner and grows in
    /// place instead of being copied.
    mutating func append(_ value: Double) {
        switch storage {
        case .int32(var values):
            if let integer = Int32(exactly: value), value.bitPattern == Double(integer).bitPattern {
                storage = .float64([])
                values.append(integer)
                storage = .int32(values)
            } else if Self.isFloat32(value) && values.allSatisfy({ $0.magnitude <= 1 << 24 }) {
                // Integers beyond 2^24 are not all float32 values.
                storage = .float32(values.map(Float.init) + [Float(value)])
            } else {
                storage = .float64(values.map(Double.init) + [value])
            }
        case .float32(var values):
            if Self.isFloat32(value) {
                storage = .float64([])
                values.append(Float(value))
                storage = .float32(values)
            } else {
                storage = .float64(values.map(Double.init) + [value])
            }
        case .float64(var values):
            storage = .int32([])
            values.append(value)
            storage = .float64(values)
        }
    }

    /// Whether `value` converts to float32 and back unchanged, bit for bit: a zero keeps its sign, a NaN its payload.
    private static func isFloat32(_ value: Double) -> Bool {
        Double(Float(value)).bitPattern == value.bitPattern
    }
}
