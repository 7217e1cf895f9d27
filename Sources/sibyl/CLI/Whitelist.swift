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

    /// Sets the rule of `cidr` in a rule list: an existing rule takes the action (and the priority when one is
    /// given); a new one goes after every other rule unless a priority is given.
    static func set(_ cidr: String, action: String, priority: Int?, in rules: inout [[String: Any]]) {
        if let index = rules.firstIndex(where: { $0["cidr"] as? String == cidr }) {
            rules[index]["action"] = action
            if let priority { rules[index]["priority"] = priority }
            return
        }
        let last = rules.compactMap { $0["priority"] as? Int }.max() ?? 0
        rules.append(["cidr": cidr, "action": action, "priority": priority ?? last + 1])
    }
}
