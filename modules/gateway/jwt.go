package gateway

import (
	"cmp"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	// The hashes of RS256, RS384 and RS512, registered for crypto.Hash.New.
	_ "crypto/sha256"
	_ "crypto/sha512"

	"github.com/labstack/echo/v4"

	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/httpx"
)

// JWTHeader carries the token BlueKing's API gateway signs for the backend
// it forwards to (bk-job's /api/job/v3/<service>/<name>).
const JWTHeader = "X-Bkapi-JWT"

const (
	// maxJWTBytes bounds a token before any decoding: the gateway's are a
	// few hundred bytes.
	maxJWTBytes = 8 << 10
	// jwtLeeway is the clock difference allowed between the gateway and
	// bkjob on exp and nbf.
	jwtLeeway = 30 * time.Second
	// minJWTKeyBits refuses a gateway key too short to trust.
	minJWTKeyBits = 2048
)

// gatewayJWT verifies X-Bkapi-JWT with the API gateway's RSA public key.
// It is a few lines of the standard library rather than a JWT library on
// purpose: only RS256, RS384 and RS512 (RSASSA-PKCS1-v1_5, what the gateway
// signs with: RS512) are accepted, so "none", HMAC keyed with the public
// key, and every other algorithm are refused before any other check.
type gatewayJWT struct {
	key    *rsa.PublicKey
	issuer string // "" accepts any
	now    func() time.Time
}

// jwtIdentity is who a verified token names.
type jwtIdentity struct {
	AppCode  string
	Username string // "" when the token names no user
}

// loadGatewayJWT reads api.gateway_jwt_public_key_file; it returns nil when
// the key is not configured. A key that is not an RSA public key of at
// least 2048 bits is a configuration error naming the key.
func loadGatewayJWT(api config.API) (*gatewayJWT, error) {
	if api.GatewayJWTPublicKeyFile == "" {
		return nil, nil
	}
	keyErr := func(format string, args ...any) error {
		return &config.KeyError{Key: "api.gateway_jwt_public_key_file", Reason: fmt.Sprintf(format, args...)}
	}
	raw, err := os.ReadFile(api.GatewayJWTPublicKeyFile)
	if err != nil {
		return nil, keyErr("read %s: %v", api.GatewayJWTPublicKeyFile, err)
	}
	key, err := parseRSAPublicKey(raw)
	if err != nil {
		return nil, keyErr("%s: %v", api.GatewayJWTPublicKeyFile, err)
	}
	if key.N.BitLen() < minJWTKeyBits {
		return nil, keyErr("%s: an RSA key of %d bits; at least %d are required", api.GatewayJWTPublicKeyFile, key.N.BitLen(), minJWTKeyBits)
	}
	return &gatewayJWT{key: key, issuer: api.GatewayJWTIssuer, now: time.Now}, nil
}

// parseRSAPublicKey reads the first PEM block: a PUBLIC KEY (what the
// gateway's get_apigw_public_key gives), an RSA PUBLIC KEY or a
// CERTIFICATE.
func parseRSAPublicKey(raw []byte) (*rsa.PublicKey, error) {
	block, _ := pem.Decode(raw)
	if block == nil {
		return nil, errors.New("no PEM block: give the gateway's public key as -----BEGIN PUBLIC KEY-----")
	}
	var pub any
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		pub, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "CERTIFICATE":
		var cert *x509.Certificate
		if cert, err = x509.ParseCertificate(block.Bytes); err == nil {
			pub = cert.PublicKey
		}
	default:
		return nil, fmt.Errorf("a PEM %q block; want PUBLIC KEY", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", block.Type, err)
	}
	key, ok := pub.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("a %T key; the gateway signs with RSA", pub)
	}
	return key, nil
}

// jwtClaims are the claims the gateway writes that bkjob reads.
type jwtClaims struct {
	Exp *float64 `json:"exp"`
	Nbf *float64 `json:"nbf"`
	Iss string   `json:"iss"`
	App *struct {
		AppCode   string `json:"app_code"`
		BkAppCode string `json:"bk_app_code"`
		Verified  bool   `json:"verified"`
	} `json:"app"`
	User *struct {
		Username   string `json:"username"`
		BkUsername string `json:"bk_username"`
	} `json:"user"`
}

