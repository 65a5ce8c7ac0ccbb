package gateway

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/bkjob/bkjob/platform/cache"
	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/errs"
)

// ErrThrottled refuses a caller that is locked out after repeated failures
// or over its budget of credential checks: HTTP 429 with Retry-After on the
// web API, and on the v3 API too, with bk-job's API_OVER_LOAD (1239008).
var ErrThrottled = errs.New("auth.throttled", http.StatusTooManyRequests, "too many attempts")

// rateWindow is the period of auth.max_checks_per_minute.
const rateWindow = time.Minute

// subject is what the limits count: a source address ("ip"), a user or an
// app.
type subject struct{ kind, name string }

func ipSubject(ip string) subject     { return subject{kind: "ip", name: ip} }
func userSubject(name string) subject { return subject{kind: "user", name: name} }
func appSubject(code string) subject  { return subject{kind: "app", name: code} }

func (s subject) String() string { return s.kind + " " + s.name }

// key is the cache key of one of the subject's counters; names that are not
// short and plain are hashed, so a hostile name cannot make a huge key.
func (s subject) key(counter string) string {
	name := s.name
	if !plainName(name) {
		sum := sha256.Sum256([]byte(name))
		name = "sha256-" + hex.EncodeToString(sum[:16])
	}
	return "auth:" + counter + ":" + s.kind + ":" + name
}

func plainName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' || r == '@' || r == ':'
		if !ok {
			return false
		}
	}
	return true
}

// throttled is ErrThrottled with how long the caller should wait.
type throttled struct {
	err   *errs.Error
	retry time.Duration
}

func (t *throttled) Error() string { return t.err.Error() }
func (t *throttled) Unwrap() error { return t.err }

// retryAfter is the Retry-After header value: whole seconds, at least 1.
func (t *throttled) retryAfter() string {
	return strconv.FormatInt(max(1, int64((t.retry+time.Second-1)/time.Second)), 10)
}

// limiter keeps the counts behind the login and API-secret limits in the
// cache, so gateways sharing a Redis cache share them:
//
//   - auth:lock:<kind>:<name> exists while the subject is locked out; its
//     value is the lock's end (Unix milliseconds);
//   - auth:fail:<kind>:<name> counts failures in a window of
//     auth.failure_window from the first one;
//   - auth:rate:<kind>:<name>:<minute> counts checks in a minute.
type limiter struct {
	c   cache.Cache
	cfg config.Auth
	log *slog.Logger
	now func() time.Time
}

// admit runs before a credential check that costs bcrypt: it refuses a
// locked subject, then counts the check against every subject's per-minute
// budget. The refusal is a *throttled; any other error is the cache's.
func (l *limiter) admit(ctx context.Context, subjects ...subject) error {
	now := l.now()
	for _, s := range subjects {
		v, err := l.c.Get(ctx, s.key("lock"))
		if errors.Is(err, cache.ErrMiss) {
			continue
		}
		if err != nil {
			return fmt.Errorf("read lockout of %s: %w", s, err)
		}
		until := l.cfg.Lockout
		if ms, perr := strconv.ParseInt(string(v), 10, 64); perr == nil {
			until = time.UnixMilli(ms).Sub(now)
		}
		return &throttled{err: ErrThrottled.Withf("too many failed attempts for this %s: locked, retry later", s.kind), retry: until}
	}
	minute := now.Truncate(rateWindow)
	for _, s := range subjects {
		n, err := l.c.Incr(ctx, s.key("rate")+":"+strconv.FormatInt(minute.Unix(), 10), 1, rateWindow+time.Second)
		if err != nil {
			return fmt.Errorf("count check of %s: %w", s, err)
		}
		if n > int64(l.cfg.MaxChecksPerMinute) {
			return &throttled{err: ErrThrottled.Withf("too many attempts for this %s: at most %d a minute", s.kind, l.cfg.MaxChecksPerMinute),
				retry: minute.Add(rateWindow).Sub(now)}
		}
	}
	return nil
}

// fail records a failed check for every subject and locks those that
// reached their limit. Errors are logged: the caller is refused anyway.
func (l *limiter) fail(ctx context.Context, subjects ...subject) {
	for _, s := range subjects {
		limit := l.cfg.MaxFailures
		if s.kind == "ip" {
			limit = l.cfg.IPMaxFailures
		}
		n, err := l.c.Incr(ctx, s.key("fail"), 1, l.cfg.FailureWindow)
		if err != nil {
			l.log.Warn("count auth failure", "subject", s.String(), "err", err)
			continue
		}
		if n < int64(limit) {
			continue
		}
		until := l.now().Add(l.cfg.Lockout)
		if err := l.c.Set(ctx, s.key("lock"), []byte(strconv.FormatInt(until.UnixMilli(), 10)), l.cfg.Lockout); err != nil {
			l.log.Warn("lock out after auth failures", "subject", s.String(), "err", err)
			continue
		}
		if err := l.c.Delete(ctx, s.key("fail")); err != nil {
			l.log.Warn("reset auth failures", "subject", s.String(), "err", err)
		}
		l.log.Warn("locked out after repeated auth failures", "kind", s.kind, "name", s.name, "failures", n, "until", until)
	}
}

// succeed forgets a user's or app's failures after a correct check (an
// address's failures stay: one good account must not launder them).
func (l *limiter) succeed(ctx context.Context, s subject) {
	if err := l.c.Delete(ctx, s.key("fail")); err != nil {
		l.log.Warn("reset auth failures", "subject", s.String(), "err", err)
	}
}
