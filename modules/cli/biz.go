package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/user"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/bkjob/bkjob/modules/app"
	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
)

// scopeFlags are the editable fields of a business or set; only the flags
// the user set are sent (an update leaves the others as they are).
type scopeFlags struct {
	id          int64
	name        string
	timeZone    string
	maintainers []string
	language    string
	disable     bool
	enable      bool
	members     []int64
}

func (f *scopeFlags) bind(cmd *cobra.Command, update bool) {
	fl := cmd.Flags()
	fl.Int64Var(&f.id, "id", 0, "the id (bk_scope_id); required")
	fl.StringVar(&f.name, "name", "", "display name")
	fl.StringVar(&f.timeZone, "time-zone", "", "IANA time zone, e.g. Asia/Shanghai (default on create: the server's)")
	fl.StringSliceVar(&f.maintainers, "maintainers", nil, "maintainers' user names, comma-separated (an empty value clears them)")
	fl.StringVar(&f.language, "language", "", "zh_CN or en (default on create: zh_CN)")
	cmd.PreRunE = func(cmd *cobra.Command, _ []string) error {
		for _, name := range []string{"id", "members"} {
			if fl.Lookup(name) != nil && !fl.Changed(name) && (name == "id" || !update) {
				return usageError{fmt.Errorf("--%s is required", name)}
			}
		}
		if f.disable && f.enable {
			return usageError{errors.New("--disable and --enable cannot go together")}
		}
		return nil
	}
	if update {
		fl.BoolVar(&f.disable, "disable", false, "disable it: its scope no longer resolves (nothing is deleted)")
		fl.BoolVar(&f.enable, "enable", false, "enable it again")
	}
}

// fields are the flags the user set.
func (f *scopeFlags) fields(cmd *cobra.Command) manage.ScopeFields {
	var out manage.ScopeFields
	set := cmd.Flags().Changed
	if set("name") {
		out.Name = &f.name
	}
	if set("time-zone") {
		out.TimeZone = &f.timeZone
	}
	if set("maintainers") {
		out.Maintainers = &f.maintainers
	}
	if set("language") {
		out.Language = &f.language
	}
	return out
}

func (f *scopeFlags) disabled() *bool {
	switch {
	case f.disable:
		return &f.disable
	case f.enable:
		no := false
		return &no
	}
	return nil
}

func newBizCmd(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "biz",
		Short: "List, create and edit businesses (on the server's database)",
		Long: `Businesses (bk-job's biz scopes) are kept by platform administrators.
These commands work on the server's database directly, with the same
configuration as ` + "`bkjob serve`" + ` (--config, BKJOB_* environment, --data-dir):
run them on the server, as the user that runs it. The web API's
create_biz / update_biz do the same for an administrator.`,
	}
	var list struct {
		keyword, typ string
		all          bool
	}
	listCmd := &cobra.Command{
		Use:   "list",
		Short: "List businesses and business sets",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withScopeAdmin(cmd, g, func(ctx context.Context, svc manage.ScopeAdmin) error {
				page, err := svc.ListScopes(ctx, manage.ListScopesRequest{Keyword: list.keyword, ScopeTypeFilter: list.typ,
					IncludeDisabled: list.all, Length: 1000})
				if err != nil {
					return err
				}
				return printScopes(cmd.OutOrStdout(), page.Data)
			})
		},
	}
	listCmd.Flags().StringVar(&list.keyword, "keyword", "", "only those whose name or id holds this")
	listCmd.Flags().StringVar(&list.typ, "type", "", "only biz or only biz_set")
	listCmd.Flags().BoolVar(&list.all, "all", false, "disabled ones too")

	var create, update scopeFlags
	createCmd := &cobra.Command{
		Use:   "create --id N --name NAME [--time-zone TZ] [--maintainers a,b]",
		Short: "Create a business (with its built-in root account)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withScopeAdmin(cmd, g, func(ctx context.Context, svc manage.ScopeAdmin) error {
				s, err := svc.CreateBiz(ctx, manage.CreateBizRequest{Operator: cliOperator(), BizID: create.id, ScopeFields: create.fields(cmd)})
				return printed(cmd.OutOrStdout(), s, err)
			})
		},
	}
	create.bind(createCmd, false)
	updateCmd := &cobra.Command{
		Use:   "update --id N [--name NAME] [--time-zone TZ] [--maintainers a,b] [--disable|--enable]",
		Short: "Change a business (its id never changes)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withScopeAdmin(cmd, g, func(ctx context.Context, svc manage.ScopeAdmin) error {
				s, err := svc.UpdateBiz(ctx, manage.UpdateBizRequest{Operator: cliOperator(), BizID: update.id,
					ScopeFields: update.fields(cmd), Disabled: update.disabled()})
				return printed(cmd.OutOrStdout(), s, err)
			})
		},
	}
	update.bind(updateCmd, true)
	cmd.AddCommand(listCmd, createCmd, updateCmd)
	return cmd
}

