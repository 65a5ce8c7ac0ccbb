package ssh

import (
	"context"
	"fmt"

	"golang.org/x/crypto/ssh"

	"github.com/bkjob/bkjob/platform/errs"
)

// Credential is a decrypted SSH credential: a password, a private key (PEM,
// optionally protected by Passphrase), or both.
type Credential struct {
	Password   string
	PrivateKey []byte
	Passphrase string
}

// CredentialSource returns the decrypted credential with the given id.
type CredentialSource interface {
	Credential(ctx context.Context, id string) (Credential, error)
}

// StaticCredentials is a CredentialSource over a fixed map, for tests and
// single-host setups.
type StaticCredentials map[string]Credential

var _ CredentialSource = StaticCredentials(nil)

// Credential implements CredentialSource.
func (s StaticCredentials) Credential(_ context.Context, id string) (Credential, error) {
	c, ok := s[id]
	if !ok {
		return Credential{}, errs.ErrNotFound.Withf("ssh credential %s not found", id)
	}
	return c, nil
}

// authMethods turns a credential into SSH auth methods: the key first, then
// the password (also answered to keyboard-interactive prompts).
func (c Credential) authMethods() ([]ssh.AuthMethod, error) {
	var methods []ssh.AuthMethod
	if len(c.PrivateKey) > 0 {
		var (
			signer ssh.Signer
			err    error
		)
		if c.Passphrase != "" {
			signer, err = ssh.ParsePrivateKeyWithPassphrase(c.PrivateKey, []byte(c.Passphrase))
		} else {
			signer, err = ssh.ParsePrivateKey(c.PrivateKey)
		}
		if err != nil {
			return nil, fmt.Errorf("parse private key: %w", err)
		}
		methods = append(methods, ssh.PublicKeys(signer))
	}
	if c.Password != "" {
		pw := c.Password
		methods = append(methods, ssh.Password(pw),
			ssh.KeyboardInteractive(func(_, _ string, questions []string, _ []bool) ([]string, error) {
				answers := make([]string, len(questions))
				for i := range answers {
					answers[i] = pw
				}
				return answers, nil
			}))
	}
	if len(methods) == 0 {
		return nil, fmt.Errorf("credential has neither password nor private key")
	}
	return methods, nil
}
