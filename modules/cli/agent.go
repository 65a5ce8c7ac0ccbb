package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/bkjob/bkjob/gse/agent"
	"github.com/bkjob/bkjob/platform/logging"
	"github.com/spf13/cobra"
)

func newAgentCmd(g *globalFlags) *cobra.Command {
	var (
		opts      agent.Options
		tokenFile string
	)
	cmd := &cobra.Command{
		Use:   "agent",
		Short: "Run an agent that connects to a bkjob server and runs its tasks on this host",
		Long: `Run an agent on a managed host. The agent dials the server's gse role
(only the server needs an open port), authenticates with --token, and runs
scripts and file transfers it is given. BKJOB_AGENT_TOKEN or --token-file
may stand in for --token (a token on the command line is visible to every
user of the host in /proc/*/cmdline). The token is needed only for the first
connection: the server then issues the agent its own credential, kept in
--data-dir, and the agent runs without a token from then on.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if tokenFile != "" {
				tok, err := readToken(tokenFile, cmd.InOrStdin())
				if err != nil {
					return usageError{err}
				}
				opts.Token = tok
			}
			if opts.Token == "" {
				opts.Token = os.Getenv("BKJOB_AGENT_TOKEN")
			}
			// Scripts never see it; /proc/<agent>/environ still shows the
			// initial block, so a separate service should prefer --token-file.
			_ = os.Unsetenv("BKJOB_AGENT_TOKEN")
			if opts.Server == "" {
				return usageError{errors.New("--server is required")}
			}
			// No token is fine once the agent holds its credential (enrolled
			// earlier, kept in --data-dir); agent.Run says when neither is there.
			opts.DataDir = g.dataDir
			log, err := logging.New(cmd.ErrOrStderr(), g.logLevel, g.logFormat)
			if err != nil {
				return usageError{err}
			}
			if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
				return fmt.Errorf("create agent data dir %s: %w", opts.DataDir, err)
			}
			ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			err = agent.Run(ctx, opts, log.With("component", "agent"))
			if errors.Is(err, context.Canceled) {
				return nil
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Server, "server", "", "server URL, e.g. https://bkjob.example:8080")
	f.StringVar(&opts.Token, "token", "", "agent token accepted by the server (gse.agent_tokens)")
	f.StringVar(&tokenFile, "token-file", "", "read the token from this file (- for stdin)")
	f.StringVar(&opts.IP, "ip", "", "address to register this host under (default: primary IPv4)")
	f.Int64Var(&opts.CloudID, "cloud-id", 0, "cloud area id (0 = direct)")
	f.StringVar(&opts.CAFile, "ca-file", "", "PEM file of the CA that signs the server certificate, or of the certificate itself (pinning; read again on every connection)")
	f.StringVar(&opts.ServerName, "server-name", "", "name the server certificate must carry when it is not the host in --server")
	f.IntVar(&opts.MaxTasks, "max-tasks", 32, "tasks run at once; extra ones queue")
	f.DurationVar(&opts.KillGrace, "kill-grace", 5*time.Second, "wait between SIGTERM and SIGKILL when a task is stopped")
	f.StringVar(&opts.WindowsInterpreter, "windows-interpreter", "", `Windows hosts: the program that runs shell scripts, e.g. C:\cygwin64\bin\bash.exe (default: bash in PATH)`)
	return cmd
}

// readToken reads the agent token from path, or from stdin when path is "-".
func readToken(path string, stdin io.Reader) (string, error) {
	var (
		b   []byte
		err error
	)
	if path == "-" {
		b, err = io.ReadAll(io.LimitReader(stdin, 64<<10))
	} else {
		b, err = os.ReadFile(path) //nolint:gosec // G304: the --token-file the operator gave
	}
	if err != nil {
		return "", fmt.Errorf("read token file %s: %w", path, err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("token file %s is empty", path)
	}
	return tok, nil
}