func newBizSetCmd(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "biz-set",
		Short: "Create and edit business sets (on the server's database)",
		Long: `A business set (bk-job's biz_set scope) has the hosts of its member
businesses. Like ` + "`bkjob biz`" + `, these work on the server's database directly;
` + "`bkjob biz list --type biz_set`" + ` lists the sets.`,
	}
	var create, update scopeFlags
	createCmd := &cobra.Command{
		Use:   "create --id N --name NAME --members 2,3 [--time-zone TZ] [--maintainers a,b]",
		Short: "Create a business set over existing businesses",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withScopeAdmin(cmd, g, func(ctx context.Context, svc manage.ScopeAdmin) error {
				s, err := svc.CreateBizSet(ctx, manage.CreateBizSetRequest{Operator: cliOperator(), BizSetID: create.id,
					MemberBizIDs: create.members, ScopeFields: create.fields(cmd)})
				return printed(cmd.OutOrStdout(), s, err)
			})
		},
	}
	create.bind(createCmd, false)
	createCmd.Flags().Int64SliceVar(&create.members, "members", nil, "member business ids, comma-separated; required")
	updateCmd := &cobra.Command{
		Use:   "update --id N [--members 2,3] [--name NAME] [--time-zone TZ] [--disable|--enable]",
		Short: "Change a business set; --members replaces the members",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withScopeAdmin(cmd, g, func(ctx context.Context, svc manage.ScopeAdmin) error {
				req := manage.UpdateBizSetRequest{Operator: cliOperator(), BizSetID: update.id, ScopeFields: update.fields(cmd), Disabled: update.disabled()}
				if cmd.Flags().Changed("members") {
					req.MemberBizIDs = &update.members
				}
				s, err := svc.UpdateBizSet(ctx, req)
				return printed(cmd.OutOrStdout(), s, err)
			})
		},
	}
	update.bind(updateCmd, true)
	updateCmd.Flags().Int64SliceVar(&update.members, "members", nil, "member business ids, comma-separated (replaces them)")
	cmd.AddCommand(createCmd, updateCmd)
	return cmd
}

// withScopeAdmin loads the configuration, opens the database and runs fn.
// A refusal of the input (a bad time zone, an id taken) is a usage error
// naming the flag's field.
func withScopeAdmin(cmd *cobra.Command, g *globalFlags, fn func(context.Context, manage.ScopeAdmin) error) error {
	cfg, err := g.load(cmd, nil)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	svc, closeDB, err := app.OpenScopeAdmin(ctx, cfg, cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	defer func() { _ = closeDB() }()
	err = fn(ctx, svc)
	var e *errs.Error
	if errors.As(err, &e) && e.Status >= 400 && e.Status < 500 {
		return usageError{err}
	}
	return err
}

// cliOperator is who the change is recorded as: the OS user, marked as
// the command line.
func cliOperator() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "cli:" + u.Username
	}
	return "cli"
}

func printed(w io.Writer, s manage.ScopeInfo, err error) error {
	if err != nil {
		return err
	}
	return printScopes(w, []manage.ScopeInfo{s})
}

func printScopes(w io.Writer, scopes []manage.ScopeInfo) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	_, _ = fmt.Fprintln(tw, "TYPE\tID\tNAME\tTIME ZONE\tMAINTAINERS\tMEMBERS\tSTATE")
	for _, s := range scopes {
		members := make([]string, 0, len(s.MemberBizIDs))
		for _, id := range s.MemberBizIDs {
			members = append(members, strconv.FormatInt(id, 10))
		}
		state := "enabled"
		if s.Disabled {
			state = "disabled"
		}
		_, _ = fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Type, s.ID, s.Name, s.TimeZone,
			dash(strings.Join(s.Maintainers, ",")), dash(strings.Join(members, ",")), state)
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
