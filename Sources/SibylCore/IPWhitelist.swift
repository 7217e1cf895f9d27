/// One entry of an IP whitelist: a CIDR block, whether it allows or denies, and its priority.
public struct IPRule: Hashable, Sendable, CustomStringConvertible {
    public enum Action: String, Sendable, Codable, CaseIterable {
        case allow, deny
    }

    /// Priorities a rule may have; a lower number is checked first.
    public static let priorities = 0...65_535

    public var cidr: CIDR
    public var action: Action
    public var priority: Int

    public init(_ cidr: CIDR, _ action: Action = .allow, priority: Int) {
        self.cidr = cidr
        self.action = action
        self.priority = priority
    }

    /// A rule from its parts as a request names them; each part refused with a reason.
    public init(cidr: String, action: String?, priority: Int?, defaultPriority: Int) throws(SibylError) {
        let parsedAction: Action
        if let action {
            guard let known = Action(rawValue: action) else { throw SibylError(.invalidInput, "action: expected \"allow\" or \"deny\"") }
            parsedAction = known
        } else {
            parsedAction = .allow
        }
        let value = priority ?? defaultPriority
        guard Self.priorities.contains(value) else {
            throw SibylError(.invalidInput, "priority: must be between \(Self.priorities.lowerBound) and \(Self.priorities.upperBound)")
        }
        self.init(try CIDR(cidr), parsedAction, priority: value)
    }

    /// `deny 10.0.0.0/8 priority 5`: how the console and the CLI show a rule, and how `init(line:)` reads it.
    public var description: String { "\(action.rawValue) \(cidr) priority \(priority)" }

    /// A rule as a person types it: `[allow|deny] CIDR [[priority] N]`, allow and `defaultPriority` when left out.
    public init(line: String, defaultPriority: Int) throws(SibylError) {
        var words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        var action: String?
        if let first = words.first, Action(rawValue: first.lowercased()) != nil {
            action = first.lowercased()
            words.removeFirst()
        }
        guard let cidr = words.first else { throw SibylError(.invalidInput, "\"\(line)\": a CIDR block is missing") }
        words.removeFirst()
        if words.first?.lowercased() == "priority" { words.removeFirst() }
        var priority: Int?
        if let word = words.first {
            guard words.count == 1, let number = Int(word) else {
                throw SibylError(.invalidInput, "\"\(line)\": expected [allow|deny] CIDR [priority N]")
            }
            priority = number
        }
        try self.init(cidr: cidr, action: action, priority: priority, defaultPriority: defaultPriority)
    }

    /// The order rules are checked in: by priority, a deny before an allow of the same priority.
    static func checkedBefore(_ a: IPRule, _ b: IPRule) -> Bool {
        if a.priority != b.priority { return a.priority < b.priority }
        return a.action == .deny && b.action == .allow
    }
}

/// Who may call an API or a deployment: ordered allow and deny rules on CIDR blocks.
///
/// The rule with the lowest priority number that contains the caller's address decides; of two at the same
/// priority, deny wins. An address no rule contains is refused, so an empty whitelist admits nobody: an API is
/// closed until someone opens it. A plain whitelist is the special case of allow rules only, where order does
/// not matter. `0.0.0.0/0` holds every IPv4 client and `::/0` every IPv6 client; an IPv4 client reaching a
/// dual-stack listener as `::ffff:a.b.c.d` is an IPv4 client, so `::/0` alone does not hold it.
/// One CIDR block has at most one rule.
public struct IPWhitelist: Hashable, Sendable {
    /// In the order they are checked.
    public private(set) var rules: [IPRule]

    /// Allow rules for `cidrs`, with priorities 1, 2, … in their order.
    public init(_ cidrs: [CIDR] = []) {
        self.rules = []
        for cidr in cidrs { add(cidr) }
    }

    /// Parses every block as an allow rule, refusing the whole list when one is invalid.
    public init(parsing texts: [String]) throws(SibylError) {
        var cidrs: [CIDR] = []
        for text in texts { cidrs.append(try CIDR(text)) }
        self.init(cidrs)
    }

    /// One rule per non-empty line (`IPRule.init(line:)`); a line without a priority gets its place in the list.
    public init(lines: [String]) throws(SibylError) {
        var rules: [IPRule] = []
        for line in lines where !line.allSatisfy(\.isWhitespace) {
            rules.append(try IPRule(line: line, defaultPriority: rules.count + 1))
        }
        try self.init(rules: rules)
    }

    /// Exactly these rules; two rules for one CIDR block are refused.
    public init(rules: [IPRule]) throws(SibylError) {
        var seen = Set<CIDR>()
        for rule in rules where !seen.insert(rule.cidr).inserted {
            throw SibylError(.invalidInput, "\(rule.cidr) has more than one rule: a CIDR block may have one")
        }
        self.rules = rules.sorted(by: IPRule.checkedBefore)
    }

    /// The blocks of the allow rules: the whole whitelist when it has no deny rule.
    public var allowed: [CIDR] { rules.filter { $0.action == .allow }.map(\.cidr) }

    /// The priority after every rule's: where a rule added without one goes.
    public var nextPriority: Int { min((rules.map(\.priority).max() ?? 0) + 1, IPRule.priorities.upperBound) }

    /// Allows a block after every other rule; returns false when an allow rule for it was already there.
    /// A deny rule for the block becomes an allow rule at its priority.
    @discardableResult
    public mutating func add(_ cidr: CIDR) -> Bool {
        if let index = rules.firstIndex(where: { $0.cidr == cidr }) {
            guard rules[index].action == .deny else { return false }
            set(IPRule(cidr, .allow, priority: rules[index].priority))
            return true
        }
        set(IPRule(cidr, .allow, priority: nextPriority))
        return true
    }

    /// Sets a block's rule as a request names it. Without an action or a priority: `add` (allowed after the
    /// other rules, an allowed block left as it is). With either: the block's rule, allow by default, keeping its
    /// old priority, or going after every rule, when no priority is given.
    public mutating func set(cidr text: String, action: String?, priority: Int?) throws(SibylError) {
        let cidr = try CIDR(text)
        guard action != nil || priority != nil else {
            add(cidr)
            return
        }
        let current = rules.first { $0.cidr == cidr }?.priority ?? nextPriority
        set(try IPRule(cidr: text, action: action, priority: priority, defaultPriority: current))
    }

    /// Adds a rule, replacing the rule of its block if there was one.
    public mutating func set(_ rule: IPRule) {
        rules.removeAll { $0.cidr == rule.cidr }
        let index = rules.firstIndex { IPRule.checkedBefore(rule, $0) } ?? rules.endIndex
        rules.insert(rule, at: index)
    }

    /// Removes the rule of a block; returns false when there was none.
    @discardableResult
    public mutating func remove(_ cidr: CIDR) -> Bool {
        guard let index = rules.firstIndex(where: { $0.cidr == cidr }) else { return false }
        rules.remove(at: index)
        return true
    }

    /// Removes a block's rule as a request names the block; a block without a rule is `.notFound`.
    public mutating func remove(cidr text: String) throws(SibylError) {
        guard remove(try CIDR(text)) else { throw SibylError(.notFound, "\(text) is not on the whitelist") }
    }

    /// Whether a client at `address` may call; nil (an address that could not be determined) never may.
    public func admits(_ address: IPAddress?) -> Bool {
        guard let address, let rule = rules.first(where: { $0.cidr.contains(address) }) else { return false }
        return rule.action == .allow
    }
}
