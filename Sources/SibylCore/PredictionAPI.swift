/// A model served at a URL, with its type, lifecycle state and lock (seeds 000/001, PRODUCT.md §2).
public struct PredictionAPI: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// Uses one of the license's API options; no request limit.
        case official
        /// Serves at most `PredictionAPI.trialRequestLimit` requests in total.
        case trial
    }

    public enum Status: String, Sendable, Codable, CaseIterable {
        case building, operating, updating, stopped, deleting, failed
    }

    /// What a prediction that leaves features out gets: an answer (they are missing values, and the answer
    /// counts them in `Sibyl-Missing-Features`), or a refusal naming them.
    public enum MissingFeatures: String, Sendable, Codable, CaseIterable {
        case allow, refuse
    }

    /// How many requests a trial API serves in its whole life.
    public static let trialRequestLimit = 100

    public var id: String
    public var projectID: Int
    /// A label for people (`validate(name:)`); not unique, nil for none.
    public var name: String?
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
    public var missingFeatures: MissingFeatures
    /// The version that answers when no split is set; `modelID` is its model.
    public var version: Int
    /// The highest version number given so far: a new model becomes the next one.
    public var latestVersion: Int
    /// Shares of the predictions among versions; nil when the current version answers them all.
    public var traffic: TrafficSplit?
    /// A version that gets a copy of each answered prediction and never answers: its answers are compared
    /// with the answering version's.
    public var shadow: Int?
    /// Which answered requests are kept with their answers (`Capture`), and for how long.
    public var capture: CaptureSettings = .off

    public init(
        id: String, projectID: Int, name: String? = nil, modelID: String, kind: Kind, status: Status = .building,
        locked: Bool = false, failureReason: String? = nil, createdAt: Int64, requestsUsed: Int = 0,
        missingFeatures: MissingFeatures = .allow
    ) {
        self.id = id
        self.projectID = projectID
        self.name = name
        self.modelID = modelID
        self.kind = kind
        self.status = status
        self.locked = locked
        self.failureReason = failureReason
        self.createdAt = createdAt
        self.updatedAt = createdAt
        self.requestLimit = kind == .trial ? Self.trialRequestLimit : nil
        self.requestsUsed = requestsUsed
        self.missingFeatures = missingFeatures
        version = 1
        latestVersion = 1
    }

    /// The versions whose models answer predictions: the split's, or the current one.
    public var answeringVersions: [Int] { traffic?.versions ?? [version] }

    /// The versions a node keeps compiled: those that answer and the shadow. None of them can be forgotten.
    public var servedVersions: [Int] { answeringVersions + (shadow.map { answeringVersions.contains($0) ? [] : [$0] } ?? []) }

    /// Whether the data plane may answer predictions.
    public var isServing: Bool { status == .operating || status == .updating }

    /// Requests a trial API has left; nil for an official API.
    public var requestsLeft: Int? { requestLimit.map { max(0, $0 - requestsUsed) } }

    /// A trial API that has served all of its requests: it answers 429 until promoted to official.
    public var isExhausted: Bool { requestsLeft == 0 }

    /// Names of APIs and keys are labels for people: 1 to 100 printable characters.
    public static func validate(name: String) throws(SibylError) {
        guard (1...100).contains(name.count), !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { throw SibylError(.invalidInput, "name: must be 1 to 100 printable characters") }
    }
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

    /// Refuses any edit of a locked API (everything but revoking a key and unlocking), naming what was asked.
    public func checkUnlocked(before verb: String) throws(SibylError) {
        if locked { throw SibylError(.conflict, "the API is locked: an admin must unlock it before \(verb)") }
    }

    /// Serving a new model, as the next version, which takes all the traffic (a split ends): a serving API
    /// rolls out as `updating`; a stopped one stays stopped.
    public func changingModel(to modelID: String) throws(SibylError) -> PredictionAPI {
        try checkUnlocked(before: "its model can be changed")
        try checkModelChangeable()
        var next = self
        next.latestVersion += 1
        next.version = next.latestVersion
        next.modelID = modelID
        next.traffic = nil
        if isServing { next.status = .updating }
        return next
    }

    /// Numbers a new version without serving it: the current version and any split stay as they are, and
    /// the new one can be given a share of the traffic or made current.
    public func addingVersion() throws(SibylError) -> PredictionAPI {
        try checkUnlocked(before: "versions can be added")
        try checkModelChangeable()
        var next = self
        next.latestVersion += 1
        return next
    }

    /// Makes an earlier (or later) version current again, with all the traffic: a rollback. Asking for the
    /// version that already answers everything changes nothing.
    public func rollingBack(to version: ModelVersion) throws(SibylError) -> PredictionAPI {
        guard version.number != self.version || traffic != nil else { return self }
        try checkUnlocked(before: "its version can be changed")
        try checkModelChangeable()
        var next = self
        next.version = version.number
        next.modelID = version.modelID
        next.traffic = nil
        if isServing { next.status = .updating }
        return next
    }

    /// Shares the predictions among versions (each one of `known`), or gives them all back to the current
    /// version (nil).
    public func splitting(_ split: TrafficSplit?, known: Set<Int>) throws(SibylError) -> PredictionAPI {
        guard split != traffic else { return self }
        try checkUnlocked(before: "its traffic can be split")
        try checkModelChangeable()
        if let unknown = split?.versions.first(where: { !known.contains($0) }) {
            throw SibylError(.invalidInput, "split: the API has no version \(unknown)")
        }
        var next = self
        next.traffic = split
        return next
    }

    /// Gives a version a copy of every answered prediction (or, nil, ends the shadow). The version must be
    /// one of `known`.
    public func shadowing(_ version: Int?, known: Set<Int>) throws(SibylError) -> PredictionAPI {
        guard version != shadow else { return self }
        try checkUnlocked(before: "its shadow can be changed")
        try checkModelChangeable()
        if let version, !known.contains(version) { throw SibylError(.invalidInput, "version: the API has no version \(version)") }
        var next = self
        next.shadow = version
        return next
    }

    /// Sets which answered requests are kept with their answers, and for how long.
    public func capturing(_ settings: CaptureSettings) throws(SibylError) -> PredictionAPI {
        guard settings != capture else { return self }
        try checkUnlocked(before: "its capture can be changed")
        var next = self
        next.capture = settings
        return next
    }

    /// Models can change on an API that operates, is updating or is stopped.
    private func checkModelChangeable() throws(SibylError) {
        switch status {
        case .operating, .updating, .stopped: return
        case .building: throw SibylError(.conflict, "the API is still building")
        case .failed: throw SibylError(.conflict, "the API failed to build: delete it and create it again")
        case .deleting: throw SibylError(.conflict, "the API is being deleted")
        }
    }

    /// A name, a missing-features rule or a promotion to official (whose license check is the store's, in
    /// the transaction that writes it). An official API never becomes a trial one: its requests are not
    /// counted, so a limit would start from nothing.
    public func edited(name: String?? = nil, missingFeatures: MissingFeatures? = nil, kind: Kind? = nil) throws(SibylError)
        -> PredictionAPI
    {
        try checkUnlocked(before: "it can be changed")
        var next = self
        if let name { next.name = name }
        if let missingFeatures { next.missingFeatures = missingFeatures }
        switch (self.kind, kind) {
        case (_, nil), (.official, .official?), (.trial, .trial?): break
        case (.trial, .official?):
            next.kind = .official
            next.requestLimit = nil
        case (.official, .trial?):
            throw SibylError(.invalidInput, "type: an official API cannot become a trial API")
        }
        return next
    }
}

/// An API with everything the data plane needs to serve it.
public struct APIRecord: Sendable, Equatable {
    public var api: PredictionAPI
    public var keys: [APIKey]
    public var whitelist: IPWhitelist
    /// Every model the API has served, oldest first.
    public var versions: [ModelVersion]

    public init(api: PredictionAPI, keys: [APIKey], whitelist: IPWhitelist, versions: [ModelVersion]? = nil) {
        self.api = api
        self.keys = keys
        self.whitelist = whitelist
        self.versions = versions ?? [ModelVersion(number: api.version, modelID: api.modelID, createdAt: api.createdAt)]
    }

    public func version(_ number: Int) -> ModelVersion? {
        versions.first { $0.number == number }
    }
}
