// Package crypto seals secrets at rest with AES-256-GCM. The key comes from
// crypto.key or is generated once into <data-dir>/secret.key (mode 0600).
package crypto

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// sealedPrefix marks an encrypted value, so a plain value is never mistaken
// for ciphertext and the format can change later.
const sealedPrefix = "v1:"

// KeyFile is the name of the generated key inside the data dir.
const KeyFile = "secret.key"

// ErrNotSealed means a value does not look like a sealed secret.
var ErrNotSealed = errors.New("value is not a sealed secret")

// Box seals and opens secrets.
type Box struct {
	aead cipher.AEAD
}

// NewBox builds a box from a 32-byte key.
func NewBox(key []byte) (*Box, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("crypto key must be 32 bytes, got %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("create cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("create gcm: %w", err)
	}
	return &Box{aead: aead}, nil
}

// Open returns the box for configKey (base64), or for the key file in
// dataDir, generating it when absent.
func Open(configKey, dataDir string) (*Box, error) {
	if configKey != "" {
		key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(configKey))
		if err != nil {
			return nil, fmt.Errorf("decode crypto.key: %w", err)
		}
		return NewBox(key)
	}
	path := filepath.Join(dataDir, KeyFile)
	raw, err := os.ReadFile(path) //nolint:gosec // G304: the key file in the operator's data dir
	if errors.Is(err, os.ErrNotExist) {
		return generate(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read key file %s: %w", path, err)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil {
		return nil, fmt.Errorf("decode key file %s: %w", path, err)
	}
	return NewBox(key)
}

// generate writes a new random key with O_EXCL, so two processes starting on
// one data dir cannot end up with different keys.
func generate(path string) (*Box, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create key dir: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) //nolint:gosec // G304: the key file in the operator's data dir
	if errors.Is(err, os.ErrExist) {
		return Open("", filepath.Dir(path))
	}
	if err != nil {
		return nil, fmt.Errorf("create key file %s: %w", path, err)
	}
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n"); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("write key file %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("close key file %s: %w", path, err)
	}
	return NewBox(key)
}

// Seal encrypts plaintext; the empty string stays empty.
func (b *Box) Seal(plaintext string) (string, error) {
	if plaintext == "" {
		return "", nil
	}
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("generate nonce: %w", err)
	}
	out := b.aead.Seal(nonce, nonce, []byte(plaintext), nil)
	return sealedPrefix + base64.StdEncoding.EncodeToString(out), nil
}

// Unseal decrypts a value produced by Seal.
func (b *Box) Unseal(sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	if !strings.HasPrefix(sealed, sealedPrefix) {
		return "", ErrNotSealed
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(sealed, sealedPrefix))
	if err != nil {
		return "", fmt.Errorf("decode sealed value: %w", err)
	}
	n := b.aead.NonceSize()
	if len(raw) < n {
		return "", ErrNotSealed
	}
	plain, err := b.aead.Open(nil, raw[:n], raw[n:], nil)
	if err != nil {
		return "", fmt.Errorf("open sealed value: %w", err)
	}
	return string(plain), nil
}
