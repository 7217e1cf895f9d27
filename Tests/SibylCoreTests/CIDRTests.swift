import SibylCore
import Testing

@Suite struct CIDRTests {
    @Test(arguments: [
        ("10.0.0.0/8", "10.0.0.0/8"), ("0.0.0.0/0", "0.0.0.0/0"), ("::/0", "::/0"), ("192.168.1.7", "192.168.1.7/32"),
        ("192.168.1.7/32", "192.168.1.7/32"), ("2001:db8::/32", "2001:db8::/32"), ("2001:DB8::1/128", "2001:db8::1/128"),
        ("::ffff:10.0.0.0/104", "10.0.0.0/8"), ("::ffff:192.0.2.1", "192.0.2.1/32"), ("::1", "::1/128"),
        ("fe80::/10", "fe80::/10"), ("1:2:3:4:5:6:7:8/128", "1:2:3:4:5:6:7:8/128"), ("::ffff:0:0/96", "0.0.0.0/0"),
    ])
    func parsesAndNormalises(text: String, expected: String) throws {
        #expect(try CIDR(text).description == expected)
    }

    @Test(arguments: [
        "10.0.0.5/8", "192.168.1.1/24", "2001:db8::1/32", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/",
        "10.0.0.0/08", "010.0.0.1", "1.2.3", "1.2.3.4.5", "256.0.0.0", "fe80::1%eth0", " 10.0.0.0/8", "10.0.0.0 /8",
        "", "abc", "1::2::3", "::ffff:10.0.0.0/90", "12345::", "1:2:3:4:5:6:7:8:9", "10.0.0.0/8/8", "0x0a.0.0.0",
    ])
    func refusesWithAReason(text: String) {
        #expect(throws: SibylError.self) { try CIDR(text) }
        do {
            _ = try CIDR(text)
        } catch {
            #expect(error.code == .invalidInput)
            #expect(!error.message.isEmpty)
        }
    }

