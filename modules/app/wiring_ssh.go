package app

import (
	"context"
	"fmt"

	"github.com/bkjob/bkjob/gse/ssh"
	"github.com/bkjob/bkjob/modules/manage"
)

// manageCredentials is the SSH transport's credential source: manage opens
// the sealed credential, in this process or over the bus. Nothing is
// cached here, so an updated credential takes effect on the next dial.
type manageCredentials struct{ mgr manage.Full }

var _ ssh.CredentialSource = manageCredentials{}

// Credential implements ssh.CredentialSource. The user name of a
// USERNAME_PASSWORD credential is not needed: the host's ssh_user was set
// from it at registration.
func (m manageCredentials) Credential(ctx context.Context, id string) (ssh.Credential, error) {
	c, err := m.mgr.SSHCredential(ctx, manage.CredentialID(id))
	if err != nil {
		return ssh.Credential{}, fmt.Errorf("get ssh credential %s: %w", id, err)
	}
	return ssh.Credential{Password: c.Password, PrivateKey: []byte(c.PrivateKey)}, nil
}
