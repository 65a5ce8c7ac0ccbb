package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestREADMESplitExample checks the README's split deployment as written:
// its configuration file loads (every key exists and validates, TLS
// included) and every flag its commands use exists. TestTLSEndToEnd and
// TestSplitDeployment run the same shape against real processes.
func TestREADMESplitExample(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	readme := string(raw)
	start := strings.Index(readme, "## A split deployment")
	require.GreaterOrEqual(t, start, 0)
	section := readme[start:]
	section = section[:strings.Index(section[3:], "\n## ")+3]

	yamlBlock := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindStringSubmatch(section)
	require.NotNil(t, yamlBlock, "the section has a yaml block")
	dir := t.TempDir()
	// The certificate files must exist only when serve starts; config
	// print checks keys and values.
	cfgFile := filepath.Join(dir, "bkjob.yaml")
	require.NoError(t, os.WriteFile(cfgFile, []byte(yamlBlock[1]), 0o600))
	out, code := run(t, nil, "config", "print", "--config", cfgFile)
	require.Equal(t, 0, code, out)
	for _, want := range []string{"0.0.0.0:8080", "/etc/bkjob/tls/cert.pem", "/etc/bkjob/tls/key.pem", "mysql", "rabbitmq", "mongodb"} {
		require.Contains(t, out, want)
	}

	cmds := regexp.MustCompile(`(?m)^bkjob (\w+) (.*?)(#.*)?$`).FindAllStringSubmatch(section, -1)
	require.Len(t, cmds, 4, "migrate, two serves, agent")
	for _, c := range cmds {
		help, code := run(t, nil, c[1], "--help")
		require.Equal(t, 0, code, help)
		for _, flag := range regexp.MustCompile(`--[a-z-]+`).FindAllString(c[2], -1) {
			require.Contains(t, help, flag+" ", "bkjob %s has %s", c[1], flag)
		}
	}
}
