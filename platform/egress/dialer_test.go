package egress

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// resolveTo is a Lookup that answers every name with addr (no real DNS).
func resolveTo(addr string) func(context.Context, string) ([]netip.Addr, error) {
	return func(context.Context, string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr(addr)}, nil
	}
}

// post sends an empty JSON body to target and returns the answer's status.
func post(t *testing.T, c *http.Client, target string) (int, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, target, strings.NewReader("{}"))
	require.NoError(t, err)
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer func() { _ = resp.Body.Close() }()
	return resp.StatusCode, nil
}

func TestClientRefusesAtDialTime(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	t.Cleanup(srv.Close)
	port := ":" + strconv.Itoa(srv.Listener.Addr().(*net.TCPAddr).Port)

	cases := []struct {
		name    string
		policy  Policy
		target  string
		refused string
	}{
		{"loopback literal", Policy{}, srv.URL, "loopback"},
		{"public-looking name resolved to loopback", Policy{Lookup: resolveTo("127.0.0.1")}, "http://hooks.example.com" + port, "loopback"},
		{"name resolved to a mapped loopback", Policy{Lookup: resolveTo("::ffff:127.0.0.1")}, "http://hooks.example.com" + port, "loopback"},
		{"name resolved to metadata, private allowed", Policy{AllowPrivate: true, Lookup: resolveTo("169.254.169.254")}, "http://hooks.example.com" + port, "metadata"},
		{"loopback allowed", Policy{AllowPrivate: true}, srv.URL, ""},
		{"name resolved to loopback, allowed", Policy{AllowPrivate: true, Lookup: resolveTo("127.0.0.1")}, "http://hooks.example.com" + port, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := hits.Load()
			status, err := post(t, NewClient(c.policy, 5*time.Second), c.target)
			if c.refused == "" {
				require.NoError(t, err)
				require.Equal(t, http.StatusOK, status)
				require.Equal(t, before+1, hits.Load())
				return
			}
			var refused *RefusedError
			require.True(t, errors.As(err, &refused), "%v", err)
			require.Contains(t, refused.Reason, c.refused)
			require.Equal(t, before, hits.Load(), "nothing reached the server")
		})
	}
}

func TestClientDoesNotFollowRedirects(t *testing.T) {
	var inner atomic.Int32
	internal := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { inner.Add(1) }))
	t.Cleanup(internal.Close)
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, internal.URL+"/admin", http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirect.Close)

	status, err := post(t, NewClient(Policy{AllowPrivate: true}, 5*time.Second), redirect.URL)
	require.NoError(t, err)
	require.Equal(t, http.StatusTemporaryRedirect, status, "the 307 is the answer")
	require.Zero(t, inner.Load(), "the body was not re-sent to the redirect target")
}

func TestClientIgnoresProxyEnvironment(t *testing.T) {
	var proxied atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { proxied.Add(1) }))
	t.Cleanup(proxy.Close)
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("http_proxy", proxy.URL)
	u, err := url.Parse("http://hooks.example.com:1/")
	require.NoError(t, err)
	_, err = post(t, NewClient(Policy{Lookup: resolveTo("127.0.0.1")}, 5*time.Second), u.String())
	require.Error(t, err)
	require.Zero(t, proxied.Load())
}
