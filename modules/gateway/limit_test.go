package gateway

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/cache"
	"github.com/bkjob/bkjob/platform/httpx"
	"github.com/bkjob/bkjob/platform/testenv"
)

// callFrom is call from the source address ip.
func (f *fixture) callFrom(ip, method, path string, header http.Header, body any) *httptest.ResponseRecorder {
	return f.callWith(func(r *http.Request) { r.RemoteAddr = ip + ":40000" }, method, path, header, body)
}

func (f *fixture) callWith(edit func(*http.Request), method, path string, header http.Header, body any) *httptest.ResponseRecorder {
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	req := httptest.NewRequest(method, path, bytesReader(raw))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	edit(req)
	rec := httptest.NewRecorder()
	f.srv.Echo.ServeHTTP(rec, req)
	return rec
}

func (f *fixture) login(ip, user, password string) *httptest.ResponseRecorder {
	return f.callFrom(ip, http.MethodPost, "/api/web/login", nil, map[string]string{"username": user, "password": password})
}

func appAuth(code, secret string) http.Header {
	return http.Header{AuthHeader: {fmt.Sprintf(`{"bk_app_code":%q,"bk_app_secret":%q}`, code, secret)}}
}

type v3Reply struct {
	Result     bool            `json:"result"`
	Code       int             `json:"code"`
	Message    string          `json:"message"`
	Permission json.RawMessage `json:"permission"`
}

func decodeV3(t *testing.T, rec *httptest.ResponseRecorder) v3Reply {
	t.Helper()
	var r v3Reply
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &r), rec.Body.String())
	return r
}

// requireThrottled checks a 429 with a Retry-After of at most most.
func requireThrottled(t *testing.T, rec *httptest.ResponseRecorder, most time.Duration) {
	t.Helper()
	require.Equal(t, http.StatusTooManyRequests, rec.Code, rec.Body.String())
	secs, err := strconv.Atoi(rec.Header().Get("Retry-After"))
	require.NoError(t, err, "Retry-After is whole seconds")
	require.Positive(t, secs)
	require.LessOrEqual(t, time.Duration(secs)*time.Second, most)
}

// TestLoginLockoutRefusesBeforeBcrypt: 50 wrong passwords for one user from
// one address lock the user after auth.max_failures; every later attempt,
// the correct password included and from another address, is a 429 that
// never reaches bcrypt. After auth.lockout the right password works again.
func TestLoginLockoutRefusesBeforeBcrypt(t *testing.T) {
	f := newFixture(t, "BKJOB_ADMIN_PASSWORD=right", "BKJOB_AUTH__LOCKOUT=1s")
	for i := range 50 {
		rec := f.login("198.51.100.7", "admin", "wrong")
		if i < 10 {
			require.Equal(t, http.StatusUnauthorized, rec.Code, "attempt %d", i+1)
			continue
		}
		requireThrottled(t, rec, time.Second)
		require.Contains(t, rec.Body.String(), fmt.Sprintf(`"code":%d`, httpx.V3Code(ErrThrottled)))
	}
	require.Equal(t, int64(10), f.bcrypts.Load(), "bcrypt ran for the 10 failures that locked the user, not after")

	requireThrottled(t, f.login("198.51.100.7", "admin", "right"), time.Second)
	requireThrottled(t, f.login("203.0.113.9", "admin", "right"), time.Second)
	require.Equal(t, int64(10), f.bcrypts.Load(), "the right password during the lockout costs no bcrypt either")

	require.Eventually(t, func() bool { return f.login("203.0.113.9", "admin", "right").Code == http.StatusOK },
		10*time.Second, 50*time.Millisecond, "the lockout ends")
}

