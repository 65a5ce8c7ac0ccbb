package gateway

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/testenv"
)

// TestJWTOnBackendPaths: with a gateway key, the backend paths take a
// token the gateway signed and nothing else; the classic attacks on JWT
// verifiers are refused with 401 / 1240005 before the handler runs.
func TestJWTOnBackendPaths(t *testing.T) {
	gw := testenv.NewGatewayKey(t)
	logs := &testenv.Buffer{}
	f := newFixtureWith(t, fixtureOptions{env: append([]string{gw.Env()}, "BKJOB_API_APP_CODE=ci", "BKJOB_API_APP_SECRET=s3cret"),
		mounts: []Mount{echoProbe}, log: logs})
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	good := testenv.GatewayClaims("ci", "alice", time.Now().Add(15*time.Minute))
	with := func(edit func(map[string]any)) map[string]any {
		c := testenv.GatewayClaims("ci", "alice", time.Now().Add(15*time.Minute))
		edit(c)
		return c
	}
	hs256 := func() string { // HMAC keyed with the public key: the alg-confusion attack
		signing := testenv.JWTPart(t, map[string]any{"alg": "HS256", "typ": "JWT"}) + "." + testenv.JWTPart(t, good)
		m := hmac.New(sha256.New, gw.PEMText)
		m.Write([]byte(signing))
		return signing + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	}
	tampered := func() string { // a valid token whose claims are swapped for others
		parts := strings.Split(gw.Sign(t, "RS512", good), ".")
		parts[1] = testenv.JWTPart(t, testenv.GatewayClaims("ci", "root", time.Now().Add(15*time.Minute)))
		return strings.Join(parts, ".")
	}
	es256 := func() string {
		ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		signing := testenv.JWTPart(t, map[string]any{"alg": "ES256"}) + "." + testenv.JWTPart(t, good)
		sum := sha256.Sum256([]byte(signing))
		sig, err := ecdsa.SignASN1(rand.Reader, ec, sum[:])
		require.NoError(t, err)
		return signing + "." + base64.RawURLEncoding.EncodeToString(sig)
	}

	tests := []struct {
		name   string
		header http.Header
		user   string // "" when refused
		reason string
	}{
		{"RS512 as the gateway signs", http.Header{JWTHeader: {gw.Sign(t, "RS512", good)}}, "alice", ""},
		{"RS256 with bk_ keys", http.Header{JWTHeader: {gw.Sign(t, "RS256", with(func(c map[string]any) {
			c["app"] = map[string]any{"bk_app_code": "ci", "verified": true}
			c["user"] = map[string]any{"bk_username": "bob"}
		}))}}, "bob", ""},
		{"no user: the app itself", http.Header{JWTHeader: {gw.Sign(t, "RS384", with(func(c map[string]any) { delete(c, "user") }))}}, "ci", ""},
		{"no token", nil, "", "X-Bkapi-JWT is required"},
		{"X-Bkapi-Authorization instead", appAuth("ci", "s3cret"), "", "X-Bkapi-JWT is required"},
		{"alg none", http.Header{JWTHeader: {testenv.JWTPart(t, map[string]any{"alg": "none"}) + "." + testenv.JWTPart(t, good) + "."}}, "", `algorithm "none" is not accepted`},
		{"alg None unsigned", http.Header{JWTHeader: {testenv.JWTPart(t, map[string]any{"alg": "None"}) + "." + testenv.JWTPart(t, good) + "."}}, "", "is not accepted"},
		{"HS256 keyed with the public key", http.Header{JWTHeader: {hs256()}}, "", `algorithm "HS256" is not accepted`},
		{"ES256", http.Header{JWTHeader: {es256()}}, "", `algorithm "ES256" is not accepted`},
		{"signed by another key", http.Header{JWTHeader: {testenv.SignJWT(t, other, "RS512", map[string]any{"alg": "RS512"}, good)}}, "", "signature does not verify"},
		{"claims swapped", http.Header{JWTHeader: {tampered()}}, "", "signature does not verify"},
		{"signature cut", http.Header{JWTHeader: {strings.Join(strings.Split(gw.Sign(t, "RS512", good), ".")[:2], ".") + "."}}, "", "signature does not verify"},
		{"expired", http.Header{JWTHeader: {gw.Sign(t, "RS512", with(func(c map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() }))}}, "", "expired at"},
		{"not yet valid", http.Header{JWTHeader: {gw.Sign(t, "RS512", with(func(c map[string]any) { c["nbf"] = time.Now().Add(time.Hour).Unix() }))}}, "", "not valid before"},
		{"no exp", http.Header{JWTHeader: {gw.Sign(t, "RS512", with(func(c map[string]any) { delete(c, "exp") }))}}, "", "no exp claim"},
		{"huge exp", http.Header{JWTHeader: {gw.Sign(t, "RS512", with(func(c map[string]any) { c["exp"] = 1e300 }))}}, "alice", ""},
		{"another issuer", http.Header{JWTHeader: {gw.Sign(t, "RS512", with(func(c map[string]any) { c["iss"] = "someone" }))}}, "", `issuer "someone" is not "APIGW"`},
		{"app not verified", http.Header{JWTHeader: {gw.Sign(t, "RS512", with(func(c map[string]any) { c["app"] = map[string]any{"app_code": "ci"} }))}}, "", "did not verify the app"},
		{"no app", http.Header{JWTHeader: {gw.Sign(t, "RS512", with(func(c map[string]any) { delete(c, "app") }))}}, "", "no app claim"},
		{"app code not a string", http.Header{JWTHeader: {gw.Sign(t, "RS512", with(func(c map[string]any) {
			c["app"] = map[string]any{"app_code": 7, "verified": true}
		}))}}, "", "claims: not the JSON expected"},
		{"app unknown to bkjob", http.Header{JWTHeader: {gw.Sign(t, "RS512", testenv.GatewayClaims("stranger", "alice", time.Now().Add(15*time.Minute)))}}, "", "app stranger of the X-Bkapi-JWT is not registered in bkjob"},
		{"crit header", http.Header{JWTHeader: {testenv.SignJWT(t, gw.Key, "RS512", map[string]any{"alg": "RS512", "crit": []string{"exp"}}, good)}}, "", "critical header"},
		{"two parts", http.Header{JWTHeader: {"a.b"}}, "", "not a signed JWT"},
		{"four parts", http.Header{JWTHeader: {"a.b.c.d"}}, "", "not a signed JWT"},
		{"padded base64", http.Header{JWTHeader: {testenv.JWTPart(t, map[string]any{"alg": "RS512"}) + "==.x.y"}}, "", "header: not base64url"},
		{"huge", http.Header{JWTHeader: {strings.Repeat("a", 9000)}}, "", "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.raw(http.MethodPost, "/api/job/v3/job-execute/get_job_instance_list", tt.header, `{"bk_scope_id":"2"}`)
			if tt.user != "" {
				require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
				r := decodeProbe(t, rec)
				require.Equal(t, tt.user, r.Data.Actor.Username)
				require.Equal(t, "ci", r.Data.Actor.AppCode)
				require.True(t, r.Data.Actor.AllScopes, "the registered app's grant")
				return
			}
			require.Equal(t, http.StatusUnauthorized, rec.Code, rec.Body.String())
			r := decodeV3(t, rec)
			require.Equal(t, 1240005, r.Code)
			require.Contains(t, r.Message, tt.reason)
		})
	}
	token := gw.Sign(t, "RS512", good)
	require.NotContains(t, logs.String(), strings.Split(token, ".")[2], "tokens are never logged")

	// A token is for the backend paths only: /api/v3 still wants the header.
	rec := f.raw(http.MethodPost, "/api/v3/get_job_instance_list", http.Header{JWTHeader: {token}}, `{}`)
	require.Equal(t, http.StatusUnauthorized, rec.Code)
	require.Contains(t, decodeV3(t, rec).Message, "X-Bkapi-Authorization is required")

	// A disabled app's token stops working once its cached lookup expires.
	require.NoError(t, f.db.Model(&apiApp{}).Where("app_code = ?", "ci").Update("enabled", false).Error)
	f.gw.jwtApps.forget("ci")
	rec = f.raw(http.MethodPost, "/api/job/v3/job-execute/get_job_instance_list", http.Header{JWTHeader: {token}}, `{}`)
	require.Equal(t, http.StatusUnauthorized, rec.Code)
	require.Contains(t, decodeV3(t, rec).Message, "or is disabled")
}

