/// The release of this source tree: what `sibyl --version` prints, in one place so that every part that
/// names a version names the same one.
public enum SibylVersion { public static let string = "1.0.0" }
