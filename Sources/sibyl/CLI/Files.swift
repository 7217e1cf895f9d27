import Foundation

/// Input files read whole, with the system's reason when they cannot be: "cannot read /x: No such file or
/// directory" (Foundation's `contents(atPath:)` gives nil and no reason).
enum Files {
    static func read(_ path: String) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure(path) }
        defer { close(descriptor) }
        guard let bytes = read(descriptor) else { throw failure(path) }
        return bytes
    }

    /// Everything left on `descriptor`; nil on a failure, with `errno` set (a folder: EISDIR).
    static func read(_ descriptor: Int32) -> [UInt8]? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            bytes.append(contentsOf: chunk[..<count])
        }
    }

    private static func failure(_ path: String) -> CLIError {
        CLIError("cannot read \(path): \(String(cString: strerror(errno)))")
    }
}
