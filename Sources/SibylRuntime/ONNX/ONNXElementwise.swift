#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension ONNXGraph {
    /// A standard operator of two tensors, element by element. Comparisons give ONNX's booleans as 1 and 0
    /// (a missing value compares false, as in onnxruntime); `Pow` by a single 2 or 3 is a product, as
    /// onnxruntime computes it, and `powf` otherwise.
    enum Elementwise: Sendable {
        case add, subtract, multiply, divide, power
        case less, lessOrEqual, greater, greaterOrEqual, equal

        init?(_ opType: String) {
            switch opType {
            case "Add": self = .add
            case "Sub": self = .subtract
            case "Mul": self = .multiply
            case "Div": self = .divide
            case "Pow": self = .power
            case "Less": self = .less
            case "LessOrEqual": self = .lessOrEqual
            case "Greater": self = .greater
            case "GreaterOrEqual": self = .greaterOrEqual
            case "Equal": self = .equal
            default: return nil
            }
        }

        @inline(__always) func apply(_ a: Float, _ b: Float) -> Float {
            switch self {
            case .add: a + b
            case .subtract: a - b
            case .multiply: a * b
            case .divide: a / b
            case .power: b == 2 ? a * a : b == 3 ? a * a * a : powf(a, b)
            case .less: a < b ? 1 : 0
            case .lessOrEqual: a <= b ? 1 : 0
            case .greater: a > b ? 1 : 0
            case .greaterOrEqual: a >= b ? 1 : 0
            case .equal: a == b ? 1 : 0
            }
        }
    }

    /// A standard operator of one tensor, element by element (`Not` of ONNX's booleans as 1 and 0).
    enum Unary: Sendable {
        case negate, absolute, log, exp, sqrt, not
        /// A cast to bool.
        case nonzero
        /// A cast to an integer type.
        case truncate

        init?(_ opType: String) {
            switch opType {
            case "Neg": self = .negate
            case "Abs": self = .absolute
            case "Log": self = .log
            case "Exp": self = .exp
            case "Sqrt": self = .sqrt
            case "Not": self = .not
            default: return nil
            }
        }

        @inline(__always) func apply(_ x: Float) -> Float {
            switch self {
            case .negate: -x
            case .absolute: abs(x)
            case .log: logf(x)
            case .exp: expf(x)
            case .sqrt: x.squareRoot()
            case .not: x == 0 ? 1 : 0
            case .nonzero: x != 0 ? 1 : 0
            case .truncate: x.rounded(.towardZero)
            }
        }
    }

    /// One side of an elementwise step: a tensor of rows `width` wide, or a constant row (`perRow` false);
    /// a side one wide is broadcast across the other's columns, as ONNX broadcasts `[N, 1]` against `[N, k]`.
    struct Operand {
        let values: UnsafeBufferPointer<Float>
        let width: Int
        let perRow: Bool

        @inline(__always) func value(row: Int, column: Int) -> Float {
            values[(perRow ? row * width : 0) + (width == 1 ? 0 : column)]
        }
    }

    /// `a op b` for `rows` rows `width` wide, into `out` (which may be `a`'s values: each element is read
    /// before it is written).
    static func elementwise(
        _ kind: Elementwise, rows: Int, width: Int, _ a: Operand, _ b: Operand, into out: UnsafeMutableBufferPointer<Float>
    ) {
        for row in 0..<rows {
            for column in 0..<width {
                out[row * width + column] = kind.apply(a.value(row: row, column: column), b.value(row: row, column: column))
            }
        }
    }
}
