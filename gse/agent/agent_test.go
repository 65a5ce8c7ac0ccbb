package agent

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
)

func TestDialURL(t *testing.T) {
	tests := []struct {
		in, want string
		bad      bool
	}{
		{"http://h:8080", "ws://h:8080/gse/v1/agent", false},
		{"https://h", "wss://h/gse/v1/agent", false},
		{"wss://h/", "wss://h/gse/v1/agent", false},
		{"https://h/prefix", "wss://h/prefix/gse/v1/agent", false},
		{"ws://h/gse/v1/agent", "ws://h/gse/v1/agent", false},
		{"ftp://h", "", true},
		{"http://", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := dialURL(tt.in)
			if tt.bad {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestAgentIDIsStable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	first, err := loadAgentID(dir)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(first, "bkjob-"))
	again, err := loadAgentID(dir)
	require.NoError(t, err)
	require.Equal(t, first, again)
	other, err := loadAgentID(t.TempDir())
	require.NoError(t, err)
	require.NotEqual(t, first, other)
}

func TestHelloOverridesIP(t *testing.T) {
	h, err := hello(Options{IP: "127.0.0.7", CloudID: 3, Version: "v"}, "id")
	require.NoError(t, err)
	require.Equal(t, "127.0.0.7", h.IP)
	require.Equal(t, int64(3), h.CloudID)
	require.NotEmpty(t, h.Hostname)
	_, err = hello(Options{IP: "not-an-ip"}, "id")
	require.Error(t, err)
}

func TestInterpreter(t *testing.T) {
	linux := func(lang int) (command, error) { return interpreter("linux", lang, "", exec.LookPath) }
	c, err := linux(gse.LangShell)
	require.NoError(t, err)
	require.Equal(t, ".sh", c.ext)
	require.Contains(t, []string{"bash", "sh"}, filepath.Base(c.prog))
	require.Equal(t, []string{"/tmp/s.sh", "a"}, c.argv("/tmp/s.sh", []string{"a"}))
	_, err = linux(gse.LangBat)
	require.ErrorContains(t, err, "Windows")
	_, err = linux(gse.LangSQL)
	require.Error(t, err)
	_, err = linux(42)
	require.ErrorContains(t, err, "unknown script language")
	t.Setenv("PATH", t.TempDir())
	_, err = linux(gse.LangPerl)
	require.ErrorContains(t, err, "no interpreter")
}

// TestWindowsInterpreter checks the Windows rules on any platform, with a
// PATH lookup that knows what a Windows host has.
func TestWindowsInterpreter(t *testing.T) {
	on := func(programs ...string) func(string) (string, error) {
		return func(name string) (string, error) {
			for _, p := range programs {
				if strings.EqualFold(filepath.Base(p), name) || p == name {
					return p, nil
				}
			}
			return "", exec.ErrNotFound
		}
	}
	host := on("cmd", "powershell", `C:\cygwin64\bin\bash.exe`)
	bat, err := interpreter("windows", gse.LangBat, "", host)
	require.NoError(t, err)
	require.Equal(t, []string{"/D", "/C", `C:\t\s.bat`, "x"}, bat.argv(`C:\t\s.bat`, []string{"x"}))
	require.Equal(t, ".bat", bat.ext)
	ps, err := interpreter("windows", gse.LangPowerShell, "", host)
	require.NoError(t, err)
	require.Equal(t, "powershell", ps.prog)
	require.Equal(t, append(append([]string{}, powerShellArgs...), "s.ps1"), ps.argv("s.ps1", nil))
	sh, err := interpreter("windows", gse.LangShell, `C:\cygwin64\bin\bash.exe`, host)
	require.NoError(t, err, "the configured windows_interpreter runs shell scripts")
	require.Equal(t, `C:\cygwin64\bin\bash.exe`, sh.prog)
	require.Empty(t, sh.pre)
	_, err = interpreter("windows", gse.LangShell, `D:\missing\bash.exe`, host)
	require.ErrorContains(t, err, "--windows-interpreter")
	_, err = interpreter("windows", gse.LangShell, "", on("cmd"))
	require.ErrorContains(t, err, "--windows-interpreter", "a Windows host without bash says how to give it one")
	py, err := interpreter("windows", gse.LangPython, "", on("py"))
	require.NoError(t, err)
	require.Equal(t, "py", py.prog)
}

func TestSameWindowsAccount(t *testing.T) {
	require.True(t, sameWindowsAccount("system", `NT AUTHORITY\SYSTEM`))
	require.True(t, sameWindowsAccount(`nt authority\system`, `NT AUTHORITY\SYSTEM`))
	require.True(t, sameWindowsAccount("Administrator", "Administrator"))
	require.False(t, sameWindowsAccount("admin", `HOST\Administrator`))
	require.False(t, sameWindowsAccount(`OTHER\SYSTEM`, `NT AUTHORITY\SYSTEM`), "another domain's account of the same name is another account")
}
