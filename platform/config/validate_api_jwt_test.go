package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestGatewayJWTKeys(t *testing.T) {
	cfg, err := Load(Sources{})
	require.NoError(t, err)
	require.Empty(t, cfg.API.GatewayJWTPublicKeyFile, "off by default: backend paths take X-Bkapi-Authorization")
	require.Equal(t, "APIGW", cfg.API.GatewayJWTIssuer, "what BlueKing's API gateway writes")

	key := filepath.Join(t.TempDir(), "apigw.pem")
	require.NoError(t, os.WriteFile(key, []byte("pem"), 0o600))
	cfg, err = Load(Sources{Env: []string{"BKJOB_API__GATEWAY_JWT_PUBLIC_KEY_FILE=" + key, "BKJOB_API__GATEWAY_JWT_ISSUER="}})
	require.NoError(t, err)
	require.Equal(t, key, cfg.API.GatewayJWTPublicKeyFile)
	require.Empty(t, cfg.API.GatewayJWTIssuer)

	for name, path := range map[string]string{
		"missing":   filepath.Join(t.TempDir(), "nope.pem"),
		"directory": t.TempDir(),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Load(Sources{Env: []string{"BKJOB_API__GATEWAY_JWT_PUBLIC_KEY_FILE=" + path}})
			var ke *KeyError
			require.ErrorAs(t, err, &ke)
			require.Equal(t, "api.gateway_jwt_public_key_file", ke.Key, err.Error())
		})
	}
}
