package executeimpl

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
)

// scope resolves bk_scope_type + bk_scope_id, or the deprecated bk_biz_id.
// A scope the door already resolved (and checked the caller's permission
// on) is taken as it is: one resolution per request, where it enters.
func (e *Engine) scope(ctx context.Context, ref execute.ScopeRef) (manage.Scope, error) {
	if ref.Resolved && ref.BizID > 0 {
		return manage.Scope{Type: ref.ScopeType, ID: ref.ScopeID, BizID: ref.BizID}, nil
	}
	typ, id, err := manage.ScopeParams(ref.ScopeType, ref.ScopeID, ref.BizID)
	if err != nil {
		return manage.Scope{}, err
	}
	sc, err := e.mgr.ResolveScope(ctx, typ, id)
	if errors.Is(err, manage.ErrScopeNotFound) {
		return manage.Scope{}, manage.ErrScopeNotFound.Withf("scope %s:%s not found", typ, id).OnField("bk_scope_id")
	}
	if err != nil {
		return manage.Scope{}, fmt.Errorf("resolve scope %s:%s: %w", typ, id, err)
	}
	return sc, nil
}

// account resolves account_id | account_alias to a system account of the business.
func (e *Engine) account(ctx context.Context, bizID, id int64, alias, field string) (manage.Account, error) {
	if id == 0 && alias == "" {
		return manage.Account{}, errs.Required(field).Withf("is required: give the account id or alias")
	}
	if id < 0 {
		return manage.Account{}, errs.Invalid(field, "account id must be positive, got %d", id)
	}
	acc, err := e.mgr.Account(ctx, bizID, manage.AccountRef{ID: id, Alias: alias})
	if errors.Is(err, manage.ErrAccountNotFound) {
		name := alias
		if id != 0 {
			name = strconv.FormatInt(id, 10)
		}
		return manage.Account{}, manage.ErrAccountNotFound.Withf("account %q not found in business %d", name, bizID).OnField(field)
	}
	if err != nil {
		return manage.Account{}, fmt.Errorf("resolve account: %w", err)
	}
	if acc.Category != manage.AccountCategorySystem {
		return manage.Account{}, errs.Invalid(field, "account %q is not a system (OS) account", acc.Alias)
	}
	return acc, nil
}

// accountField names the field that chose the account.
func accountField(id int64, idField, aliasField string) string {
	if id != 0 {
		return idField
	}
	return aliasField
}

// timeout checks the step timeout: default 7200 s, 1 s – 259200 s.
func timeout(t *int) (int, error) {
	if t == nil {
		return execute.DefaultTimeoutSeconds, nil
	}
	if *t < execute.MinTimeoutSeconds || *t > execute.MaxTimeoutSeconds {
		return 0, errs.Invalid("timeout", "must be %d..%d seconds, got %d",
			execute.MinTimeoutSeconds, execute.MaxTimeoutSeconds, *t)
	}
	return *t, nil
}

// taskName checks a custom name or makes bk-job's default one.
func taskName(name, prefix string, nowMS int64) (string, error) {
	if name == "" {
		return prefix + strconv.FormatInt(nowMS, 10), nil
	}
	if n := utf8.RuneCountInString(name); n > execute.MaxTaskNameLength {
		return "", errs.Invalid("task_name", "at most %d characters, got %d", execute.MaxTaskNameLength, n)
	}
	return name, nil
}

// namePrefix is the default task-name prefix for a caller: bk-job's API
// prefixes ("API Quick execution script") name what the API launched; a job
// launched from the web UI is not an API call, so it drops "API ".
func namePrefix(prefix string, caller execute.Caller) string {
	if caller.StartupMode == execute.StartupWeb {
		return strings.TrimPrefix(prefix, "API ")
	}
	return prefix
}

// decodeBase64 decodes standard base64 (padding optional), naming field on error.
func decodeBase64(field, s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		b, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
	}
	if err != nil {
		return nil, errs.Invalid(field, "not valid base64: %v", err)
	}
	return b, nil
}

// checkRolling validates rolling_config whatever the targets.
func checkRolling(rc *execute.RollingConfig) error {
	if rc == nil {
		return nil
	}
	if rc.Type == execute.RollingTypeFileSource || rc.FileSource != nil {
		return execute.NotSupported("rolling_config.type", "rolling by source files (type 2)")
	}
	if rc.Type != 0 && rc.Type != execute.RollingTypeTarget {
		return errs.Invalid("rolling_config.type", "must be 1 (targets) or 2 (source files), got %d", rc.Type)
	}
	if rc.Mode < execute.RollingPauseOnFailure || rc.Mode > execute.RollingManual {
		return errs.Invalid("rolling_config.mode", "must be 1 (pause on failure), 2 (ignore failure) or 3 (manual), got %d", rc.Mode)
	}
	if strings.TrimSpace(rc.Expression) == "" {
		return errs.Required("rolling_config.expression").Withf("is required when rolling by targets")
	}
	if _, err := parseRollingExpr(rc.Expression); err != nil {
		return errs.Invalid("rolling_config.expression", "%v", err)
	}
	return nil
}

