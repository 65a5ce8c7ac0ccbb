package manageimpl

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
)

// Field limits, matching the columns of schema 0055.
const (
	maxNameLen        = 255
	maxDescriptionLen = 1024
	maxValueLen       = 64 << 10 // a private key in PEM fits many times over
)

// parseType reads the API type name of field "type".
func parseType(name string) (int, error) {
	if strings.TrimSpace(name) == "" {
		return 0, errs.Required("type").Withf("is required: APP_ID_SECRET_KEY, PASSWORD, USERNAME_PASSWORD or SECRET_KEY")
	}
	t, ok := manage.ParseCredentialType(name)
	if !ok {
		return 0, errs.Invalid("type", "must be APP_ID_SECRET_KEY (or ACCESS_KEY_SECRET_KEY), PASSWORD, USERNAME_PASSWORD or SECRET_KEY, got %q", name)
	}
	return t, nil
}

func checkName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", errs.Required("name")
	case len([]rune(name)) > maxNameLen:
		return "", errs.Invalid("name", "at most %d characters", maxNameLen)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "", errs.Invalid("name", "must not contain control characters")
	}
	return name, nil
}

func checkDescription(d string) error {
	if len([]rune(d)) > maxDescriptionLen {
		return errs.Invalid("description", "at most %d characters", maxDescriptionLen)
	}
	return nil
}

// typeValues keeps the values type t uses, checking that each is present;
// values the type does not use are dropped (bk-job ignores them too).
func typeValues(t int, v manage.CredentialValues) (manage.CredentialValues, error) {
	need := func(field, value string) error {
		if value == "" {
			return errs.Required(field).Withf("is required for type %s", manage.CredentialTypeName(t))
		}
		if len(value) > maxValueLen {
			return errs.Invalid(field, "at most %d bytes", maxValueLen)
		}
		return nil
	}
	var out manage.CredentialValues
	var err error
	switch t {
	case manage.CredentialAppIDSecretKey:
		if err = need("credential_access_key", v.AccessKey); err == nil {
			err = need("credential_secret_key", v.SecretKey)
		}
		out.AccessKey, out.SecretKey = v.AccessKey, v.SecretKey
	case manage.CredentialPassword:
		err = need("credential_password", v.Password)
		out.Password = v.Password
	case manage.CredentialUsernamePassword:
		if err = need("credential_username", v.Username); err == nil {
			err = need("credential_password", v.Password)
		}
		out.Username, out.Password = v.Username, v.Password
	case manage.CredentialSecretKey:
		err = need("credential_secret_key", v.SecretKey)
		out.SecretKey = v.SecretKey
	default:
		err = errs.Invalid("type", "unknown credential type %d", t)
	}
	if err != nil {
		return manage.CredentialValues{}, err
	}
	return out, nil
}

// seal encrypts the values as JSON.
func (s *Service) seal(v manage.CredentialValues) (string, error) {
	if s.box == nil {
		return "", manage.ErrSecretsUnavailable
	}
	raw, err := json.Marshal(v) //nolint:gosec // G117: marshalled only to be sealed just below, never sent
	if err != nil {
		return "", fmt.Errorf("encode credential values: %w", err)
	}
	sealed, err := s.box.Seal(string(raw))
	if err != nil {
		return "", fmt.Errorf("seal credential values: %w", err)
	}
	return sealed, nil
}

// open decrypts a row's values.
func (s *Service) open(c credential) (manage.CredentialValues, error) {
	if s.box == nil {
		return manage.CredentialValues{}, manage.ErrSecretsUnavailable
	}
	plain, err := s.box.Unseal(c.Value)
	if err != nil {
		return manage.CredentialValues{}, fmt.Errorf("open credential %s: %w", c.ID, err)
	}
	var v manage.CredentialValues
	if err := json.Unmarshal([]byte(plain), &v); err != nil {
		// The error text could quote the plaintext: keep it out.
		return manage.CredentialValues{}, fmt.Errorf("decode credential %s: stored value is not a JSON object", c.ID)
	}
	return v, nil
}

// sshLogin turns a credential's values into an SSH login.
func sshLogin(c credential, v manage.CredentialValues) (manage.SSHCredential, error) {
	switch c.Type {
	case manage.CredentialPassword:
		return manage.SSHCredential{Password: v.Password}, nil
	case manage.CredentialUsernamePassword:
		return manage.SSHCredential{Username: v.Username, Password: v.Password}, nil
	case manage.CredentialSecretKey:
		return manage.SSHCredential{PrivateKey: v.SecretKey}, nil
	}
	return manage.SSHCredential{}, manage.ErrCredentialNotForSSH.Withf(
		"credential %s is of type %s; SSH needs PASSWORD, USERNAME_PASSWORD or SECRET_KEY (a private key)",
		c.ID, manage.CredentialTypeName(c.Type))
}
