package config

import (
	"fmt"
	"os"
)

// validateGatewayJWT checks that api.gateway_jwt_public_key_file, when set,
// names a readable regular file, so a typo fails at start naming the key.
// The gateway parses the key itself when it starts (the one place that
// uses it), refusing anything but an RSA public key of 2048 bits or more.
func (c *Config) validateGatewayJWT() error {
	path := c.API.GatewayJWTPublicKeyFile
	if path == "" {
		return nil
	}
	st, err := os.Stat(path)
	if err != nil {
		return &KeyError{Key: "api.gateway_jwt_public_key_file", Reason: fmt.Sprintf("cannot read %s: %v", path, err)}
	}
	if !st.Mode().IsRegular() {
		return &KeyError{Key: "api.gateway_jwt_public_key_file", Reason: fmt.Sprintf("%s is not a regular file", path)}
	}
	return nil
}
