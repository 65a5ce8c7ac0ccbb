package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/bkjob/bkjob/modules/app"
	"github.com/bkjob/bkjob/platform/version"
	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"
)

func newRolesCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "roles",
		Short: "List every role with its dependencies",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			table := app.RoleGraph()
			var out strings.Builder
			fmt.Fprintf(&out, "%-12s %-34s %s\n", "ROLE", "DEPENDS ON", "STATE")
			for _, name := range table.Names() {
				r := table[name]
				deps := strings.Join(r.Deps, ",")
				if deps == "" {
					deps = "-"
				}
				state := "implemented"
				switch {
				case r.Group:
					state = "group"
				case r.Pending:
					state = "not implemented yet"
				}
				fmt.Fprintf(&out, "%-12s %-34s %s: %s\n", name, deps, state, r.Summary)
			}
			_, err := io.WriteString(cmd.OutOrStdout(), out.String())
			return err
		},
	}
}

func newConfigCmd(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Inspect configuration"}
	cmd.AddCommand(&cobra.Command{
		Use:   "print",
		Short: "Print the effective configuration, secrets masked",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.load(cmd, nil)
			if err != nil {
				return err
			}
			masked := cfg.Masked()
			out, err := yaml.Marshal(masked.Map())
			if err != nil {
				return fmt.Errorf("encode config: %w", err)
			}
			_, err = cmd.OutOrStdout().Write(out)
			return err
		},
	})
	return cmd
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print version, commit and build date",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v := version.Get()
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "bkjob %s (commit %s, built %s)\n", v.Version, v.Commit, v.BuildDate)
			return err
		},
	}
}
