package ssh

import (
	"encoding/pem"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

func pemEncode(typ string, b []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b})
}

func knownhostsHashedLine(t testing.TB, host string, key ssh.PublicKey) string {
	t.Helper()
	return knownhosts.HashHostname(host) + " " + string(ssh.MarshalAuthorizedKey(key)[:len(ssh.MarshalAuthorizedKey(key))-1])
}
