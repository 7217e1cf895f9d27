import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The data folder holds the SQLite database (password and token hashes, sealed secrets), the secrets key and
/// the model files: only the node's own user may read or list it.
public enum DataFolder {
    /// Sets the process's umask to 077, so that every file and folder the node creates from now on is its
    /// user's only (SQLite's `-wal`, `-shm` and `-journal` files, model files and their temporary copies
    /// included); creates the folder 0700; and tightens what an older version made readable by others: the
    /// folder, the database's files and the secrets key. (The store and the model cache tighten their own.)
    public static func prepare(_ path: String, logger: Logger) throws {
        umask(0o077)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        restrict(path, to: 0o700, logger: logger)
        restrict(path + "/secrets.key", to: 0o600, logger: logger)
    }

    /// Sets `path`'s permission bits when it exists; a failure is logged, not fatal (a folder owned by another
    /// user still works, it is only less private).
    public static func restrict(_ path: String, to mode: mode_t, logger: Logger) {
        guard chmod(path, mode) != 0, errno != ENOENT else { return }
        logger.warning("cannot make a data file private to this user", metadata: ["path": "\(path)", "errno": "\(errno)"])
    }
}
