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

// account is the OS user a task runs as.
type account struct {
	name   string
	uid    uint32
	gid    uint32
	groups []uint32
	home   string
	// switchUser is set when the task runs as another user than the agent.
	switchUser bool
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

// workDir is where a script starts: dir when set, else the account's home
// when it exists, else "/".
func (a *account) workDir(dir string) string {
	if dir != "" {
		return dir
	}
	if st, err := os.Stat(a.home); err == nil && st.IsDir() {
		return a.home
	}
	return "/"
}

// environ is the script's environment, built from nothing: PATH, the
// locale and time zone of the agent, the account's HOME, USER and LOGNAME,
// then the task's own variables (extra) on top. Nothing else the agent
// process holds reaches a script: not its BKJOB_* settings, nor whatever
// else its service manager gave it.
func (a *account) environ(extra map[string]string) []string {
	env := make([]string, 0, len(extra)+8)
	hasPath := false
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case k == "PATH":
			hasPath = true
		case k == "LANG", k == "LANGUAGE", k == "TZ", strings.HasPrefix(k, "LC_"):
		default:
			continue
		}
		env = append(env, kv)
	}
	if !hasPath {
		env = append(env, "PATH="+defaultPath)
	}
	home := a.home
	if home == "" {
		home = "/"
	}
	env = append(env, "HOME="+home, "USER="+a.name, "LOGNAME="+a.name)
	for k, v := range extra {
		env = append(env, k+"="+v)
	}
	return env
}

// chown gives path to the account when the agent switches users.
func (a *account) chown(path string) error {
	if !a.switchUser {
		return nil
	}
	if err := os.Lchown(path, int(a.uid), int(a.gid)); err != nil {
		return fmt.Errorf("chown %s to %s: %w", path, a.name, err)
	}
	return nil
}
