import Foundation

enum Input {
    /// One line of standard input: passwords and secret values never go on the command line, where the
    /// shell's history and the process list would keep them. On a terminal the line is asked for with a
    /// prompt on standard error ("Password: ") and typed with echo off; from a pipe or a file it is read as
    /// it is, without a prompt.
    static func secret(_ what: String) throws -> String {
        let line: String?
        if isatty(STDIN_FILENO) == 1 {
            Output.standardError(what.prefix(1).uppercased() + what.dropFirst() + ": ")
            line = HiddenInput.line()
        } else {
            line = readLine(strippingNewline: true)
        }
        guard let line, !line.isEmpty else { throw CLIError("no \(what) on standard input") }
        return line
    }
}

/// Reads a line from the terminal on standard input with its echo off, and gives the terminal back as it
/// was however the read ends: a line, end of input, or SIGINT, SIGTERM or SIGHUP, whose handler restores the
/// terminal and then dies of the same signal (so the shell sees the usual status). A terminal left without
/// echo would hide everything typed afterwards.
enum HiddenInput {
    /// The settings to put back; written before the handlers are installed, read only by them and by `line`.
    nonisolated(unsafe) fileprivate static var saved = termios()
    private static let signals = [SIGINT, SIGTERM, SIGHUP]

    static func line() -> String? {
        guard tcgetattr(STDIN_FILENO, &saved) == 0 else { return readLine(strippingNewline: true) }
        var quiet = saved
        // ECHONL: the Return that ends the line still moves the cursor to the next line.
        quiet.c_lflag = (quiet.c_lflag & ~tcflag_t(ECHO)) | tcflag_t(ECHONL)
        let previous = signals.map { signal($0, restoreTerminalAndDie) }
        defer {
            tcsetattr(STDIN_FILENO, TCSANOW, &saved)
            for (number, handler) in zip(signals, previous) { signal(number, handler) }
        }
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
        return readLine(strippingNewline: true)
    }
}

/// The handler while the echo is off. Async-signal-safe: tcsetattr, signal and raise only.
private func restoreTerminalAndDie(_ number: Int32) {
    tcsetattr(STDIN_FILENO, TCSANOW, &HiddenInput.saved)
    signal(number, SIG_DFL)
    raise(number)
}
