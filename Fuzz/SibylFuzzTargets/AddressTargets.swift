import SibylCore

/// What people type as whitelist rules and what proxies send as `X-Forwarded-For`, one per line.
enum AddressTargets {
    static func rules(_ bytes: [UInt8]) {
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var blocks: [CIDR] = []
        for line in lines {
            if let cidr = try? CIDR(line) {
                require(cidr.contains(cidr.address), "\(cidr) does not hold its own address")
                require((try? CIDR(cidr.description)) == cidr, "\(cidr) does not read back as itself")
                blocks.append(cidr)
            }
            do {
                let rule = try IPRule(line: line, defaultPriority: 1)
                require((try? IPRule(line: rule.description, defaultPriority: 1)) == rule, "\(rule) does not read back as itself")
            } catch {
                requireCode(error, in: [.invalidInput])
            }
        }
        let addresses = lines.compactMap { IPAddress($0) }
        do {
            let whitelist = try IPWhitelist(lines: lines)
            for address in addresses { _ = whitelist.admits(address) }
        } catch {
            requireCode(error, in: [.invalidInput])
        }
        let resolver = ClientAddressResolver(trustedProxies: blocks)
        let client = resolver.resolve(peer: addresses.first, forwardedFor: lines)
        require(addresses.first != nil || client == nil, "a client without a peer")
    }
}
