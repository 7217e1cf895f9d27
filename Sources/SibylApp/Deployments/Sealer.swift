import Crypto
import Foundation
import SibylCore

/// Seals registry passwords and secret values at rest (AES-256-GCM) with the node's secrets key, so that
/// a copy of the database alone reveals none of them. The key comes from the configuration
/// (`SIBYL_SECRETS_KEY`, 32 bytes in base64) or, when absent, from `secrets.key` in the data directory,
/// made at the first start with permissions 0600.
public struct Sealer: Sendable {
    private let key: SymmetricKey

    public init(configuration: ServerConfiguration) throws {
        if let given = configuration.secretsKey {
            guard let bytes = Data(base64Encoded: given), bytes.count == 32 else {
                throw SibylError(.invalidInput, "SIBYL_SECRETS_KEY: expected 32 bytes in base64 (e.g. openssl rand -base64 32)")
            }
            key = SymmetricKey(data: bytes)
            return
        }
        let path = configuration.dataDirectory + "/secrets.key"
        if let text = try? String(contentsOfFile: path, encoding: .utf8),
            let bytes = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count == 32
        {
            key = SymmetricKey(data: bytes)
            return
        }
        let fresh = SymmetricKey(size: .bits256)
        let text = fresh.withUnsafeBytes { Data($0).base64EncodedString() }
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw SibylError(.internalError, "could not write the secrets key to the data directory")
        }
        key = fresh
    }

    /// The text sealed: nonce, ciphertext and tag, in base64.
    public func seal(_ text: String) -> String {
        // Sealing with a fresh random nonce cannot fail for a 256-bit key.
        try! AES.GCM.seal(Data(text.utf8), using: key).combined!.base64EncodedString()
    }

    public func open(_ sealed: String) throws(SibylError) -> String {
        guard let data = Data(base64Encoded: sealed), let box = try? AES.GCM.SealedBox(combined: data),
            let plain = try? AES.GCM.open(box, using: key)
        else { throw SibylError(.internalError, "a stored secret could not be opened: was the secrets key changed?") }
        return String(decoding: plain, as: UTF8.self)
    }
}
