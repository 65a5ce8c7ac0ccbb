//go:build !windows

package agent

import (
	"fmt"
	"os"
	"os/user"
	"strconv"
	"strings"
)

// defaultPath is PATH when the agent has none.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// rootDir is where a script starts when its account has no home.
const rootDir = "/"

// inheritedEnv says whether a script inherits the agent's variable k: PATH,
// the locale and the time zone, nothing else.
func inheritedEnv(k string) (keep, isPath bool) {
	switch {
	case k == "PATH":
		return true, true
	case k == "LANG", k == "LANGUAGE", k == "TZ", strings.HasPrefix(k, "LC_"):
		return true, false
	}
	return false, false
}

// resolveAccount finds the OS user name. An agent running as root may run
// as anyone; any other agent only as itself ("" means the agent's user).
func resolveAccount(name string) (*account, error) {
	self, err := user.Current()
	if err != nil {
		return nil, fmt.Errorf("look up the agent's own user: %w", err)
	}
	if name == "" || name == self.Username {
		return toAccount(self, false)
	}
	if os.Geteuid() != 0 {
		return nil, fmt.Errorf("the agent runs as %s and cannot run tasks as %s; run the agent as root to switch accounts", self.Username, name)
	}
	u, err := user.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("account %s does not exist on this host: %w", name, err)
	}
	return toAccount(u, u.Uid != self.Uid)
}

func toAccount(u *user.User, switchUser bool) (*account, error) {
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("account %s: uid %q: %w", u.Username, u.Uid, err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("account %s: gid %q: %w", u.Username, u.Gid, err)
	}
	a := &account{name: u.Username, uid: uint32(uid), gid: uint32(gid), home: u.HomeDir, switchUser: switchUser}
	if switchUser {
		ids, err := u.GroupIds()
		if err != nil {
			return nil, fmt.Errorf("account %s: list groups: %w", u.Username, err)
		}
		for _, id := range ids {
			g, err := strconv.ParseUint(id, 10, 32)
			if err == nil {
				a.groups = append(a.groups, uint32(g))
			}
		}
	}
	return a, nil
}
