package manageimpl

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
)

// WithGSEHosts allows register_gse_hosts: the server reaches hosts through
// GSE 2.0 (gse.transport gse2). Without it the call is refused, because
// under the built-in hub a host row with an agent id and no credential is
// one a same-business enrolment token could claim (docs/security.md,
// upgrade path).
func WithGSEHosts() Option { return func(s *Service) { s.gseHosts = true } }

// agentIDChars are the characters a GSE agent id may hold: GSE 2.0 ids look
// like "0:1a2b…" or "<cloud>:<ip>"; nothing else needs quoting anywhere.
const agentIDChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:_.-"

// RegisterGSEHosts implements manage.GSEHosts. Everything is checked
// first; the writes run in one transaction that checks again, so a refused
// call changes nothing. A unique-key clash with a concurrent registration
// rolls back and is checked once more, which then names the clash.
func (s *Service) RegisterGSEHosts(ctx context.Context, req manage.RegisterGSEHostsRequest) (manage.GSEHostList, error) {
	if !s.gseHosts {
		return manage.GSEHostList{}, manage.ErrGSEHostsOff.Withf(
			"register_gse_hosts is for GSE 2.0 hosts: set gse.transport to gse2 (docs/gse2.md)")
	}
	if req.BizID <= 0 {
		return manage.GSEHostList{}, errs.Required("bk_scope_id")
	}
	if err := hostsBelongToBiz(req.ScopeRef); err != nil {
		return manage.GSEHostList{}, err
	}
	specs, err := checkGSEHosts(req.HostList)
	if err != nil {
		return manage.GSEHostList{}, err
	}
	out, err := registerGSEHosts(ctx, s.ag.db, req.BizID, specs)
	if raced(err) {
		// Once more: the checks now see what the other writer did.
		out, err = registerGSEHosts(ctx, s.ag.db, req.BizID, specs)
	}
	if raced(err) {
		return manage.GSEHostList{}, errs.ErrConflict.Withf("the hosts changed while they were registered; try again")
	}
	if err != nil {
		return manage.GSEHostList{}, err
	}
	created := 0
	for _, h := range out {
		if h.Created {
			created++
		}
	}
	s.log.Info("gse hosts registered", "biz_id", req.BizID, "hosts", len(out), "created", created, "operator", req.Operator)
	return manage.GSEHostList{HostList: out}, nil
}

// raced reports whether a registration lost a race with another writer.
func raced(err error) bool {
	return errors.Is(err, gorm.ErrDuplicatedKey) || errors.Is(err, errHostsChanged)
}

// checkGSEHosts validates the list and returns it normalised (IPv4 in
// dotted form). Errors name the entry: host_list[2].bk_agent_id.
func checkGSEHosts(list []manage.GSEHostSpec) ([]manage.GSEHostSpec, error) {
	switch {
	case len(list) == 0:
		return nil, errs.Required("host_list")
	case len(list) > manage.MaxGSEHostsPerCall:
		return nil, errs.Invalid("host_list", "at most %d hosts per call, got %d", manage.MaxGSEHostsPerCall, len(list))
	}
	out := make([]manage.GSEHostSpec, len(list))
	byAddr := make(map[hostAddr]int, len(list))
	byAgent := make(map[string]int, len(list))
	for i, h := range list {
		field := fmt.Sprintf("host_list[%d]", i)
		if h.CloudID < 0 {
			return nil, errs.Invalid(field+".bk_cloud_id", "must not be negative, got %d", h.CloudID)
		}
		ip, err := checkIPv4(h.IP)
		if err != nil {
			return nil, errs.From(err).OnField(field + ".ip")
		}
		if err := checkAgentID(field+".bk_agent_id", h.AgentID); err != nil {
			return nil, err
		}
		addr := hostAddr{h.CloudID, ip}
		if j, dup := byAddr[addr]; dup {
			return nil, errs.Invalid(field+".ip", "host %d:%s is listed twice (also host_list[%d])", h.CloudID, ip, j)
		}
		if j, dup := byAgent[h.AgentID]; dup {
			return nil, errs.Invalid(field+".bk_agent_id", "agent id %q is listed twice (also host_list[%d])", h.AgentID, j)
		}
		byAddr[addr], byAgent[h.AgentID] = i, i
		out[i] = manage.GSEHostSpec{CloudID: h.CloudID, IP: ip, AgentID: h.AgentID}
	}
	return out, nil
}

// checkAgentID refuses an empty, long or oddly spelt agent id. The value is
// quoted in the message only when it is made of allowed characters.
func checkAgentID(field, id string) error {
	switch {
	case id == "":
		return errs.Required(field)
	case len(id) > manage.MaxGSEAgentIDLen:
		return errs.Invalid(field, "at most %d characters, got %d", manage.MaxGSEAgentIDLen, len(id))
	}
	if i := strings.IndexFunc(id, func(r rune) bool { return !strings.ContainsRune(agentIDChars, r) }); i >= 0 {
		return errs.Invalid(field, "may hold only letters, digits and : _ . - (a character at byte %d is none of them)", i)
	}
	return nil
}

// hostAddr is a host's address in bkjob: (cloud area, IPv4).
type hostAddr struct {
	cloud int64
	ip    string
}
