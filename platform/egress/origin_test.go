package egress

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseTarget(t *testing.T) {
	cases := []struct {
		raw  string
		want string // origin, or "" when refused
	}{
		{"http://hooks.example.com/cb", "http://hooks.example.com:80"},
		{"HTTPS://Hooks.Example.COM./cb?x=1", "https://hooks.example.com:443"},
		{"http://hooks.example.com:8080", "http://hooks.example.com:8080"},
		{"http://[::1]:9/x", "http://[::1]:9"},
		{"http://10.0.0.1/x", "http://10.0.0.1:80"},
		{"http://hooks.example.com@127.0.0.1:18998/", ""}, // userinfo trick
		{"http://user:pw@hooks.example.com/", ""},
		{"http://:pw@hooks.example.com/", ""},
		{"ftp://hooks.example.com/", ""},
		{"hooks.example.com/cb", ""},
		{"http:hooks.example.com", ""},
		{"http:///cb", ""},
		{"http://hooks.example.com:0/", ""},
		{"http://hooks.example.com:99999/", ""},
		{"http://hooks.example.com:/", ""},
		{"http://127.1/", ""},
		{"http://0x7f.1/", ""},
		{"http://2130706433/", ""},
		{"http://[fe80::1%25eth0]/", ""},
		{"http://hooks.example.com/#frag", ""},
		{"http://hooks example.com/", ""},
	}
	for _, c := range cases {
		t.Run(c.raw, func(t *testing.T) {
			_, o, err := ParseTarget(c.raw)
			if c.want == "" {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, c.want, o.String())
		})
	}
}

func TestAllowlist(t *testing.T) {
	allow, err := ParseAllowlist([]string{"http://hooks.example.com", "https://ci.example.com:8443/"})
	require.NoError(t, err)
	cases := []struct {
		raw string
		ok  bool
	}{
		{"http://hooks.example.com/any/path?q=1", true},
		{"http://hooks.example.com:80/", true},
		{"http://HOOKS.example.com./x", true},
		{"https://ci.example.com:8443/x", true},
		{"https://hooks.example.com/", false},         // scheme differs
		{"http://hooks.example.com:8080/", false},     // port differs
		{"http://hooks.example.com.evil.net/", false}, // prefix trick
		{"http://hooks.example.comevil.net/", false},  // prefix trick
		{"https://ci.example.com/x", false},           // default port 443 is not 8443
		{"http://evil.net/?http://hooks.example.com", false},
	}
	for _, c := range cases {
		t.Run(c.raw, func(t *testing.T) {
			_, o, err := ParseTarget(c.raw)
			require.NoError(t, err)
			require.Equal(t, c.ok, allow.Allows(o))
		})
	}
	require.True(t, Allowlist(nil).Allows(Origin{Scheme: "http", Host: "x.example", Port: 80}), "an empty list allows any")
}

func TestParseAllowlistRefusesBadEntries(t *testing.T) {
	for _, e := range []string{
		"hooks.example.com", "http://hooks.example.com/cb", "http://u@hooks.example.com", "ftp://hooks.example.com",
		"http://hooks.example.com?x", "http://", "",
	} {
		_, err := ParseAllowlist([]string{"http://ok.example.com", e})
		require.ErrorContains(t, err, "entry 1", e)
	}
}
