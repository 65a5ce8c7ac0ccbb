package testenv

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// GatewayKey stands for BlueKing's API gateway in tests: the server trusts
// its public key (PEMFile, for api.gateway_jwt_public_key_file), the test
// signs X-Bkapi-JWT tokens with its private one.
type GatewayKey struct {
	Key     *rsa.PrivateKey
	PEMFile string
	PEMText []byte
}

// NewGatewayKey makes a 2048-bit key and writes its public half as PEM.
func NewGatewayKey(t testing.TB) *GatewayKey {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	require.NoError(t, err)
	text := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	file := filepath.Join(t.TempDir(), "apigw-public.pem")
	require.NoError(t, os.WriteFile(file, text, 0o600))
	return &GatewayKey{Key: key, PEMFile: file, PEMText: text}
}

// Env points a server at the key.
func (k *GatewayKey) Env() string { return "BKJOB_API__GATEWAY_JWT_PUBLIC_KEY_FILE=" + k.PEMFile }

// Sign signs claims as the gateway does (header kid bk-job) with alg:
// RS256, RS384 or RS512 (the gateway's own).
func (k *GatewayKey) Sign(t testing.TB, alg string, claims map[string]any) string {
	t.Helper()
	return SignJWT(t, k.Key, alg, map[string]any{"alg": alg, "typ": "JWT", "kid": "bk-job"}, claims)
}

// GatewayClaims are what the gateway writes for app acting for user,
// valid from five minutes ago until exp.
func GatewayClaims(app, user string, exp time.Time) map[string]any {
	return map[string]any{
		"iss": "APIGW", "nbf": time.Now().Add(-5 * time.Minute).Unix(), "exp": exp.Unix(),
		"app":  map[string]any{"app_code": app, "verified": true},
		"user": map[string]any{"username": user, "verified": true},
	}
}

// SignJWT signs header and claims with key by RSASSA-PKCS1-v1_5 for alg
// (RS256, RS384, RS512): for tokens the gateway would not write, too.
func SignJWT(t testing.TB, key *rsa.PrivateKey, alg string, header, claims map[string]any) string {
	t.Helper()
	hash, ok := map[string]crypto.Hash{"RS256": crypto.SHA256, "RS384": crypto.SHA384, "RS512": crypto.SHA512}[alg]
	require.True(t, ok, "SignJWT signs RS256, RS384 or RS512, not %s", alg)
	signing := JWTPart(t, header) + "." + JWTPart(t, claims)
	h := hash.New()
	h.Write([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, hash, h.Sum(nil))
	require.NoError(t, err)
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// JWTPart is v as one base64url segment of a token.
func JWTPart(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return base64.RawURLEncoding.EncodeToString(b)
}
