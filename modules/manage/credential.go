package manage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"strconv"
	"strings"
)

// Credential types (bk-job CredentialTypeEnum), stored as numbers and named
// in the API.
const (
	CredentialAppIDSecretKey   = 1 // access key + secret key (file sources)
	CredentialPassword         = 2 // a password
	CredentialUsernamePassword = 3 // a user name and a password
	CredentialSecretKey        = 4 // a secret key; for SSH, a private key in PEM
)

// Masked stands for a secret value in every answer.
const Masked = "******"

var credentialTypeNames = map[int]string{
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

// CredentialID is a credential's id. bk-job's API carries it as a string;
// it is accepted as a JSON string or number and written as a string.
type CredentialID int64

// MarshalJSON writes the id as a JSON string.
func (id CredentialID) MarshalJSON() ([]byte, error) {
	return json.Marshal(strconv.FormatInt(int64(id), 10))
}

// UnmarshalJSON reads a JSON string or number; "" and null are 0.
func (id *CredentialID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*id = 0
		return nil
	}
	text := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &text); err != nil {
			return err
		}
	}
	text = strings.TrimSpace(text)
	if text == "" {
		*id = 0
		return nil
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil || n < 0 {
		// A type error lets encoding/json name the field it happened in.
		return &json.UnmarshalTypeError{Value: fmt.Sprintf("string %q", text), Type: reflect.TypeFor[int64]()}
	}
	*id = CredentialID(n)
	return nil
}

// ScopeRef is a request's resource scope: bk_scope_type + bk_scope_id (or
// the deprecated bk_biz_id). The v3 handlers resolve it through manage and
// write the canonical scope back, BizID included, before calling.
type ScopeRef struct {
	ScopeType string `json:"bk_scope_type,omitempty"`
	ScopeID   string `json:"bk_scope_id,omitempty"`
	BizID     int64  `json:"bk_biz_id,omitempty"`
}

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
	Operator    string `json:"operator,omitempty"`
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
	Operator    string       `json:"operator,omitempty"`
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

// CredentialRef is what create and update answer.
type CredentialRef struct {
	ID   CredentialID `json:"id"`
	Name string       `json:"name"`
}

// Credential is a credential's metadata. The values it holds come back
// masked ("******"), never in clear.
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
	CredentialValues
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