// rollingSizes returns the batch sizes of a valid rolling_config over total
// targets (nil when the step does not roll).
func rollingSizes(rc *execute.RollingConfig, total int) ([]int, error) {
	if rc == nil {
		return nil, nil
	}
	sizes, err := rollingPlan(rc.Expression, total)
	if err != nil {
		return nil, errs.Invalid("rolling_config.expression", "%v", err)
	}
	return sizes, nil
}

// checkServer validates a target spec's shape and size (not the hosts).
func checkServer(field string, s *execute.Server, required bool) error {
	if s.Empty() {
		if required {
			return errs.Required(field).Withf("is required: give host_id_list or ip_list")
		}
		return nil
	}
	if len(s.DynamicGroupList) > 0 {
		return execute.NotSupported(field+".dynamic_group_list", "targeting CMDB dynamic groups")
	}
	if len(s.TopoNodeList) > 0 {
		return execute.NotSupported(field+".topo_node_list", "targeting CMDB topology nodes")
	}
	if n := len(s.HostIDList) + len(s.IPList); n > execute.MaxTargetsPerStep {
		return errs.Invalid(field, "at most %d hosts per step, got %d", execute.MaxTargetsPerStep, n)
	}
	for i, id := range s.HostIDList {
		if id <= 0 {
			return errs.Invalid(fmt.Sprintf("%s.host_id_list[%d]", field, i), "host id must be positive, got %d", id)
		}
	}
	for i, ip := range s.IPList {
		if net.ParseIP(ip.IP) == nil {
			return errs.Invalid(fmt.Sprintf("%s.ip_list[%d].ip", field, i), "not an IP address: %q", ip.IP)
		}
		if ip.CloudID < 0 {
			return errs.Invalid(fmt.Sprintf("%s.ip_list[%d].bk_cloud_id", field, i), "must not be negative")
		}
	}
	return nil
}

// targets resolves a target spec into distinct hosts, in input order. Unknown
// hosts stay in the list with Known false.
func (e *Engine) targets(ctx context.Context, bizID int64, field string, s *execute.Server) ([]ResolvedHost, error) {
	if err := checkServer(field, s, true); err != nil {
		return nil, err
	}
	found, err := e.hosts.Resolve(ctx, bizID, s.HostIDList, s.IPList)
	if err != nil {
		return nil, err
	}
	seenID := map[int64]bool{}
	seenIP := map[execute.IP]bool{}
	out := make([]ResolvedHost, 0, len(found))
	for _, h := range found {
		ip := execute.IP{CloudID: h.CloudID, IP: h.IP}
		if h.ID != 0 && seenID[h.ID] || h.ID == 0 && seenIP[ip] {
			continue
		}
		if h.ID != 0 {
			seenID[h.ID] = true
		}
		if h.IP != "" {
			seenIP[ip] = true
		}
		out = append(out, h)
	}
	return out, nil
}

// stepHostsOf lays resolved targets out as step hosts, in batches when sizes
// is set. Unknown hosts get synthetic negative ids (they have none) and the
// INVALID status.
func stepHostsOf(hosts []ResolvedHost, sizes []int) []stepHost {
	out := make([]stepHost, 0, len(hosts))
	batch, left := 0, 0
	if len(sizes) > 0 {
		batch, left = 1, sizes[0]
	}
	synthetic := int64(0)
	for i, h := range hosts {
		if len(sizes) > 0 && left == 0 {
			batch++
			left = sizes[batch-1]
		}
		left--
		sh := stepHost{Seq: i, Batch: batch, HostID: h.ID, CloudID: h.CloudID, IP: h.IP, IPv6: h.IPv6, AgentID: h.AgentID}
		if !h.Known {
			sh.InvalidStatus = gse.HostStatusInvalid
			if sh.HostID == 0 {
				synthetic--
				sh.HostID = synthetic
			}
		}
		out = append(out, sh)
	}
	return out
}

// apiHostID hides the synthetic ids of unknown hosts.
func apiHostID(id int64) int64 { return max(id, 0) }

// jobCommon checks the parameters every create call shares, in one order:
// timeout, task name, callback URL, target server. It returns the timeout
// in seconds and the task name (defaultPrefix + now when none was given).
func (e *Engine) jobCommon(caller execute.Caller, timeoutSec *int, name, defaultPrefix, callback string, target *execute.Server) (int, string, error) {
	t, err := timeout(timeoutSec)
	if err != nil {
		return 0, "", err
	}
	name, err = taskName(name, namePrefix(defaultPrefix, caller), e.nowMS())
	if err != nil {
		return 0, "", err
	}
	if err := e.callbackURL(callback); err != nil {
		return 0, "", err
	}
	if err := checkServer("target_server", target, true); err != nil {
		return 0, "", err
	}
	return t, name, nil
}
