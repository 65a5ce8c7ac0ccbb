// Package egress sends HTTP requests to URLs that API callers choose (job
// callbacks) without letting them reach what the server can reach and they
// cannot: targets are checked by parsed scheme, host and port (never by
// string prefix), userinfo is refused, allowlist entries are origins that
// must match exactly, redirects are not followed, no proxy is used, and
// every address is checked when it is dialled, after name resolution, so a
// name that resolves (or re-resolves) to a loopback, private, link-local or
// metadata address is refused.
package egress