// verify checks token and returns who it names. The header's algorithm is
// checked first, then the signature, and only then are the claims read:
// exp (required), nbf, iss, and an app the gateway verified.
func (v *gatewayJWT) verify(token string) (jwtIdentity, error) {
	if len(token) > maxJWTBytes {
		return jwtIdentity{}, fmt.Errorf("longer than %d bytes", maxJWTBytes)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return jwtIdentity{}, errors.New("not a signed JWT (header.payload.signature)")
	}
	var hdr struct {
		Alg  string          `json:"alg"`
		Crit json.RawMessage `json:"crit"`
	}
	if err := decodeJWTPart(parts[0], &hdr); err != nil {
		return jwtIdentity{}, fmt.Errorf("header: %w", err)
	}
	hash, ok := map[string]crypto.Hash{"RS256": crypto.SHA256, "RS384": crypto.SHA384, "RS512": crypto.SHA512}[hdr.Alg]
	if !ok {
		return jwtIdentity{}, fmt.Errorf("algorithm %q is not accepted: RS256, RS384 or RS512 only", hdr.Alg)
	}
	if hdr.Crit != nil {
		return jwtIdentity{}, errors.New("critical header extensions are not supported")
	}
	sig, err := base64.RawURLEncoding.Strict().DecodeString(parts[2])
	if err != nil {
		return jwtIdentity{}, errors.New("signature: not base64url")
	}
	h := hash.New()
	h.Write([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(v.key, hash, h.Sum(nil), sig); err != nil {
		return jwtIdentity{}, errors.New("signature does not verify with the gateway's public key")
	}
	var cl jwtClaims
	if err := decodeJWTPart(parts[1], &cl); err != nil {
		return jwtIdentity{}, fmt.Errorf("claims: %w", err)
	}
	return v.identity(cl)
}

// identity checks the verified claims and names the app and user.
func (v *gatewayJWT) identity(cl jwtClaims) (jwtIdentity, error) {
	now := v.now()
	switch {
	case cl.Exp == nil:
		return jwtIdentity{}, errors.New("no exp claim")
	case now.After(unixTime(*cl.Exp).Add(jwtLeeway)):
		return jwtIdentity{}, fmt.Errorf("expired at %s", unixTime(*cl.Exp).UTC().Format(time.RFC3339))
	case cl.Nbf != nil && now.Add(jwtLeeway).Before(unixTime(*cl.Nbf)):
		return jwtIdentity{}, fmt.Errorf("not valid before %s", unixTime(*cl.Nbf).UTC().Format(time.RFC3339))
	case v.issuer != "" && cl.Iss != v.issuer:
		return jwtIdentity{}, fmt.Errorf("issuer %q is not %q (api.gateway_jwt_issuer)", cl.Iss, v.issuer)
	case cl.App == nil:
		return jwtIdentity{}, errors.New("no app claim")
	case !cl.App.Verified:
		return jwtIdentity{}, errors.New("the gateway did not verify the app")
	}
	id := jwtIdentity{AppCode: cmp.Or(cl.App.AppCode, cl.App.BkAppCode)}
	if id.AppCode == "" {
		return jwtIdentity{}, errors.New("no app code in the app claim")
	}
	if cl.User != nil {
		id.Username = cmp.Or(cl.User.Username, cl.User.BkUsername)
	}
	return id, nil
}

func decodeJWTPart(part string, v any) error {
	raw, err := base64.RawURLEncoding.Strict().DecodeString(part)
	if err != nil {
		return errors.New("not base64url")
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return errors.New("not the JSON expected")
	}
	return nil
}

// unixTime reads a NumericDate, clamped to years 1970..33658 so a hostile
// value cannot overflow.
func unixTime(sec float64) time.Time {
	return time.Unix(int64(min(max(sec, 0), 1e12)), 0)
}

// jwtActor authenticates a request on bk-job's backend paths by its
// X-Bkapi-JWT. The app it names must be registered and enabled in bkjob
// (its scope grant is bkjob's); no secret is checked, the gateway did that.
// The token is never logged.
func (g *Gateway) jwtActor(c echo.Context) (httpx.Actor, error) {
	token := c.Request().Header.Get(JWTHeader)
	if token == "" {
		return httpx.Actor{}, errs.ErrUnauthorized.Withf("header %s is required on /api/job/v3/ paths (api.gateway_jwt_public_key_file is set)", JWTHeader)
	}
	id, err := g.jwt.verify(token)
	if err != nil {
		g.log.Warn("api jwt refused", "remote", c.RealIP(), "reason", err.Error())
		return httpx.Actor{}, errs.ErrUnauthorized.Withf("%s refused: %v", JWTHeader, err)
	}
	app, err := g.jwtApp(c, id.AppCode)
	if refused(err) {
		g.log.Warn("api jwt refused", "app_code", id.AppCode, "remote", c.RealIP(), "reason", err.Error())
		return httpx.Actor{}, errs.ErrUnauthorized.Withf("app %s of the %s is not registered in bkjob, or is disabled", id.AppCode, JWTHeader)
	}
	if err != nil {
		return httpx.Actor{}, &appCheckError{code: id.AppCode, err: err}
	}
	return httpx.Actor{Username: cmp.Or(id.Username, app.AppCode), AppCode: app.AppCode, AllScopes: app.AllScopes}, nil
}

// jwtApp looks up the enabled app a token names, remembered for
// auth.secret_cache_ttl as verified secrets are.
func (g *Gateway) jwtApp(c echo.Context, code string) (apiApp, error) {
	const key = "jwt"
	if app, ok := g.jwtApps.get(code, key); ok {
		return app, nil
	}
	app, err := g.st.appByCode(c.Request().Context(), code)
	if err == nil && !app.Enabled {
		err = errAppDisabled
	}
	if err != nil {
		return apiApp{}, err
	}
	g.jwtApps.put(code, key, app)
	return app, nil
}
