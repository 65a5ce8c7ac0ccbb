package gateway

import (
	"context"
	"fmt"
	"strings"

	"github.com/bkjob/bkjob/platform/errs"
	"github.com/labstack/echo/v4"
)

// pathKind is the door a v3 request came in by; it decides which
// credentials the request must carry (apiAuth).
type pathKind int

const (
	// pathV3 is /api/v3/<name>: X-Bkapi-Authorization.
	pathV3 pathKind = iota
	// pathSystem is /api/v3/system/<name>, bk-job's app-only resources
	// behind its API gateway: X-Bkapi-Authorization.
	pathSystem
	// pathESB is bk-job's ESB components (/api/c/compapi/v2/jobv3/<name>/,
	// /v2/jobv3/<name>/, /esb/api/v3/<name>/): bk_app_code, bk_app_secret
	// and bk_username in the JSON body (POST) or the query (GET).
	pathESB
	// pathBackend is /api/job/v3/<service>/<name>, where BlueKing's API
	// gateway forwards: X-Bkapi-JWT when api.gateway_jwt_public_key_file is
	// set, X-Bkapi-Authorization otherwise.
	pathBackend
)

func (k pathKind) String() string {
	switch k {
	case pathSystem:
		return "system"
	case pathESB:
		return "esb"
	case pathBackend:
		return "backend"
	}
	return "v3"
}

// v3Alias is what aliasV3Paths learnt of a request that came in by one of
// bk-job's other paths: the door, the path as sent, and the refusal to
// answer once the caller is authenticated (a name that path does not serve).
type v3Alias struct {
	kind    pathKind
	from    string
	refusal error
}

type v3AliasKey struct{}

// refusedTarget is where a refused alias is routed: a name no module can
// register ('-' is not in an API name), so the v3 group's not-found route
// takes it, behind apiAuth.
const refusedTarget = "/api/v3/-"

// v3AliasOf returns how the request came in; a request sent to
// /api/v3/<name> itself has none (pathV3). Only aliasV3Paths sets it: the
// context is the server's, out of the client's reach.
func v3AliasOf(c echo.Context) v3Alias {
	a, _ := c.Request().Context().Value(v3AliasKey{}).(v3Alias)
	return a
}

// aliasPrefixes are the path prefixes of bk-job's other doors, longest
// first where one contains another.
func aliasPrefixes() []struct {
	prefix string
	kind   pathKind
} {
	return []struct {
		prefix string
		kind   pathKind
	}{
		{"/api/v3/system/", pathSystem},
		{"/api/c/compapi/v2/jobv3/", pathESB},
		{"/v2/jobv3/", pathESB},
		{"/esb/api/v3/", pathESB},
		{"/api/job/v3/", pathBackend},
	}
}

// aliasV3Paths (an echo Pre middleware, so it runs before routing) rewrites
// bk-job's other paths of an OpenAPI v3 endpoint onto /api/v3/<name>, so
// every door reaches the same handlers, body limits and metrics; the door is
// kept on the request's context for apiAuth. A path naming no endpoint that
// door serves is sent to the v3 group's not-found route with its refusal,
// which apiAuth answers (1239003) after authenticating the caller, as an
// unknown name on /api/v3 is.
func (g *Gateway) aliasV3Paths(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		a, name, ok := parseV3Alias(r.URL.Path)
		if !ok {
			return next(c)
		}
		target := "/api/v3/" + name
		if a.refusal != nil {
			target = refusedTarget
		}
		// In place: echo routes on the URL of the request it was given.
		r.URL.Path, r.URL.RawPath = target, ""
		c.SetRequest(r.WithContext(context.WithValue(r.Context(), v3AliasKey{}, a)))
		g.log.Debug("v3 alias path", "from", a.from, "door", a.kind.String(), "to", target)
		return next(c)
	}
}

// parseV3Alias recognises bk-job's other paths of a v3 endpoint. It reports
// ok false for any other path; for one of them it returns the endpoint name,
// or a refusal when the path names no endpoint that door serves: a name
// that is not bk-job's, a service bk-job does not have, an endpoint under
// another service than its own, or anything with more segments (a
// traversal such as job-execute/../../web/me, decoded or not).
func parseV3Alias(p string) (v3Alias, string, bool) {
	for _, d := range aliasPrefixes() {
		rest, ok := strings.CutPrefix(p, d.prefix)
		if !ok {
			continue
		}
		a := v3Alias{kind: d.kind, from: p}
		rest = strings.TrimSuffix(rest, "/")
		svc := ""
		if d.kind == pathBackend {
			var found bool
			if svc, rest, found = strings.Cut(rest, "/"); !found {
				a.refusal = unsupportedPath(p, "give /api/job/v3/<service>/<name>")
				return a, "", true
			}
		}
		if !plainAPIName(rest) || (svc != "" && !plainAPIName(strings.ReplaceAll(svc, "-", "_"))) {
			a.refusal = unsupportedPath(p, "not an API name")
			return a, "", true
		}
		owner := bkjobService(rest)
		switch {
		case owner == "":
			a.refusal = unsupportedPath(p, rest+" is not a bk-job API (bkjob's own APIs are served at /api/v3/<name> only)")
		case svc != "" && !knownService(svc):
			a.refusal = unsupportedPath(p, fmt.Sprintf("bk-job has no service %s (one of %s)", svc, bkjobServices()))
		case svc != "" && svc != owner:
			a.refusal = unsupportedPath(p, fmt.Sprintf("%s belongs to %s, not %s", rest, owner, svc))
		}
		return a, rest, true
	}
	return v3Alias{}, "", false
}

// plainAPIName reports whether s can be an endpoint name: 1 to 64 of a-z,
// 0-9 and _.
func plainAPIName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

func knownService(svc string) bool {
	switch svc {
	case svcExecute, svcManage, svcCrontab, svcFileGateway:
		return true
	}
	return false
}

// unsupportedPath is bk-job's API_UNSUPPORTED (1239003) for a path; the
// path is quoted, and cut short, since it is the caller's input.
func unsupportedPath(p, why string) error {
	if len(p) > 160 {
		p = p[:160] + "…"
	}
	return errs.ErrUnsupportedAPI.Withf("unsupported API %q: %s", p, why)
}