// TestLoginLockoutPerAddress: one address guessing many user names is
// locked after auth.ip_max_failures; other addresses are not.
func TestLoginLockoutPerAddress(t *testing.T) {
	f := newFixture(t, "BKJOB_ADMIN_PASSWORD=right", "BKJOB_AUTH__IP_MAX_FAILURES=20")
	for i := range 50 {
		rec := f.login("198.51.100.8", fmt.Sprintf("user%d", i), "guess")
		if i < 20 {
			require.Equal(t, http.StatusUnauthorized, rec.Code, "attempt %d", i+1)
		} else {
			requireThrottled(t, rec, 15*time.Minute)
		}
	}
	requireThrottled(t, f.login("198.51.100.8", "admin", "right"), 15*time.Minute)
	require.Equal(t, int64(20), f.bcrypts.Load(),
		"an unknown user costs one (decoy) bcrypt, as a known one does, so timing tells no names; a locked address none, not even for admin")
	require.Equal(t, http.StatusOK, f.login("203.0.113.10", "admin", "right").Code, "another address is not locked")
}

// TestChecksPerMinute: beyond auth.max_checks_per_minute checks from one
// address, even correct ones, the caller waits for the next minute.
func TestChecksPerMinute(t *testing.T) {
	f := newFixture(t, "BKJOB_API_APP_CODE=ci", "BKJOB_API_APP_SECRET=s3cret", "BKJOB_ADMIN_PASSWORD=right",
		"BKJOB_AUTH__MAX_CHECKS_PER_MINUTE=5", "BKJOB_AUTH__SECRET_CACHE_TTL=0s")
	at := time.Date(2026, 1, 2, 3, 4, 50, 0, time.UTC)
	f.gw.limits.now = func() time.Time { return at }
	for i := range 5 {
		rec := f.callFrom("198.51.100.9", http.MethodPost, "/api/v3/whoami", appAuth("ci", "s3cret"), map[string]any{})
		require.Equal(t, http.StatusOK, rec.Code, "check %d", i+1)
	}
	rec := f.callFrom("198.51.100.9", http.MethodPost, "/api/v3/whoami", appAuth("ci", "s3cret"), map[string]any{})
	requireThrottled(t, rec, 10*time.Second)
	r := decodeV3(t, rec)
	require.False(t, r.Result)
	require.Equal(t, 1239008, r.Code, "bk-job's API_OVER_LOAD")
	require.Equal(t, int64(5), f.bcrypts.Load())

	for i := range 5 {
		require.Equal(t, http.StatusOK, f.login("198.51.100.10", "admin", "right").Code, "login %d", i+1)
	}
	requireThrottled(t, f.login("198.51.100.10", "admin", "right"), 10*time.Second)

	at = at.Add(10 * time.Second) // the next minute
	require.Equal(t, http.StatusOK, f.login("198.51.100.10", "admin", "right").Code)
}

// TestAPISecretLockout: wrong secrets are 401 with bk-job's
// SERVICE_AUTH_FAIL, then the app is locked: 429 with API_OVER_LOAD and no
// bcrypt, for the right secret too, unless that secret was verified shortly
// before (the holder of the secret is not locked out by a guesser).
func TestAPISecretLockout(t *testing.T) {
	f := newFixture(t, "BKJOB_API_APP_CODE=ci", "BKJOB_API_APP_SECRET=s3cret", "BKJOB_ADMIN_PASSWORD=right")
	whoami := func(ip string, h http.Header) *httptest.ResponseRecorder {
		return f.callFrom(ip, http.MethodPost, "/api/v3/whoami", h, map[string]any{})
	}
	rec := whoami("198.51.100.20", nil)
	require.Equal(t, http.StatusUnauthorized, rec.Code)
	require.Equal(t, 1240005, decodeV3(t, rec).Code, "missing credentials: SERVICE_AUTH_FAIL")

	require.Equal(t, http.StatusOK, whoami("198.51.100.20", appAuth("ci", "s3cret")).Code, "the holder, verified once")
	for i := range 30 {
		rec := whoami("198.51.100.66", appAuth("ci", "guess"))
		if i < 10 {
			require.Equal(t, http.StatusUnauthorized, rec.Code, "guess %d", i+1)
			require.Equal(t, 1240005, decodeV3(t, rec).Code)
			continue
		}
		requireThrottled(t, rec, 15*time.Minute)
		require.Equal(t, 1239008, decodeV3(t, rec).Code)
	}
	require.Equal(t, int64(11), f.bcrypts.Load(), "1 verification + 10 guesses")

	require.Equal(t, http.StatusOK, whoami("198.51.100.20", appAuth("ci", "s3cret")).Code, "a verified secret still works")
	f.gw.verified.forget("ci")
	requireThrottled(t, whoami("198.51.100.20", appAuth("ci", "s3cret")), 15*time.Minute)
	require.Equal(t, int64(11), f.bcrypts.Load(), "locked: no bcrypt for an unverified secret, right or wrong")
}

