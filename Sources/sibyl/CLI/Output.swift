import ArgumentParser
import Foundation

/// A failure the CLI reports on standard error, with the server's error code when the server refused.
struct CLIError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }

    /// `{"error": {"code", "message"}}` (or the v2 routes' `{"error", "code"}`) as `code: message (HTTP status)`.
    init(_ answer: ServerAnswer) {
        let error = answer.object["error"]
        let code = (error as? [String: Any])?["code"] as? String ?? answer.object["code"] as? String
        let message = (error as? [String: Any])?["message"] as? String ?? error as? String ?? answer.text
        description = "\(code.map { "\($0): " } ?? "")\(message) (HTTP \(answer.status))"
    }
}

/// Options every command that prints takes.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print the server's JSON answer instead of a table (for scripts).") var json = false
}

/// Options of commands that act in a project.
struct ProjectOptions: ParsableArguments {
    @Option(name: .customLong("project"), help: "The project to act in: its id or name.") var given = "1"

    /// The project's id: `--project` when it is one, else the id its name stands for, looked up once before
    /// the command runs (`resolveName(of:)`), so that every path of the command is built from the id alone.
    var project: Int { Int(given) ?? Self.named[given] ?? 0 }

    /// Set only by `resolveName(of:)`, in `Entry`, before any command runs: read-only afterwards.
    nonisolated(unsafe) private static var named: [String: Int] = [:]

    /// Looks up the project `command`'s `--project` names, when it names one rather than giving an id.
    static func resolveName(of command: any ParsableCommand) async throws {
        for child in Mirror(reflecting: command).children {
            guard let options = (child.value as? OptionGroup<ProjectOptions>)?.wrappedValue, Int(options.given) == nil else { continue }
            named[options.given] = try await Names(server: ServerClient(try Credentials.current())).project(options.given)
        }
    }
}

/// What the CLI prints goes through here, written with write(2): Foundation's `FileHandle.write(_:)` traps on
/// a closed pipe ("Fatal error: 'try!' … Broken pipe"). A reader that stops early (`| head -2`) has what it
/// wanted, so a closed standard output ends the command quietly with exit 0; SIGPIPE is ignored (see
/// `Entry`) so that a closed pipe is an EPIPE here rather than a signal.
enum Output {
    static func line(_ text: String = "") {
        standardOutput(Array((text + "\n").utf8))
    }

    /// Writes to standard output; exits 0 when the reader is gone, 1 when the output fails otherwise.
    static func standardOutput(_ bytes: [UInt8]) {
        guard let failure = writeAll(bytes, to: STDOUT_FILENO) else { return }
        guard failure == EPIPE else {
            standardError("error: cannot write to standard output: \(String(cString: strerror(failure)))\n")
            exit(1)
        }
        exit(0)
    }

    /// Writes to standard error; a failure there has nowhere to be told, so it is dropped.
    static func standardError(_ text: String) {
        _ = writeAll(Array(text.utf8), to: STDERR_FILENO)
    }

    /// Writes all of `bytes` to `descriptor`; the `errno` of a failure, nil on success.
    static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Int32? {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return nil
        }
    }

    /// What a command that changes something without an answer to show says: `text` for people, `json` for
    /// scripts.
    static func done(_ output: OutputOptions, _ text: String, json value: [String: Any]) {
        output.json ? json(value) : line(text)
    }

    static func note(_ text: String) {
        standardError(text + "\n")
    }

    /// The answer's JSON, indented, keys sorted, for `--json`.
    static func json(_ value: Any?) {
        guard let value, let data = try? JSONSerialization.data(
            withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        else { return line("null") }
        line(String(decoding: data, as: UTF8.self))
    }

    /// Columns left-aligned, two spaces apart, under an upper-case header.
    static func table(_ header: [String], _ rows: [[String]]) {
        let all = [header.map { $0.uppercased() }] + rows
        let widths = header.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        for row in all {
            let cells = row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }
            line(cells.joined(separator: "  "))
        }
    }

    /// `key: value` lines, keys aligned.
    static func fields(_ pairs: [(String, String)]) {
        let width = pairs.map(\.0.count).max() ?? 0
        for (key, value) in pairs { line(key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value) }
    }

    static func text(_ value: Any?) -> String {
        switch value {
        case nil, is NSNull: "-"
        case let string as String: string
        // JSONSerialization gives booleans as NSNumbers of type "c".
        case let number as NSNumber where String(cString: number.objCType) == "c": number.boolValue ? "yes" : "no"
        case let number as NSNumber: number.stringValue
        case let list as [Any]: list.map { text($0) }.joined(separator: ",")
        default: "\(value!)"
        }
    }
}
