package cli

import (
	"context"
	"os/signal"
	"syscall"

	"github.com/bkjob/bkjob/modules/app"
	"github.com/spf13/cobra"
)

func newServeCmd(g *globalFlags) *cobra.Command {
	var roleList string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the selected roles (default: all of them, with embedded backends)",
		Long: `Run the selected roles in this process.

With no configuration, --roles=all uses SQLite, an in-process bus, an
in-memory cache and local files under --data-dir, and starts a built-in
agent for this host. Split deployments select roles per host and configure
MySQL, Redis, RabbitMQ and MongoDB (see README.md).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			extra := map[string]any{}
			if cmd.Flags().Changed("roles") {
				extra["roles"] = roleList
			}
			cfg, err := g.load(cmd, extra)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return app.Serve(ctx, cfg, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	cmd.Flags().StringVar(&roleList, "roles", "all", "comma-separated roles to run (see `bkjob roles`)")
	cmd.SetContext(context.Background())
	return cmd
}

func newMigrateCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply the database schema and exit",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.load(cmd, nil)
			if err != nil {
				return err
			}
			return app.Migrate(cmd.Context(), cfg, cmd.ErrOrStderr())
		},
	}
}
