package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/roles"
	"github.com/spf13/cobra"
)

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// usageError marks errors caused by the command line or configuration.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

// Main runs the CLI and returns the process exit status.
func Main(args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	_, _ = fmt.Fprintln(stderr, "bkjob:", err) // a failed write to stderr has nowhere to be reported
	var ue usageError
	var ke *config.KeyError
	if errors.As(err, &ue) || errors.As(err, &ke) || errors.Is(err, roles.ErrUnknownRole) {
		return exitUsage
	}
	return exitFailure
}

// globalFlags are the flags every command shares; only those the user set
// override configuration.
type globalFlags struct {
	configFiles []string
	dataDir     string
	httpAddr    string
	logLevel    string
	logFormat   string
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	g := &globalFlags{}
	root := &cobra.Command{
		Use:           "bkjob",
		Short:         "bkjob runs scripts and distributes files across fleets of hosts",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	pf := root.PersistentFlags()
	pf.StringArrayVar(&g.configFiles, "config", nil, "configuration file (repeatable, applied in order)")
	pf.StringVar(&g.dataDir, "data-dir", "./data", "data directory (SQLite database, logs, files, keys)")
	pf.StringVar(&g.httpAddr, "http-addr", "127.0.0.1:8080", "HTTP listen address")
	pf.StringVar(&g.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	pf.StringVar(&g.logFormat, "log-format", "text", "log format: text or json")
	root.AddCommand(
		newServeCmd(g),
		newAgentCmd(g),
		newRolesCmd(),
		newMigrateCmd(g),
		newConfigCmd(g),
		newVersionCmd(),
		newBizCmd(g),
		newBizSetCmd(g),
	)
	return root
}

// load builds the effective configuration from files, env and set flags.
func (g *globalFlags) load(cmd *cobra.Command, extra map[string]any) (*config.Config, error) {
	flags := map[string]any{}
	set := func(name, key string, v any) {
		if f := cmd.Flags().Lookup(name); f != nil && f.Changed {
			flags[key] = v
		}
	}
	set("data-dir", "data_dir", g.dataDir)
	set("http-addr", "http.addr", g.httpAddr)
	set("log-level", "log.level", g.logLevel)
	set("log-format", "log.format", g.logFormat)
	for k, v := range extra {
		flags[k] = v
	}
	cfg, err := config.Load(config.Sources{Files: g.configFiles, Env: os.Environ(), Flags: flags})
	if err != nil {
		return nil, err
	}
	// Read once: no child process (the built-in agent, a script) inherits them.
	config.DropSecretEnv()
	return cfg, nil
}
