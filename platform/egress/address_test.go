package egress

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBlocked(t *testing.T) {
	cases := []struct {
		addr   string
		strict bool // refused when private addresses are not allowed
		always bool // refused even when they are
	}{
		{"8.8.8.8", false, false},
		{"2606:4700::1111", false, false},
		{"127.0.0.1", true, false},
		{"127.9.9.9", true, false},
		{"::1", true, false},
		{"10.1.2.3", true, false},
		{"172.16.0.1", true, false},
		{"192.168.1.1", true, false},
		{"fc00::1", true, false},
		{"fd12:3456::1", true, false},
		{"169.254.1.1", true, false},
		{"fe80::1", true, false},
		{"100.64.0.1", true, false},
		{"100.127.255.254", true, false},
		{"0.1.2.3", true, false},
		{"198.18.0.1", true, false},
		{"::ffff:127.0.0.1", true, false},
		{"::ffff:10.0.0.1", true, false},
		{"::127.0.0.1", true, false},
		{"64:ff9b::7f00:1", true, false},
		{"64:ff9b::808:808", false, false},
		{"2002:7f00:1::", true, false},
		{"2001:0:1234::1", true, false},
		{"0.0.0.0", true, true},
		{"::", true, true},
		{"224.0.0.1", true, true},
		{"ff02::1", true, true},
		{"169.254.169.254", true, true},
		{"::ffff:169.254.169.254", true, true},
		{"fd00:ec2::254", true, true},
		{"100.100.100.200", true, true},
	}
	for _, c := range cases {
		t.Run(c.addr, func(t *testing.T) {
			a := netip.MustParseAddr(c.addr)
			require.Equal(t, c.strict, Blocked(a, false) != "", "allow_private off")
			require.Equal(t, c.always, Blocked(a, true) != "", "allow_private on")
		})
	}
}