    @Test func hostBitsSuggestTheNetwork() {
        #expect(throws: SibylError(.invalidInput, "\"10.0.0.5/8\" has host bits set: did you mean 10.0.0.0/8?")) {
            try CIDR("10.0.0.5/8")
        }
    }

    @Test func everyIPv4AddressMatchesTheIPv4Wildcard() throws {
        let all = try IPWhitelist(parsing: ["0.0.0.0/0"])
        for text in ["0.0.0.0", "1.2.3.4", "255.255.255.255", "::ffff:8.8.8.8"] {
            #expect(all.admits(IPAddress(text)), "\(text)")
        }
        #expect(!all.admits(IPAddress("::1")))
        #expect(!all.admits(IPAddress("2001:db8::1")))
    }

    @Test func everyIPv6AddressMatchesTheIPv6WildcardButNotMappedIPv4() throws {
        let all = try IPWhitelist(parsing: ["::/0"])
        #expect(all.admits(IPAddress("::1")))
        #expect(all.admits(IPAddress("2001:db8::1")))
        #expect(!all.admits(IPAddress("::ffff:10.1.2.3")))
        #expect(!all.admits(IPAddress("10.1.2.3")))
    }

    @Test func mappedPeersMatchIPv4Entries() throws {
        let list = try IPWhitelist(parsing: ["10.0.0.0/8"])
        #expect(list.admits(IPAddress("::ffff:10.1.2.3")))
        #expect(list.admits(IPAddress("10.255.255.255")))
        #expect(!list.admits(IPAddress("11.0.0.0")))
        #expect(!list.admits(IPAddress("::ffff:11.0.0.1")))
    }

    @Test func singleHostsAndBoundaries() throws {
        let list = try IPWhitelist(parsing: ["192.168.1.7/32", "2001:db8::1/128", "172.16.0.0/12"])
        #expect(list.admits(IPAddress("192.168.1.7")))
        #expect(!list.admits(IPAddress("192.168.1.8")))
        #expect(list.admits(IPAddress("2001:db8::1")))
        #expect(!list.admits(IPAddress("2001:db8::2")))
        #expect(list.admits(IPAddress("172.31.255.255")))
        #expect(!list.admits(IPAddress("172.32.0.0")))
        #expect(!list.admits(IPAddress("172.15.255.255")))
    }

    @Test func anEmptyWhitelistAdmitsNobody() {
        let empty = IPWhitelist()
        for text in ["127.0.0.1", "::1", "8.8.8.8"] { #expect(!empty.admits(IPAddress(text))) }
        #expect(!IPWhitelist([try! CIDR("0.0.0.0/0")]).admits(nil))
    }

    @Test func addAndRemoveAreExact() throws {
        var list = IPWhitelist()
        #expect(list.add(try CIDR("10.0.0.0/8")))
        #expect(!list.add(try CIDR("10.0.0.0/8")))
        #expect(list.allowed.map(\.description) == ["10.0.0.0/8"])
        #expect(!list.remove(try CIDR("10.0.0.0/16")))
        #expect(list.remove(try CIDR("10.0.0.0/8")))
        #expect(list.rules.isEmpty)
    }

    @Test func theLowestPriorityThatHoldsTheAddressDecides() throws {
        let list = try IPWhitelist(rules: [
            IPRule(try CIDR("0.0.0.0/0"), .allow, priority: 30),
            IPRule(try CIDR("10.0.0.0/8"), .deny, priority: 20),
            IPRule(try CIDR("10.1.0.0/16"), .allow, priority: 10),
        ])
        #expect(list.rules.map(\.priority) == [10, 20, 30])
        #expect(list.admits(IPAddress("10.1.2.3")))
        #expect(!list.admits(IPAddress("10.2.0.1")))
        #expect(list.admits(IPAddress("8.8.8.8")))
        // No rule holds an IPv6 address: refused, as by an empty list.
        #expect(!list.admits(IPAddress("2001:db8::1")))
        #expect(list.allowed.map(\.description) == ["10.1.0.0/16", "0.0.0.0/0"])
    }

    @Test func atOnePriorityDenyWins() throws {
        let list = try IPWhitelist(rules: [
            IPRule(try CIDR("192.168.0.0/16"), .allow, priority: 5), IPRule(try CIDR("192.168.1.0/24"), .deny, priority: 5),
        ])
        #expect(!list.admits(IPAddress("192.168.1.9")))
        #expect(list.admits(IPAddress("192.168.2.9")))
    }

    @Test func aBlockHasOneRule() throws {
        #expect(throws: SibylError.self) {
            try IPWhitelist(rules: [IPRule(try CIDR("10.0.0.0/8"), .allow, priority: 1), IPRule(try CIDR("10.0.0.0/8"), .deny, priority: 2)])
        }
        var list = try IPWhitelist(rules: [IPRule(try CIDR("10.0.0.0/8"), .deny, priority: 7)])
        // A plain add of a denied block allows it at the same priority; one of a new block goes after the rest.
        #expect(list.add(try CIDR("10.0.0.0/8")))
        #expect(list.rules == [IPRule(try CIDR("10.0.0.0/8"), .allow, priority: 7)])
        list.add(try CIDR("172.16.0.0/12"))
        #expect(list.rules.last == IPRule(try CIDR("172.16.0.0/12"), .allow, priority: 8))
        list.set(IPRule(try CIDR("172.16.0.0/12"), .deny, priority: 1))
        #expect(list.rules.map(\.description) == ["deny 172.16.0.0/12 priority 1", "allow 10.0.0.0/8 priority 7"])
    }

    @Test func rulesReadFromLinesAsTheyArePrinted() throws {
        let list = try IPWhitelist(lines: ["10.0.0.0/8", "  ", "deny 10.9.0.0/16 priority 1", "allow ::/0 9"])
        #expect(list.rules.map(\.description) == ["deny 10.9.0.0/16 priority 1", "allow 10.0.0.0/8 priority 1", "allow ::/0 priority 9"])
        #expect(try IPWhitelist(lines: list.rules.map(\.description)) == list)
        #expect(throws: SibylError.self) { try IPWhitelist(lines: ["deny"]) }
        #expect(throws: SibylError.self) { try IPWhitelist(lines: ["deny 10.0.0.0/8 priority five"]) }
    }

    @Test func rulePartsAreChecked() throws {
        #expect(throws: SibylError.self) { try IPRule(cidr: "10.0.0.0/8", action: "permit", priority: 1, defaultPriority: 1) }
        #expect(throws: SibylError.self) { try IPRule(cidr: "10.0.0.0/8", action: "deny", priority: 65_536, defaultPriority: 1) }
        #expect(throws: SibylError.self) { try IPRule(cidr: "10.0.0.1/8", action: "deny", priority: 1, defaultPriority: 1) }
        #expect(try IPRule(cidr: "10.0.0.0/8", action: nil, priority: nil, defaultPriority: 4) == IPRule(try CIDR("10.0.0.0/8"), .allow, priority: 4))
    }

    @Test func addressesPrintInCanonicalForm() {
        #expect(IPAddress("2001:0db8:0000:0000:0000:0000:0000:0001")?.description == "2001:db8::1")
        #expect(IPAddress("::ffff:1.2.3.4")?.description == "1.2.3.4")
        #expect(IPAddress("1:0:0:2:0:0:0:3")?.description == "1:0:0:2::3")
        #expect(IPAddress("::")?.description == "::")
    }
}

