package manage

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/bkjob/bkjob/platform/api"
	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/httpx"
)

// Credential types (bk-job CredentialTypeEnum), stored as numbers and named
// in the API.
const (
	CredentialAppIDSecretKey   = 1 // access key + secret key (file sources)
	CredentialPassword         = 2 // a password
	CredentialUsernamePassword = 3 // a user name and a password
	CredentialSecretKey        = 4 // a secret key; for SSH, a private key in PEM
)

// Masked stands for a secret value wherever one is printed (String, logs);
// no answer carries the values at all.
const Masked = "******"

var credentialTypeNames = map[int]string{ //nolint:gosec // G101: bk-job's credential type names, not credentials
	CredentialAppIDSecretKey:   "APP_ID_SECRET_KEY",
	CredentialPassword:         "PASSWORD",
	CredentialUsernamePassword: "USERNAME_PASSWORD",
	CredentialSecretKey:        "SECRET_KEY",
}

// CredentialTypeName is the API name of a credential type ("" if unknown).
func CredentialTypeName(t int) string { return credentialTypeNames[t] }

// ParseCredentialType reads an API type name; bk-job's documents call type
// 1 both APP_ID_SECRET_KEY and ACCESS_KEY_SECRET_KEY, so both are taken.
func ParseCredentialType(name string) (int, bool) {
	name = strings.ToUpper(strings.TrimSpace(name))
	if name == "ACCESS_KEY_SECRET_KEY" {
		return CredentialAppIDSecretKey, true
	}
	for t, n := range credentialTypeNames {
		if n == name {
			return t, true
		}
	}
	return 0, false
}

// CredentialID is a credential's id as bk-job gives it: 32 lowercase hex
// digits (a UUID without its dashes, "e1a5b0d6f3c84c0aa2a5d7b1c3e9f012"),
// a JSON string in the API, on the bus and in the database. Credentials
// created before schema 0090 had integer ids; 0090 gave credential n the id
// of n in hex padded to 32 digits (5 → "000…005").
type CredentialID string

// credentialIDLen is the length of a well-formed id.
const credentialIDLen = 32

