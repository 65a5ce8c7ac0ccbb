package gateway

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/crypto/bcrypt"
)

// AdminUser is the built-in administrator's name.
const AdminUser = "admin"

// InitialPasswordFile is where a generated admin password is written (0600).
const InitialPasswordFile = "initial-admin-password"

// bootstrapAdmin creates the admin user on first start. The password is
// auth.bootstrap_admin_password (BKJOB_ADMIN_PASSWORD) when set; otherwise a
// random one, printed once and written to <data-dir>/initial-admin-password.
func (g *Gateway) bootstrapAdmin(ctx context.Context) error {
	if _, err := g.st.userByName(ctx, AdminUser); err == nil {
		return nil
	}
	password, generated := g.cfg.Auth.BootstrapAdminPassword, false
	if password == "" {
		password, generated = randomToken(18), true
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), g.hashCost)
	if err != nil {
		return fmt.Errorf("hash admin password: %w", err)
	}
	created, err := g.st.createUserOnce(ctx, user{Username: AdminUser, PasswordHash: string(hash), IsAdmin: true})
	if err != nil || !created || !generated {
		return err
	}
	path := filepath.Join(g.cfg.DataDir, InitialPasswordFile)
	if err := os.WriteFile(path, []byte(password+"\n"), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	// Printed once, on purpose: this is the only time the operator sees it
	// outside the 0600 file.
	if _, err := fmt.Fprintf(g.out, "\nbkjob: created user %q with password %s (also in %s)\n\n", AdminUser, password, path); err != nil {
		// The file holds it too; say where rather than fail the start.
		g.log.Warn("print the admin password", "password_file", path, "err", err)
	}
	g.log.Info("admin user created", "password_file", path)
	return nil
}

// bootstrapApp makes the API app from api.bootstrap_app_code/secret exist
// with the given secret and access to every scope.
func (g *Gateway) bootstrapApp(ctx context.Context) error {
	code, secret := g.cfg.API.BootstrapAppCode, g.cfg.API.BootstrapAppSecret
	if code == "" && secret == "" {
		return nil
	}
	if code == "" || secret == "" {
		return fmt.Errorf("BKJOB_API_APP_CODE and BKJOB_API_APP_SECRET must be set together")
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(secret), g.hashCost)
	if err != nil {
		return fmt.Errorf("hash app secret: %w", err)
	}
	if err := g.st.upsertApp(ctx, apiApp{AppCode: code, SecretHash: string(hash), AllScopes: true, Enabled: true}); err != nil {
		return fmt.Errorf("save bootstrap app %s: %w", code, err)
	}
	g.verified.forget(code)
	g.jwtApps.forget(code)
	g.log.Info("api app ready", "app_code", code)
	return nil
}

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
