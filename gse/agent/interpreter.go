package agent

import (
	"errors"
	"fmt"

	"github.com/bkjob/bkjob/gse"
)

// command is how a script file is run: prog, then pre, then the file and
// the script's parameters.
type command struct {
	prog string
	pre  []string
	ext  string
}

func (c command) argv(file string, params []string) []string {
	out := make([]string, 0, len(c.pre)+1+len(params))
	out = append(out, c.pre...)
	out = append(out, file)
	return append(out, params...)
}

// powerShellArgs run a script file without profiles, prompts or the
// machine's execution policy (the script is the task's, already checked).
var powerShellArgs = []string{"-NoLogo", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-File"}

// interpreter returns how to run a script of lang on a host of goos. On
// Windows, bat runs under cmd.exe, PowerShell under powershell.exe (or
// pwsh), and shell under winShell when set: bk-job's windows_interpreter,
// e.g. C:\cygwin64\bin\bash.exe; else bash from PATH (Git for Windows).
// look is exec.LookPath (a parameter so every platform's rules are tested
// everywhere).
func interpreter(goos string, lang int, winShell string, look func(string) (string, error)) (command, error) {
	ext := gse.ScriptExt(lang)
	windows := goos == "windows"
	var candidates []string
	var pre []string
	switch lang {
	case gse.LangShell:
		if windows && winShell != "" {
			p, err := look(winShell)
			if err != nil {
				return command{}, fmt.Errorf("the Windows shell interpreter %s (--windows-interpreter) is not usable: %w", winShell, err)
			}
			return command{prog: p, ext: ext}, nil
		}
		candidates = []string{"bash", "sh"}
	case gse.LangPython:
		candidates = []string{"python3", "python"}
		if windows {
			candidates = append(candidates, "py")
		}
	case gse.LangPerl:
		candidates = []string{"perl"}
	case gse.LangPowerShell:
		candidates = []string{"pwsh"}
		if windows {
			candidates, pre = []string{"powershell", "pwsh"}, powerShellArgs
		}
	case gse.LangBat:
		if !windows {
			return command{}, fmt.Errorf("bat scripts run only on Windows hosts; this host runs %s", goos)
		}
		// /D: no AutoRun commands from the registry; /C: run and exit.
		candidates, pre = []string{"cmd"}, []string{"/D", "/C"}
	case gse.LangSQL:
		return command{}, errors.New("sql scripts are run through a database client by the engine, not by the agent")
	default:
		return command{}, fmt.Errorf("unknown script language %d", lang)
	}
	for _, c := range candidates {
		if p, err := look(c); err == nil {
			return command{prog: p, pre: pre, ext: ext}, nil
		}
	}
	if windows && lang == gse.LangShell {
		return command{}, fmt.Errorf("no shell interpreter on this Windows host: install bash (Git for Windows, Cygwin) in PATH or start the agent with --windows-interpreter")
	}
	return command{}, fmt.Errorf("no interpreter for this script on the host: none of %v is in PATH", candidates)
}
