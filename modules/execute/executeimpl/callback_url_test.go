package executeimpl_test

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/modules/execute/executeimpl"
	"github.com/bkjob/bkjob/modules/execute/executetest"
	"github.com/bkjob/bkjob/platform/errs"
)

// TestCallbackURLRefused: callback_url is checked by parsed scheme, host
// and port; a refusal is an invalid-param error naming callback_url and
// creates nothing.
func TestCallbackURLRefused(t *testing.T) {
	allow := executetest.WithCallbackAllowlist("http://hooks.example.com")
	private := executetest.WithCallbackAllowPrivate()
	// Accepted callbacks are sent once their job ends: never to the real
	// hooks.example.com.
	noDNS := executetest.WithOptions(executeimpl.Options{ReconcileInterval: 200 * time.Millisecond,
		CallbackLookup: func(context.Context, string) ([]netip.Addr, error) { return nil, errors.New("no DNS in tests") }})
	cases := []struct {
		name string
		env  []executetest.EnvOption
		url  string
		ok   bool
	}{
		{"allowlisted", []executetest.EnvOption{allow}, "http://hooks.example.com/cb?job=1", true},
		{"userinfo trick", []executetest.EnvOption{allow}, "http://hooks.example.com@127.0.0.1:18998/", false},
		{"userinfo trick, private allowed", []executetest.EnvOption{allow, private}, "http://hooks.example.com@127.0.0.1:18998/", false},
		{"prefix trick: longer host", []executetest.EnvOption{allow}, "http://hooks.example.com.evil.net/cb", false},
		{"prefix trick: host suffix", []executetest.EnvOption{allow}, "http://hooks.example.comevil.net/cb", false},
		{"other scheme", []executetest.EnvOption{allow}, "https://hooks.example.com/cb", false},
		{"other port", []executetest.EnvOption{allow}, "http://hooks.example.com:8080/cb", false},
		{"not http", nil, "ftp://hooks.example.com/cb", false},
		{"loopback", nil, "http://127.0.0.1:18998/", false},
		{"mapped loopback", nil, "http://[::ffff:127.0.0.1]:18998/", false},
		{"localhost", nil, "http://localhost:18998/", false},
		{"private", nil, "http://10.0.0.5/cb", false},
		{"private allowed", []executetest.EnvOption{private}, "http://10.0.0.5/cb", true},
		{"cgnat", nil, "http://100.64.1.1/cb", false},
		{"metadata", nil, "http://169.254.169.254/latest/meta-data/", false},
		{"metadata, private allowed", []executetest.EnvOption{private}, "http://169.254.169.254/latest/meta-data/", false},
		{"ec2 ipv6 metadata, private allowed", []executetest.EnvOption{private}, "http://[fd00:ec2::254]/", false},
		{"public", nil, "https://hooks.example.com/cb", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := executetest.NewEnv(t, append(tc.env, noDNS)...)
			hosts := executetest.AddHosts(t, env.DB, 1, 1)
			req := scriptReq(hosts...)
			req.CallbackURL = tc.url
			_, err := env.Engine.FastExecuteScript(ctx, req)
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, errs.ErrInvalid)
			require.Equal(t, "callback_url", errs.From(err).Field, err.Error())
			var n int64
			require.NoError(t, env.DB.Table("task_instance").Count(&n).Error)
			require.Zero(t, n, "nothing created")
		})
	}
}
