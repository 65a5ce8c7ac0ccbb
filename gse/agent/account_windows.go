//go:build windows

package agent

import (
	"errors"
	"fmt"
	"os/user"
	"strings"
)

// defaultPath is PATH when the agent has none.
const defaultPath = `C:\Windows\system32;C:\Windows;C:\Windows\System32\WindowsPowerShell\v1.0`

// rootDir is where a script starts when its account has no home.
const rootDir = `C:\`

// windowsEnv is what a Windows script inherits from the agent besides PATH:
// without SystemRoot, ComSpec, PATHEXT and TEMP, cmd.exe, PowerShell and
// most programs do not start. Names are case-insensitive on Windows.
var windowsEnv = map[string]bool{
	"SYSTEMROOT": true, "SYSTEMDRIVE": true, "WINDIR": true, "COMSPEC": true, "PATHEXT": true,
	"TEMP": true, "TMP": true, "USERPROFILE": true, "USERNAME": true, "USERDOMAIN": true,
	"PROGRAMDATA": true, "PROGRAMFILES": true, "PROGRAMFILES(X86)": true, "PROGRAMW6432": true,
	"COMMONPROGRAMFILES": true, "COMMONPROGRAMFILES(X86)": true, "APPDATA": true, "LOCALAPPDATA": true,
	"ALLUSERSPROFILE": true, "PUBLIC": true, "COMPUTERNAME": true, "NUMBER_OF_PROCESSORS": true,
	"PROCESSOR_ARCHITECTURE": true, "OS": true, "PSMODULEPATH": true, "TZ": true,
}

// inheritedEnv says whether a script inherits the agent's variable k.
func inheritedEnv(k string) (keep, isPath bool) {
	up := strings.ToUpper(k)
	if up == "PATH" {
		return true, true
	}
	return windowsEnv[up], false
}

// errWindowsSwitchUser: running as another Windows account needs that
// account's password (LogonUser), which the agent link does not carry.
var errWindowsSwitchUser = errors.New("running a task as another Windows account is not supported yet (it needs the account's password, which the agent link does not carry); use the account the agent service runs as")

// resolveAccount accepts the agent's own account only: by its name, with or
// without its domain ("SYSTEM" or `NT AUTHORITY\SYSTEM`), or "".
func resolveAccount(name string) (*account, error) {
	self, err := user.Current()
	if err != nil {
		return nil, fmt.Errorf("look up the agent's own user: %w", err)
	}
	if name != "" && !sameWindowsAccount(name, self.Username) {
		return nil, fmt.Errorf("account %s: %w", name, errWindowsSwitchUser)
	}
	return &account{name: self.Username, home: self.HomeDir}, nil
}
