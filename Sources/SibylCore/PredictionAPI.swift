/// A model served at a URL, with its type, lifecycle state and lock (seeds 000/001, PRODUCT.md §2).
public struct PredictionAPI: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// Uses one of the license's API options; no request limit.
        case official
        /// Serves at most `PredictionAPI.trialRequestLimit` requests in total.
        case trial
    }

    public enum Status: String, Sendable, Codable, CaseIterable {
        case building, operating, updating, stopped, deleting, failed
    }

    /// How many requests a trial API serves in its whole life.
    public static let trialRequestLimit = 100

    public var id: String
    public var projectID: Int
    public var modelID: String
    public var kind: Kind
    public var status: Status
    public var locked: Bool
    /// Why the build failed, when `status` is `failed`.
    public var failureReason: String?
    /// Seconds since 1970, UTC.
    public var createdAt: Int64
    /// When its state, lock, model or whitelist last changed; seconds since 1970, UTC.
    public var updatedAt: Int64
    /// The trial limit; nil for official APIs.
    public var requestLimit: Int?
    public var requestsUsed: Int

    public init(
        id: String, projectID: Int, modelID: String, kind: Kind, status: Status = .building,
        locked: Bool = false, failureReason: String? = nil, createdAt: Int64, requestsUsed: Int = 0
    ) {
        self.id = id
        self.projectID = projectID
        self.modelID = modelID
        self.kind = kind
        self.status = status
        self.locked = locked
        self.failureReason = failureReason
        self.createdAt = createdAt
        self.updatedAt = createdAt
        self.requestLimit = kind == .trial ? Self.trialRequestLimit : nil
        self.requestsUsed = requestsUsed
    }

    /// Whether the data plane may answer predictions.
    public var isServing: Bool { status == .operating || status == .updating }
}

/// The lifecycle rules of a prediction API as pure functions: each returns the next state or throws why not.
///
/// Asking for the state an API is already in succeeds and changes nothing, so scripts may repeat a call.
extension PredictionAPI {
    public func stopped() throws(SibylError) -> PredictionAPI {
        if locked { throw SibylError(.conflict, "the API is locked: an admin must unlock it before it can be stopped") }
        switch status {
        case .stopped: return self
        case .operating, .updating, .failed:
            var next = self
            next.status = .stopped
            return next
        case .building: throw SibylError(.conflict, "the API is still building")
        case .deleting: throw SibylError(.conflict, "the API is being deleted")
        }
    }

    public func started() throws(SibylError) -> PredictionAPI {
        switch status {
        case .operating, .updating: return self
        case .stopped:
            var next = self
            next.status = .operating
            return next
        case .building: throw SibylError(.conflict, "the API is still building")
        case .failed: throw SibylError(.conflict, "the API failed to build: delete it and create it again")
        case .deleting: throw SibylError(.conflict, "the API is being deleted")
        }
    }

    /// Checks that the API may be deleted: it must be stopped (and so unlocked).
    public func deleting() throws(SibylError) -> PredictionAPI {
        if locked { throw SibylError(.conflict, "the API is locked: an admin must unlock it before it can be deleted") }
        guard status == .stopped else {
            throw SibylError(.conflict, "only a stopped API can be deleted: stop it first")
        }
        var next = self
        next.status = .deleting
        return next
    }

    /// Any project member may lock.
    public func lockedByMember() -> PredictionAPI {
        var next = self
        next.locked = true
        return next
    }

    /// Only an admin may unlock.
    public func unlocked(by role: Role) throws(SibylError) -> PredictionAPI {
        guard role == .admin else { throw SibylError(.forbidden, "only an admin can unlock an API") }
        var next = self
        next.locked = false
        return next
    }

    /// Serving a new model: a serving API rolls out as `updating`; a stopped one stays stopped.
    public func changingModel(to modelID: String) throws(SibylError) -> PredictionAPI {
        switch status {
        case .operating, .updating, .stopped:
            var next = self
            next.modelID = modelID
            if isServing { next.status = .updating }
            return next
        case .building: throw SibylError(.conflict, "the API is still building")
        case .failed: throw SibylError(.conflict, "the API failed to build: delete it and create it again")
        case .deleting: throw SibylError(.conflict, "the API is being deleted")
        }
    }
}
