package manageimpl

import (
	"context"
	"net"
	"strconv"
	"strings"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
)

// CheckAgentlessHost implements manage.AgentlessHosts: the request is
// checked as CreateAgentlessHost checks it (the credential must be the
// business's and able to log in over SSH), then the gse role tries the
// login. Only the credential's id crosses to the gse role, which fetches
// the secret itself, as for a real run.
func (s *Service) CheckAgentlessHost(ctx context.Context, req manage.CheckAgentlessHostRequest) (manage.AgentlessHostCheck, error) {
	if req.BizID <= 0 {
		return manage.AgentlessHostCheck{}, errs.Required("bk_scope_id")
	}
	if req.CloudID < 0 {
		return manage.AgentlessHostCheck{}, errs.Invalid("bk_cloud_id", "must not be negative, got %d", req.CloudID)
	}
	ip, err := checkIPv4(req.IP)
	if err != nil {
		return manage.AgentlessHostCheck{}, err
	}
	port := req.SSHPort
	if port == 0 {
		port = manage.DefaultSSHPort
	}
	if port < 1 || port > 65535 {
		return manage.AgentlessHostCheck{}, errs.Invalid("ssh_port", "must be 1..65535, got %d", req.SSHPort)
	}
	credID, err := manage.ParseCredentialID("credential_id", req.CredentialID)
	if err != nil {
		return manage.AgentlessHostCheck{}, err
	}
	login, err := s.hostLogin(ctx, req.BizID, string(credID))
	if err != nil {
		return manage.AgentlessHostCheck{}, err
	}
	user := strings.TrimSpace(req.SSHUser)
	if user == "" {
		user = login.Username
	}
	if err := checkSSHUser(user); err != nil {
		return manage.AgentlessHostCheck{}, err
	}
	ep := gse.SSHEndpoint{Addr: net.JoinHostPort(ip, strconv.Itoa(port)), User: user, CredentialID: string(credID)}
	if s.probe == nil {
		return manage.AgentlessHostCheck{}, manage.ErrSSHProbeUnavailable.Withf("no gse role is configured to test SSH logins")
	}
	res, err := s.probe(ctx, ep)
	if err != nil {
		s.log.Warn("ssh login test not made", "biz_id", req.BizID, "ssh_addr", ep.Addr, "err", err)
		return manage.AgentlessHostCheck{}, manage.ErrSSHProbeUnavailable.Withf("the gse role did not answer: %v", err)
	}
	// Logged like a registration: the test sends the credential to the address.
	s.log.Info("ssh login test", "biz_id", req.BizID, "ssh_addr", ep.Addr, "ssh_user", user,
		"credential_id", ep.CredentialID, "ok", res.OK, "reason", res.Reason, "operator", req.Operator)
	return manage.AgentlessHostCheck{OK: res.OK, Reason: res.Reason, Detail: res.Detail, SSHAddr: ep.Addr, SSHUser: user}, nil

}
