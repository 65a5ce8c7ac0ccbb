package egress

import "net/netip"

// metadata are cloud instance-metadata endpoints: never a callback target,
// whatever api.callback_allow_private says.
var metadata = []netip.Addr{
	netip.MustParseAddr("169.254.169.254"), // AWS, GCP, Azure, OpenStack
	netip.MustParseAddr("169.254.0.23"),    // Tencent Cloud
	netip.MustParseAddr("fd00:ec2::254"),   // AWS IMDS over IPv6
	netip.MustParseAddr("100.100.100.200"), // Alibaba Cloud
}

// notPublic are ranges that are not globally reachable (IANA special-purpose
// registries) beyond what netip's own predicates cover.
var notPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // CGNAT shared address space
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, broadcast
	netip.MustParsePrefix("100::/64"),        // discard-only
	netip.MustParsePrefix("2001::/32"),       // Teredo (embeds an obfuscated IPv4)
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("fec0::/10"),       // deprecated site-local
}

// Blocked says why a must not be dialled ("" when it may be). Metadata,
// unspecified and multicast addresses are always refused; loopback,
// private, link-local, CGNAT and other non-public ones unless allowPrivate.
// IPv6 forms that carry an IPv4 address (IPv4-mapped, IPv4-compatible,
// NAT64, 6to4) are judged by that address.
func Blocked(a netip.Addr, allowPrivate bool) string {
	a = a.WithZone("")
	if v4, ok := embeddedV4(a); ok {
		a = v4
	}
	for _, m := range metadata {
		if a == m {
			return "a cloud metadata address"
		}
	}
	switch {
	case !a.IsValid():
		return "not an address"
	case a.IsUnspecified():
		return "an unspecified address"
	case a.IsMulticast():
		return "a multicast address"
	case allowPrivate:
		return ""
	case a.IsLoopback():
		return "a loopback address"
	case a.IsPrivate():
		return "a private address"
	case a.IsLinkLocalUnicast():
		return "a link-local address"
	}
	for _, p := range notPublic {
		if p.Contains(a) {
			return "not a public address"
		}
	}
	return ""
}

// embeddedV4 is the IPv4 address an IPv6 address stands for, if any.
func embeddedV4(a netip.Addr) (netip.Addr, bool) {
	if !a.Is6() {
		return a, false
	}
	if a.Is4In6() {
		return a.Unmap(), true
	}
	b := a.As16()
	v4 := func(i int) netip.Addr { return netip.AddrFrom4([4]byte{b[i], b[i+1], b[i+2], b[i+3]}) }
	switch {
	case isZero(b[:12]) && !a.IsLoopback() && !a.IsUnspecified(): // ::a.b.c.d (deprecated IPv4-compatible)
		return v4(12), true
	case b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && isZero(b[4:12]): // 64:ff9b::/96 NAT64
		return v4(12), true
	case b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4] == 0x00 && b[5] == 0x01: // 64:ff9b:1::/48 local NAT64
		return v4(12), true
	case b[0] == 0x20 && b[1] == 0x02: // 2002::/16 6to4
		return v4(2), true
	}
	return a, false
}

func isZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}