// NewCredentialID returns a fresh random id: a version 4 UUID without its
// dashes, the form bk-job gives its credentials.
func NewCredentialID() (CredentialID, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("make credential id: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return CredentialID(hex.EncodeToString(b[:])), nil
}

// ParseCredentialID checks the id given in the request field field: spaces
// around it are dropped and upper-case digits read as lower-case; empty is
// errs.Required, anything but 32 hex digits errs.Invalid. The value is
// never quoted back (a client may have put anything there).
func ParseCredentialID(field string, id CredentialID) (CredentialID, error) {
	s := strings.ToLower(strings.TrimSpace(string(id)))
	if s == "" {
		return "", errs.Required(field).Withf("is required: the credential id (32 hexadecimal digits)")
	}
	if len(s) != credentialIDLen || strings.Trim(s, "0123456789abcdef") != "" {
		return "", errs.Invalid(field, "must be a credential id: 32 hexadecimal digits (a UUID without dashes)")
	}
	return CredentialID(s), nil
}

// ErrCredentialNameExists is a create or rename to a name another
// credential of the business has (schema 0090's unique index on
// (biz_id, name)).
var ErrCredentialNameExists = errs.New("credential.nameExists", http.StatusConflict, "credential name already exists")

// ScopeRef is a request's resource scope: bk_scope_type + bk_scope_id (or
// the deprecated bk_biz_id). The door resolves it through manage and writes
// the canonical scope back, BizID included, before calling.
type ScopeRef = api.ScopeRef

// CredentialValues are the secrets of a credential, as the API names them.
// Which ones a type needs: APP_ID_SECRET_KEY access+secret key, PASSWORD
// password, USERNAME_PASSWORD username+password, SECRET_KEY secret key.
type CredentialValues struct {
	AccessKey string `json:"credential_access_key,omitempty"`
	SecretKey string `json:"credential_secret_key,omitempty"`
	Username  string `json:"credential_username,omitempty"`
	Password  string `json:"credential_password,omitempty"`
}

// Empty reports whether no value is set.
func (v CredentialValues) Empty() bool { return v == CredentialValues{} }

// Masked returns the values with every set one replaced by Masked.
func (v CredentialValues) Masked() CredentialValues {
	mask := func(s string) string {
		if s == "" {
			return ""
		}
		return Masked
	}
	return CredentialValues{AccessKey: mask(v.AccessKey), SecretKey: mask(v.SecretKey), Username: mask(v.Username), Password: mask(v.Password)}
}

// String never shows a value.
func (v CredentialValues) String() string {
	m := v.Masked()
	return fmt.Sprintf("{access_key:%q secret_key:%q username:%q password:%q}", m.AccessKey, m.SecretKey, m.Username, m.Password)
}

// LogValue keeps values out of logs.
func (v CredentialValues) LogValue() slog.Value { return slog.StringValue(v.String()) }

// CreateCredentialRequest is create_credential.
type CreateCredentialRequest struct {
	ScopeRef
	// Operator is the acting user; the API handler sets it.
	Operator    string `json:"operator,omitempty" web:"-"`
	Name        string `json:"name"`
	Type        string `json:"type"`
	Description string `json:"description,omitempty"`
	CredentialValues
}

// UpdateCredentialRequest is update_credential. Empty name and nil
// description keep what is stored; a type or any value replaces the whole
// secret set (values not given are cleared) and is checked against the type.
type UpdateCredentialRequest struct {
	ScopeRef
	Operator    string       `json:"operator,omitempty" web:"-"`
	ID          CredentialID `json:"id"`
	Name        string       `json:"name,omitempty"`
	Type        string       `json:"type,omitempty"`
	Description *string      `json:"description,omitempty"`
	CredentialValues
}

// GetCredentialRequest is get_credential_detail.
type GetCredentialRequest struct {
	ScopeRef
	ID CredentialID `json:"id"`
}

// CredentialRef is what create and update answer: bk-job's docs list id,
// its API gateway's doc template adds name.
type CredentialRef struct {
	ID   CredentialID `json:"id"`
	Name string       `json:"name"`
}

// Credential is get_credential_detail's answer: exactly bk-job's fields, in
// its order and types. bk-job answers no value of the secrets, masked or
// not, and neither does bkjob.
type Credential struct {
	ScopeType      string       `json:"bk_scope_type"`
	ScopeID        string       `json:"bk_scope_id"`
	ID             CredentialID `json:"id"`
	Name           string       `json:"name"`
	Type           string       `json:"type"`
	Description    string       `json:"description"`
	Creator        string       `json:"creator"`
	CreateTime     int64        `json:"create_time"` // ms
	LastModifyUser string       `json:"last_modify_user"`
	LastModifyTime int64        `json:"last_modify_time"` // ms
}

// SSHCredential is a decrypted credential as an SSH login: a password, a
// private key (PEM), or both, and for USERNAME_PASSWORD the user name.
type SSHCredential struct {
	Username   string `json:"username,omitempty"`
	Password   string `json:"password,omitempty"`
	PrivateKey string `json:"private_key,omitempty"`
}

// String never shows a secret.
func (c SSHCredential) String() string {
	return fmt.Sprintf("ssh credential (user %q, password %t, private key %t)", c.Username, c.Password != "", c.PrivateKey != "")
}

// LogValue keeps secrets out of logs.
func (c SSHCredential) LogValue() slog.Value { return slog.StringValue(c.String()) }

// ListCredentialsRequest is list_credentials (a bkjob extension; bk-job's
// web has the list). Name, when set, keeps the credentials whose name
// contains it (at most 64 characters). Start and Length page as
// list_agentless_hosts.
type ListCredentialsRequest struct {
	ScopeRef
	Name   string `json:"name,omitempty"`
	Start  int    `json:"start,omitempty"`
	Length int    `json:"length,omitempty"`
}

// CredentialPage is one page of credentials (metadata only), bk-job's page
// shape.
type CredentialPage = httpx.V3Page[Credential]

// DeleteCredentialRequest is delete_credential (a bkjob extension).
type DeleteCredentialRequest struct {
	ScopeRef
	Operator string       `json:"operator,omitempty" web:"-"`
	ID       CredentialID `json:"id"`
}
