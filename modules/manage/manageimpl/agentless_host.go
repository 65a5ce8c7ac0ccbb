package manageimpl

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/crypto/ssh"

	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
)

// Page sizes of list_agentless_hosts and list_agents, as bk-job's list endpoints.
const (
	defaultPageLength = 20
	maxPageLength     = 1000
	maxSSHUserLen     = 128
)

// CreateAgentlessHost implements manage.AgentlessHosts. Everything is
// checked before the single insert, so bad input writes nothing.
func (s *Service) CreateAgentlessHost(ctx context.Context, req manage.CreateAgentlessHostRequest) (manage.AgentlessHost, error) {
	if req.BizID <= 0 {
		return manage.AgentlessHost{}, errs.Required("bk_scope_id")
	}
	if err := hostsBelongToBiz(req.ScopeRef); err != nil {
		return manage.AgentlessHost{}, err
	}
	if req.CloudID < 0 {
		return manage.AgentlessHost{}, errs.Invalid("bk_cloud_id", "must not be negative, got %d", req.CloudID)
	}
	ip, err := checkIPv4(req.IP)
	if err != nil {
		return manage.AgentlessHost{}, err
	}
	port := req.SSHPort
	if port == 0 {
		port = manage.DefaultSSHPort
	}
	if port < 1 || port > 65535 {
		return manage.AgentlessHost{}, errs.Invalid("ssh_port", "must be 1..65535, got %d", req.SSHPort)
	}
	credID, err := manage.ParseCredentialID("credential_id", req.CredentialID)
	if err != nil {
		return manage.AgentlessHost{}, err
	}
	login, err := s.hostLogin(ctx, req.BizID, string(credID))
	if err != nil {
		return manage.AgentlessHost{}, err
	}
	user := strings.TrimSpace(req.SSHUser)
	if user == "" {
		user = login.Username
	}
	if err := checkSSHUser(user); err != nil {
		return manage.AgentlessHost{}, err
	}
	exists, err := s.cs.hostExists(ctx, req.CloudID, ip)
	if err != nil {
		return manage.AgentlessHost{}, err
	}
	if exists {
		return manage.AgentlessHost{}, hostExists(req.CloudID, ip)
	}
	now := time.Now().UTC()
	row := agentlessHost{BizID: req.BizID, CloudID: req.CloudID, IP: ip, SSHAddr: net.JoinHostPort(ip, strconv.Itoa(port)),
		SSHUser: user, CredentialID: string(credID), CreatedAt: now, UpdatedAt: now}
	if err := s.cs.insertAgentlessHost(ctx, &row); err != nil {
		if isNoRow(err) { // deleted since hostLogin read it
			return manage.AgentlessHost{}, manage.ErrCredentialNotFound.Withf("no credential %s in business %d", credID, req.BizID).OnField("credential_id")
		}
		// Two registrations raced past the check: report the loser clearly.
		if again, checkErr := s.cs.hostExists(ctx, req.CloudID, ip); checkErr == nil && again {
			return manage.AgentlessHost{}, hostExists(req.CloudID, ip)
		}
		return manage.AgentlessHost{}, err
	}
	s.log.Info("agentless host created", "host_id", row.ID, "biz_id", row.BizID, "cloud_id", row.CloudID,
		"ip", row.IP, "ssh_addr", row.SSHAddr, "credential_id", row.CredentialID, "operator", req.Operator)
	return toAgentlessHost(row), nil
}

// pageLength checks a list call's start and length and returns the length
// to use: defaultPageLength when none was given.
func pageLength(start, length int) (int, error) {
	if start < 0 {
		return 0, errs.Invalid("start", "must not be negative, got %d", start)
	}
	switch {
	case length == 0:
		return defaultPageLength, nil
	case length < 0 || length > maxPageLength:
		return 0, errs.Invalid("length", "must be 1..%d, got %d", maxPageLength, length)
	}
	return length, nil
}

