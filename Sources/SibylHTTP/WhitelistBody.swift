import SibylCore

/// A whitelist rule as the management API answers it.
public struct RuleAnswer: Encodable, Equatable {
    public let cidr: String
    public let action: String
    public let priority: Int

    public static func list(_ whitelist: IPWhitelist) -> [RuleAnswer] {
        whitelist.rules.map { RuleAnswer(cidr: $0.cidr.description, action: $0.action.rawValue, priority: $0.priority) }
    }
}

/// Whitelists as management requests give them: a list of CIDR blocks (allow rules, in order) or a list of
/// rules `{"cidr", "action" (default allow), "priority" (default: its place in the list)}`, never both.
public enum WhitelistBody {
    /// The names a rule's fields go by: Sibyl's, or Prediction One's (`source`, `order`).
    public struct RuleFields: Sendable {
        let cidr: String
        let action: String
        public var all: Set<String> { [cidr, action, "priority"] }

        public static let sibyl = RuleFields(cidr: "cidr", action: "action")
        public static let predictionOne = RuleFields(cidr: "source", action: "order")
    }

    /// The whitelist of `PUT …/ip_whitelist`: `cidrs` or `rules`, one of them required.
    public static func replacement(_ body: JSONBody) throws(SibylError) -> IPWhitelist {
        guard let whitelist = try whitelist(body, cidrsKey: "cidrs", rulesKey: "rules") else {
            throw SibylError(.invalidInput, "cidrs or rules: required")
        }
        return whitelist
    }

    /// One block's rule as `POST …/ip_whitelist` names it, for `IPWhitelist.set(cidr:action:priority:)`.
    public static func rule(_ body: JSONBody) throws(SibylError) -> (cidr: String, action: String?, priority: Int?) {
        (try body.requiredString("cidr"), try body.string("action"), try body.int("priority"))
    }

    /// The whitelist named by `cidrsKey` or `rulesKey`; nil when the body names neither.
    public static func whitelist(_ body: JSONBody, cidrsKey: String, rulesKey: String) throws(SibylError) -> IPWhitelist? {
        let cidrs = try body.strings(cidrsKey)
        let rules = try rules(body, key: rulesKey, fields: .sibyl)
        if cidrs != nil, rules != nil { throw SibylError(.invalidInput, "give \(cidrsKey) or \(rulesKey), not both") }
        if let cidrs { return try IPWhitelist(parsing: cidrs) }
        return rules
    }

    /// The whitelist of a rules array; nil when the body has none.
    public static func rules(_ body: JSONBody, key: String, fields: RuleFields) throws(SibylError) -> IPWhitelist? {
        guard let items = try body.objects(key, allowed: fields.all) else { return nil }
        var parsed: [IPRule] = []
        for (index, item) in items.enumerated() {
            do {
                parsed.append(
                    try IPRule(
                        cidr: try item.requiredString(fields.cidr), action: try item.string(fields.action),
                        priority: try item.int("priority"), defaultPriority: index + 1))
            } catch {
                throw SibylError(.invalidInput, "\(key)[\(index)]: \(error.message)")
            }
        }
        return try IPWhitelist(rules: parsed)
    }
}
