import SibylCore

/// `call`, sent again while PostgreSQL's pool refuses it a connection within the lease (a machine busy with
/// the rest of the suite): such a call ran nothing, and a node answers it 503, which its client sends again.
/// After 50 refusals the last is thrown.
func resending<R: Sendable>(_ call: @Sendable () async throws(SibylError) -> R) async throws(SibylError) -> R {
    for _ in 1..<50 {
        do {
            return try await call()
        } catch where error.code == .storageUnavailable {
            continue
        }
    }
    return try await call()
}
