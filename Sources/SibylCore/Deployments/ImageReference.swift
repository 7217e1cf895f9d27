/// A container image reference, read by the grammar of the distribution project (`reference.go`), which
/// Docker and Podman both follow: `[host[:port]/]path[:tag][@algorithm:hex]`.
///
/// Sibyl reads it itself because the host decides whose credentials a pull may carry and whether the
/// registry is allowed; an engine handed a malformed reference would contact whatever host it guessed.
public struct ImageReference: Sendable, Equatable, CustomStringConvertible {
    /// The registry's host (and port), lower-cased; `docker.io` when the reference names none.
    public let host: String
    /// The repository below the host, e.g. `library/nginx` or `team/model`.
    public let path: String
    public let tag: String?
    public let digest: String?

    /// Docker Hub's names for itself: references without a host mean it.
    public static let dockerHub = "docker.io"
    private static let dockerHubAliases: Set<String> = ["docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"]
    /// Images an operator built or loaded on the engine: no registry serves them, so they are never pulled.
    public static let localHost = "localhost"

    /// Parses `text`; a reference outside the grammar is a 422 naming the rule it breaks.
    public init(_ text: String) throws(SibylError) {
        func invalid(_ reason: String) -> SibylError {
            SibylError(.invalidInput, "image: \(reason) (expected [HOST[:PORT]/]NAME[:TAG][@sha256:DIGEST], e.g. registry.example.com/team/model:1.2)")
        }
        guard !text.isEmpty, text.utf8.count <= 512 else { throw invalid("1 to 512 characters") }
        var rest = Substring(text)
        var digest: String?
        if let at = rest.firstIndex(of: "@") {
            let value = rest[rest.index(after: at)...]
            guard Self.isDigest(value) else { throw invalid("the digest \"\(value)\" is not ALGORITHM:HEX with at least 32 hex digits") }
            digest = String(value)
            rest = rest[..<at]
        }
        var tag: String?
        if let colon = rest.lastIndex(of: ":"), !rest[rest.index(after: colon)...].contains("/") {
            let value = rest[rest.index(after: colon)...]
            guard Self.isTag(value) else { throw invalid("the tag \"\(value)\" must be 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'") }
            tag = String(value)
            rest = rest[..<colon]
        }
        var components = rest.split(separator: "/", omittingEmptySubsequences: false)
        var host = Self.dockerHub
        if components.count > 1, let first = components.first,
            first.contains(".") || first.contains(":") || first == Self.localHost || first.contains(where: \.isUppercase)
        {
            guard Self.isHost(first) else { throw invalid("the registry host \"\(first)\" is not a host name or address with an optional port") }
            host = first.lowercased()
            components.removeFirst()
        }
        if Self.dockerHubAliases.contains(host) {
            host = Self.dockerHub
            if components.count == 1 { components.insert("library", at: 0) }
        }
        guard !components.isEmpty, components.allSatisfy(Self.isPathComponent) else {
            throw invalid("the name \"\(rest)\" must be lower-case letters and digits, separated by '/', '.', '_', '__' or '-'")
        }
        let path = components.joined(separator: "/")
        guard (host + "/" + path).utf8.count <= 255 else { throw invalid("the name is longer than 255 characters") }
        self.host = host
        self.path = path
        self.tag = tag
        self.digest = digest
    }

    /// The reference with its host spelled out, as the engine reads it.
    public var description: String {
        host + "/" + path + (tag.map { ":" + $0 } ?? (digest == nil ? ":latest" : "")) + (digest.map { "@" + $0 } ?? "")
    }

    /// An operator's image on the engine itself (`localhost/…`).
    public var isLocal: Bool { host == Self.localHost }

    /// The registry host named by a credential's `registry_url` (`https://host:port/v1/`, `host`, …), in the
    /// same spelling as `host`.
    public static func registryHost(_ url: String) -> String {
        var text = Substring(url.lowercased())
        if let scheme = text.firstRange(of: "://") { text = text[scheme.upperBound...] }
        let host = String(text.prefix { $0 != "/" })
        return dockerHubAliases.contains(host) ? dockerHub : host
    }

    private static func isAlphanumeric(_ c: Character) -> Bool { c.isASCII && (c.isLowercase || c.isNumber) }

    /// `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`
    private static func isPathComponent(_ text: Substring) -> Bool {
        let characters = Array(text)
        guard let first = characters.first, let last = characters.last, isAlphanumeric(first), isAlphanumeric(last) else { return false }
        var i = 0
        while i < characters.count {
            if isAlphanumeric(characters[i]) {
                i += 1
                continue
            }
            var separator = ""
            while i < characters.count, !isAlphanumeric(characters[i]) {
                separator.append(characters[i])
                i += 1
            }
            guard separator == "." || separator == "_" || separator == "__" || separator.allSatisfy({ $0 == "-" }) else { return false }
        }
        return true
    }

    /// `[\w][\w.-]{0,127}`
    private static func isTag(_ text: Substring) -> Bool {
        guard let first = text.first, text.count <= 128 else { return false }
        let word: (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        return word(first) && text.allSatisfy { word($0) || $0 == "." || $0 == "-" }
    }

    /// A domain name of `[a-zA-Z0-9-]` labels (no leading or trailing hyphen) or a bracketed IPv6 address,
    /// with an optional port.
    private static func isHost(_ text: Substring) -> Bool {
        var name = text
        if name.hasPrefix("[") {
            guard let close = name.firstIndex(of: "]"), IPAddress(String(name[name.index(after: name.startIndex)..<close])) != nil else {
                return false
            }
            name = name[name.index(after: close)...]
            return name.isEmpty || isPort(name)
        }
        if let colon = name.firstIndex(of: ":") {
            guard isPort(name[colon...]) else { return false }
            name = name[..<colon]
        }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        return !labels.isEmpty && labels.allSatisfy { label in
            guard let first = label.first, let last = label.last, first != "-", last != "-" else { return false }
            return label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    /// `:` and 1 to 5 digits.
    private static func isPort(_ text: Substring) -> Bool {
        let digits = text.dropFirst()
        return text.first == ":" && (1...5).contains(digits.count) && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// `[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}`
    private static func isDigest(_ text: Substring) -> Bool {
        guard let colon = text.firstIndex(of: ":") else { return false }
        let algorithm = text[..<colon], hex = text[text.index(after: colon)...]
        let components = algorithm.split(omittingEmptySubsequences: false) { "-_+.".contains($0) }
        let validAlgorithm = components.allSatisfy { component in
            guard let first = component.first, first.isASCII, first.isLetter else { return false }
            return component.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
        }
        return validAlgorithm && hex.count >= 32 && hex.allSatisfy(\.isHexDigit)
    }
}