// ListAgentlessHosts implements manage.AgentlessHosts.
func (s *Service) ListAgentlessHosts(ctx context.Context, req manage.ListAgentlessHostsRequest) (manage.AgentlessHostPage, error) {
	if req.BizID <= 0 {
		return manage.AgentlessHostPage{}, errs.Required("bk_scope_id")
	}
	length, err := pageLength(req.Start, req.Length)
	if err != nil {
		return manage.AgentlessHostPage{}, err
	}
	rows, total, err := s.cs.agentlessHosts(ctx, req.BizID, req.Start, length)
	if err != nil {
		return manage.AgentlessHostPage{}, err
	}
	page := manage.AgentlessHostPage{Start: req.Start, Total: int(total), Length: length, Data: make([]manage.AgentlessHost, 0, len(rows))}
	for _, r := range rows {
		page.Data = append(page.Data, toAgentlessHost(r))
	}
	return page, nil
}

// hostLogin checks that credential id (well formed) of bizID can log in
// over SSH and returns the login (decrypted; kept in memory only).
func (s *Service) hostLogin(ctx context.Context, bizID int64, id string) (manage.SSHCredential, error) {
	row, err := s.cs.credentialByID(ctx, bizID, id)
	if isNoRow(err) {
		return manage.SSHCredential{}, manage.ErrCredentialNotFound.Withf("no credential %s in business %d", id, bizID).OnField("credential_id")
	}
	if err != nil {
		return manage.SSHCredential{}, fmt.Errorf("find credential %s: %w", id, err)
	}
	values, err := s.open(row)
	if err != nil {
		return manage.SSHCredential{}, err
	}
	login, err := sshLogin(row, values)
	if err != nil {
		return manage.SSHCredential{}, errs.From(err).OnField("credential_id")
	}
	if login.PrivateKey != "" {
		if _, err := ssh.ParsePrivateKey([]byte(login.PrivateKey)); err != nil {
			var missing *ssh.PassphraseMissingError
			if errors.As(err, &missing) {
				return manage.SSHCredential{}, manage.ErrCredentialNotForSSH.Withf(
					"credential %s holds a passphrase-protected private key; store the key without a passphrase", id).OnField("credential_id")
			}
			// The parser's message never quotes the key.
			return manage.SSHCredential{}, manage.ErrCredentialNotForSSH.Withf(
				"credential %s: its secret key is not an SSH private key in PEM/OpenSSH format: %v", id, err).OnField("credential_id")
		}
	}
	return login, nil
}

func checkIPv4(raw string) (string, error) {
	text := strings.TrimSpace(raw)
	if text == "" {
		return "", errs.Required("ip")
	}
	ip := net.ParseIP(text)
	if ip == nil || ip.To4() == nil {
		return "", errs.Invalid("ip", "must be an IPv4 address, got %q", raw)
	}
	return ip.To4().String(), nil
}

func checkSSHUser(user string) error {
	switch {
	case user == "":
		return errs.Required("ssh_user").Withf("is required (the credential holds no user name)")
	case len(user) > maxSSHUserLen:
		return errs.Invalid("ssh_user", "at most %d characters", maxSSHUserLen)
	case strings.HasPrefix(user, "-"):
		return errs.Invalid("ssh_user", "must not start with '-'")
	case strings.IndexFunc(user, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return errs.Invalid("ssh_user", "must not contain spaces or control characters")
	}
	return nil
}

func hostExists(cloudID int64, ip string) error {
	return manage.ErrHostExists.Withf("host %d:%s is already registered", cloudID, ip).OnField("ip")
}

func toAgentlessHost(r agentlessHost) manage.AgentlessHost {
	h := manage.AgentlessHost{HostID: r.ID, CloudID: r.CloudID, IP: r.IP, SSHUser: r.SSHUser, CredentialID: manage.CredentialID(r.CredentialID)}
	if _, port, err := net.SplitHostPort(r.SSHAddr); err == nil {
		h.SSHPort, _ = strconv.Atoi(port)
	}
	return h
}