// TestVerifiedSecretCached: a valid caller pays bcrypt once for N requests;
// another secret for the same app is checked on its own.
func TestVerifiedSecretCached(t *testing.T) {
	f := newFixture(t, "BKJOB_API_APP_CODE=ci", "BKJOB_API_APP_SECRET=s3cret")
	for i := range 20 {
		rec := f.callFrom("198.51.100.30", http.MethodPost, "/api/v3/whoami", appAuth("ci", "s3cret"), map[string]any{})
		require.Equal(t, http.StatusOK, rec.Code, "request %d", i+1)
	}
	require.Equal(t, int64(1), f.bcrypts.Load())
	rec := f.callFrom("198.51.100.30", http.MethodPost, "/api/v3/whoami", appAuth("ci", "s3cret-but-not"), map[string]any{})
	require.Equal(t, http.StatusUnauthorized, rec.Code)
	require.Equal(t, int64(2), f.bcrypts.Load(), "a different secret is not served from the cache")
}

// TestLockoutSharedOverRedis: two gateways on one Redis cache share the
// counts: failures on one lock the user on the other, which refuses the
// right password without bcrypt.
func TestLockoutSharedOverRedis(t *testing.T) {
	url := testenv.Require(t, "BKJOB_TEST_REDIS_URL")
	prefix := "bkjob:test:" + randomHex(t) + ":"
	shared := func() cache.Cache {
		opts, err := redis.ParseURL(url)
		require.NoError(t, err)
		c := cache.NewRedis(redis.NewClient(opts), prefix)
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	env := []string{"BKJOB_ADMIN_PASSWORD=right", "BKJOB_API_APP_CODE=ci", "BKJOB_API_APP_SECRET=s3cret"}
	a := newFixtureWith(t, fixtureOptions{env: env, cache: shared()})
	b := newFixtureWith(t, fixtureOptions{env: env, cache: shared()})
	t.Cleanup(func() { cleanRedis(t, url, prefix) })

	for i := range 10 {
		require.Equal(t, http.StatusUnauthorized, a.login("198.51.100.40", "admin", "wrong").Code, "attempt %d", i+1)
	}
	requireThrottled(t, b.login("203.0.113.41", "admin", "right"), 15*time.Minute)
	require.Zero(t, b.bcrypts.Load(), "the other gateway refused before bcrypt")

	for i := range 10 {
		rec := b.callFrom("198.51.100.42", http.MethodPost, "/api/v3/whoami", appAuth("ci", "guess"), map[string]any{})
		require.Equal(t, http.StatusUnauthorized, rec.Code, "guess %d", i+1)
	}
	rec := a.callFrom("203.0.113.43", http.MethodPost, "/api/v3/whoami", appAuth("ci", "s3cret"), map[string]any{})
	requireThrottled(t, rec, 15*time.Minute)
	require.Equal(t, int64(10), a.bcrypts.Load(), "gateway a ran bcrypt only for its own 10 login failures")
}

func randomHex(t *testing.T) string {
	b := make([]byte, 6)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}

func cleanRedis(t *testing.T, url, prefix string) {
	opts, err := redis.ParseURL(url)
	require.NoError(t, err)
	client := redis.NewClient(opts)
	defer client.Close()
	ctx := context.Background()
	keys, err := client.Keys(ctx, prefix+"*").Result()
	require.NoError(t, err)
	if len(keys) > 0 {
		require.NoError(t, client.Del(ctx, keys...).Err())
	}
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
