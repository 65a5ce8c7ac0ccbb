package agent

import (
	"fmt"
	"os"
	"strings"
)

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

// workDir is where a script starts: dir when set, else the account's home
// when it exists, else "/".
func (a *account) workDir(dir string) string {
	if dir != "" {
		return dir
	}
	if st, err := os.Stat(a.home); err == nil && st.IsDir() {
		return a.home
	}
	return rootDir
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
		keep, isPath := inheritedEnv(k)
		if !keep {
			continue
		}
		hasPath = hasPath || isPath
		env = append(env, kv)
	}
	if !hasPath {
		env = append(env, "PATH="+defaultPath)
	}
	home := a.home
	if home == "" {
		home = rootDir
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
