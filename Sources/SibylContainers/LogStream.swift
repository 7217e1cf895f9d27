import Foundation

/// One line a container wrote.
public struct LogLine: Sendable, Equatable {
    public enum Stream: Sendable, Equatable { case stdout, stderr }

    public let time: Date
    public let stream: Stream
    public let message: String

    public init(time: Date, stream: Stream, message: String) {
        self.time = time
        self.stream = stream
        self.message = message
    }
}

/// Decodes the body of `GET /containers/{id}/logs?timestamps=1`.
enum LogStream {
    /// A container without a TTY gets Docker's multiplexed framing: [stream, 0, 0, 0, size (big-endian
    /// UInt32)] then `size` bytes. One with a TTY gets the raw bytes, all of it stdout. Garbage where a
    /// header should be is kept as raw stdout rather than dropped.
    static func frames(_ bytes: [UInt8]) -> [(stream: LogLine.Stream, payload: ArraySlice<UInt8>)] {
        var frames: [(stream: LogLine.Stream, payload: ArraySlice<UInt8>)] = []
        var i = 0
        while i + 8 <= bytes.count, bytes[i] <= 2, bytes[i + 1] == 0, bytes[i + 2] == 0, bytes[i + 3] == 0 {
            let size = bytes[i + 4..<i + 8].reduce(0) { $0 << 8 | Int($1) }
            let end = min(bytes.count, i + 8 + size)
            frames.append((bytes[i] == 2 ? .stderr : .stdout, bytes[i + 8..<end]))
            i = end
        }
        if i < bytes.count { frames.append((.stdout, bytes[i...])) }
        return frames
    }

    /// Each line starts with its RFC 3339 time and a space; a line without one (a long line the engine
    /// split, or a raw stream) takes the time of the line before it.
    static func lines(_ bytes: [UInt8]) -> [LogLine] {
        var lines: [LogLine] = []
        var lastTime = Date(timeIntervalSince1970: 0)
        for frame in frames(bytes) {
            for raw in frame.payload.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
                var text = String(decoding: raw, as: UTF8.self)
                if text.hasSuffix("\r") { text.removeLast() }
                if let space = text.firstIndex(of: " "), let time = EngineTime.parse(text[..<space]) {
                    lastTime = time
                    text = String(text[text.index(after: space)...])
                }
                lines.append(LogLine(time: lastTime, stream: frame.stream, message: text))
            }
        }
        return lines
    }
}