// TestGatewayKeyFile: anything but an RSA public key of 2048 bits or more
// is a configuration error naming the key; the forms the gateway and
// openssl write are read.
func TestGatewayKeyFile(t *testing.T) {
	rsa2048, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	rsa1024, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	pkix := func(pub any) []byte {
		der, err := x509.MarshalPKIXPublicKey(pub)
		require.NoError(t, err)
		return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	}
	tests := []struct {
		name   string
		file   []byte
		reason string // "" when accepted
	}{
		{"PUBLIC KEY", pkix(&rsa2048.PublicKey), ""},
		{"RSA PUBLIC KEY", pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&rsa2048.PublicKey)}), ""},
		{"1024 bits", pkix(&rsa1024.PublicKey), "at least 2048"},
		{"EC key", pkix(&ec.PublicKey), "the gateway signs with RSA"},
		{"private key", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsa2048)}), `PEM "RSA PRIVATE KEY" block`},
		{"not PEM", []byte("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"), "no PEM block"},
		{"broken PEM", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte("junk")}), "parse PUBLIC KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "key.pem")
			require.NoError(t, os.WriteFile(path, tt.file, 0o600))
			v, err := loadGatewayJWT(config.API{GatewayJWTPublicKeyFile: path, GatewayJWTIssuer: "APIGW"})
			if tt.reason == "" {
				require.NoError(t, err)
				require.Equal(t, rsa2048.N, v.key.N)
				return
			}
			var ke *config.KeyError
			require.ErrorAs(t, err, &ke)
			require.Equal(t, "api.gateway_jwt_public_key_file", ke.Key)
			require.ErrorContains(t, err, tt.reason)
		})
	}
	v, err := loadGatewayJWT(config.API{})
	require.NoError(t, err)
	require.Nil(t, v, "no key configured: no JWT checks")
}
