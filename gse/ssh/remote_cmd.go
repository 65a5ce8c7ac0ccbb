package ssh

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/bkjob/bkjob/gse"
)

// Lines the wrapper writes to the session's stderr, which carries only
// control messages: the script's own stderr is merged into stdout.
const (
	ctlPGID  = "bkjob-pgid:"
	ctlError = "bkjob-error:"
)

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string { return gse.ShellQuote(s) }

// interpreter returns the program that runs a script of lang, or a
// host failure for languages a Linux host over SSH cannot run.
func interpreter(lang int) (string, error) {
	switch lang {
	case gse.LangShell:
		return "bash", nil
	case gse.LangPython:
		return "python3", nil
	case gse.LangPerl:
		return "perl", nil
	case gse.LangPowerShell:
		return "pwsh", nil
	case gse.LangBat:
		return "", failf(gse.HostStatusScriptFailed, "bat scripts need a Windows host; SSH hosts run Linux")
	case gse.LangSQL:
		return "", failf(gse.HostStatusScriptFailed, "SQL steps are not supported over SSH")
	}
	return "", failf(gse.HostStatusScriptFailed, "unknown script language %d", lang)
}

// scriptCommand is everything needed to start a staged script.
type scriptCommand struct {
	lang    int
	path    string // staged script
	runFile string // the run's record (run_record.go): the wrapper adds its process group id
	params  string // split by gse.SplitParams, each word quoted
	env     map[string]string
	workDir string
	runAs   *owner // nil: the SSH login user
}

// build returns the command the SSH session runs. It starts the script in
// a new session (setsid) whose process group id it reports on stderr first,
// checks the interpreter, merges the script's stderr into stdout and, for a
// different account, switches user with setpriv. Not su: util-linux su -c
// starts the command in a session of its own, where the kill of the
// wrapper's process group (a stop, a timeout, a lost run's cleanup) would
// not reach the script's background children. setpriv only changes ids,
// so the environment su would set (HOME, USER, LOGNAME, SHELL) is set here.
func (c scriptCommand) build() (string, error) {
	interp, err := interpreter(c.lang)
	if err != nil {
		return "", err
	}
	var inner strings.Builder
	fmt.Fprintf(&inner, "cd %s || exit 1; ", shellQuote(c.workDir))
	for _, k := range slices.Sorted(maps.Keys(c.env)) {
		if !gse.ValidEnvName(k) {
			return "", failf(gse.HostStatusScriptFailed, "invalid environment variable name %q", k)
		}
		fmt.Fprintf(&inner, "%s=%s; export %s; ", k, shellQuote(c.env[k]), k)
	}
	params, err := gse.QuotedParams(c.params)
	if err != nil {
		return "", failf(gse.HostStatusScriptFailed, "%v", err)
	}
	run := func(prog string) string {
		cmd := "exec " + prog + " " + shellQuote(c.path)
		if prog == "pwsh" {
			cmd = "exec pwsh -NoLogo -NonInteractive -File " + shellQuote(c.path)
		}
		return cmd + params
	}
	if c.lang == gse.LangShell {
		fmt.Fprintf(&inner, "if command -v bash >/dev/null 2>&1; then %s; else %s; fi", run("bash"), run("sh"))
	} else {
		inner.WriteString(run(interp))
	}

	body := inner.String()
	var ctl strings.Builder
	if c.runFile != "" {
		fmt.Fprintf(&ctl, `echo "$$" >> %s; `, shellQuote(c.runFile))
	}
	fmt.Fprintf(&ctl, `echo "%s$$" >&2; `, ctlPGID)
	if c.lang != gse.LangShell {
		fmt.Fprintf(&ctl, "command -v %s >/dev/null 2>&1 || { echo %s >&2; exit 127; }; ",
			interp, shellQuote(ctlError+"interpreter "+interp+" not found on the host"))
	}
	if c.runAs != nil {
		ctl.WriteString(c.runAs.switchUser())
	}
	ctl.WriteString("exec 2>&1; ")
	if c.runAs != nil {
		body = fmt.Sprintf("exec setpriv --reuid=%d --regid=%d --init-groups -- /bin/sh -c %s",
			c.runAs.uid, c.runAs.gid, shellQuote(body))
	}
	ctl.WriteString(body)
	return "exec setsid -w /bin/sh -c " + shellQuote(ctl.String()), nil
}

// switchUser checks for setpriv and exports the account's login
// variables, as su would, before the wrapper becomes the account (its home
// looked up by name: two names may share a uid). Unlike su, setpriv runs
// no PAM session: pam_limits, pam_umask and account expiry do not apply to
// a script run as another account over SSH (docs/agentless.md).
func (o *owner) switchUser() string {
	name := shellQuote(o.name)
	return fmt.Sprintf("command -v setpriv >/dev/null 2>&1 || { echo %s >&2; exit 127; }; "+
		`h=$(getent passwd -- %s 2>/dev/null | cut -d: -f6); HOME=${h:-/}; USER=%s; LOGNAME=%s; SHELL=/bin/sh; `+
		"export HOME USER LOGNAME SHELL; ",
		shellQuote(ctlError+"setpriv (util-linux) not found on the host: needed to run as account "+o.name),
		name, name, name)
}

// killCommand signals the process group pgid.
func killCommand(sig string, pgid int) string {
	return fmt.Sprintf("kill -%s -- -%d 2>/dev/null; true", sig, pgid)
}