@Suite struct ClientAddressTests {
    let proxy = ClientAddressResolver(trustedProxies: [try! CIDR("127.0.0.1/32"), try! CIDR("10.0.0.0/8")])

    @Test func forwardedHeadersAreIgnoredFromUntrustedPeers() {
        let none = ClientAddressResolver(trustedProxies: [])
        #expect(none.resolve(peer: IPAddress("127.0.0.1"), forwardedFor: ["8.8.8.8"]) == IPAddress("127.0.0.1"))
        #expect(proxy.resolve(peer: IPAddress("192.0.2.9"), forwardedFor: ["8.8.8.8"]) == IPAddress("192.0.2.9"))
    }

    @Test func theRightmostUntrustedHopIsTheClient() {
        // The client put a spoofed address first; the proxy appended the real one.
        #expect(proxy.resolve(peer: IPAddress("127.0.0.1"), forwardedFor: ["1.1.1.1, 203.0.113.5"]) == IPAddress("203.0.113.5"))
        #expect(
            proxy.resolve(peer: IPAddress("127.0.0.1"), forwardedFor: ["1.1.1.1, 203.0.113.5, 10.1.1.1"])
                == IPAddress("203.0.113.5"))
        #expect(proxy.resolve(peer: IPAddress("127.0.0.1"), forwardedFor: ["1.1.1.1", "203.0.113.5"]) == IPAddress("203.0.113.5"))
        #expect(proxy.resolve(peer: IPAddress("::ffff:127.0.0.1"), forwardedFor: ["203.0.113.5"]) == IPAddress("203.0.113.5"))
    }

    @Test func garbageMakesTheClientUnknown() {
        #expect(proxy.resolve(peer: IPAddress("127.0.0.1"), forwardedFor: ["not-an-ip"]) == nil)
        #expect(proxy.resolve(peer: IPAddress("127.0.0.1"), forwardedFor: ["1.1.1.1:80"]) == nil)
        #expect(proxy.resolve(peer: IPAddress("127.0.0.1"), forwardedFor: ["unknown, 10.0.0.1"]) == nil)
        #expect(proxy.resolve(peer: IPAddress("127.0.0.1"), forwardedFor: [Array(repeating: "1.1.1.1", count: 1000).joined(separator: ",")]) == nil)
        #expect(proxy.resolve(peer: nil, forwardedFor: ["1.1.1.1"]) == nil)
    }

    @Test func onlyTrustedHopsMeansTheLastOneIsTheClient() {
        #expect(proxy.resolve(peer: IPAddress("127.0.0.1"), forwardedFor: ["10.0.0.2"]) == IPAddress("10.0.0.2"))
    }
}
