import ArgumentParser

/// The priority option of `allow` and `deny`, for APIs and deployments alike.
struct RuleOptions: ParsableArguments {
    @Option(help: "Where the rule is checked: the lowest priority that holds the caller decides, deny wins a tie (default: after every other rule; an existing rule keeps its own).")
    var priority: Int?
}

/// Whitelist rules as the server answers them (`{"cidr", "action", "priority"}`).
enum WhitelistRules {
    /// One line per rule, in the order they are checked: `deny 10.0.0.0/8 priority 1`.
    static func lines(_ value: Any?) -> [String] {
        (value as? [[String: Any]] ?? []).map {
            "\(Output.text($0["action"])) \(Output.text($0["cidr"])) priority \(Output.text($0["priority"]))"
        }
    }
}
