package executeimpl

import (
	"strings"

	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/platform/egress"
	"github.com/bkjob/bkjob/platform/errs"
)

// callbackURL checks a callback_url by its parsed scheme, host and port:
// http or https, no userinfo, an origin in api.callback_allowlist when that
// is not empty, and, unless api.callback_allow_private, not an IP literal
// (or localhost) that the dialer would refuse anyway. Names are checked
// again, on the resolved address, every time a callback is sent.
func (e *Engine) callbackURL(raw string) error {
	if raw == "" {
		return nil
	}
	if len(raw) > execute.MaxCallbackURLLength {
		return errs.Invalid("callback_url", "at most %d characters", execute.MaxCallbackURLLength)
	}
	_, origin, err := egress.ParseTarget(raw)
	if err != nil {
		return errs.Invalid("callback_url", "%s", err.Error())
	}
	if !e.cb.allow.Allows(origin) {
		return errs.Invalid("callback_url", "%s is not in the callback allowlist (api.callback_allowlist)", origin)
	}
	if ip, ok := origin.IP(); ok {
		if why := egress.Blocked(ip, e.cb.allowPrivate); why != "" {
			return errs.Invalid("callback_url", "%s is %s (api.callback_allow_private)", ip, why)
		}
	}
	if !e.cb.allowPrivate && (origin.Host == "localhost" || strings.HasSuffix(origin.Host, ".localhost")) {
		return errs.Invalid("callback_url", "%s is a loopback name (api.callback_allow_private)", origin.Host)
	}
	return nil
}
