package manageimpl

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/crypto"
	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/httpx"
)

var (
	accBiz1 = manage.ScopeRef{ScopeType: "biz", ScopeID: "1", BizID: 1, Resolved: true}
	accBiz2 = manage.ScopeRef{ScopeType: "biz", ScopeID: "2", BizID: 2, Resolved: true}
)

// requireCode checks err's bk-job code and the field it names.
func requireCode(t *testing.T, err error, code int, field string) {
	t.Helper()
	require.Error(t, err)
	require.Equal(t, code, httpx.V3Code(err), err.Error())
	if field != "" {
		require.Equal(t, field, errs.From(err).Field, err.Error())
	}
}

func TestAccountsEveryBusinessHasRoot(t *testing.T) {
	eachBackend(t, func(t *testing.T, env credEnv) {
		env.each(t, func(t *testing.T, svc manage.Full) {
			ctx := context.Background()
			// Business 2 was added after migrating: its root comes on demand.
			acc, err := svc.Account(ctx, 2, manage.AccountRef{Alias: "root"})
			require.NoError(t, err)
			require.Equal(t, "root", acc.Account)
			require.Equal(t, manage.AccountCategorySystem, acc.Category)
			for _, sc := range []manage.ScopeRef{accBiz1, accBiz2} {
				page, err := svc.GetAccountList(ctx, manage.GetAccountListRequest{ScopeRef: sc})
				require.NoError(t, err)
				require.Equal(t, 1, page.Total)
				require.Equal(t, "root", page.Data[0].Alias)
				require.True(t, page.Data[0].Builtin)
				_, err = svc.DeleteAccount(ctx, manage.DeleteAccountRequest{ScopeRef: sc, ID: page.Data[0].ID})
				requireCode(t, err, 1241003, "id")
				alias := "admin"
				_, err = svc.UpdateAccount(ctx, manage.UpdateAccountRequest{ScopeRef: sc, ID: page.Data[0].ID, Alias: &alias})
				requireCode(t, err, 1241003, "alias")
			}
			// An unknown business gets no account.
			_, err = svc.Account(ctx, 99, manage.AccountRef{Alias: "root"})
			requireCode(t, err, 1244003, "account_alias")
		})
	})
}

func TestAccountLifecycle(t *testing.T) {
	eachBackend(t, func(t *testing.T, env credEnv) {
		ctx := context.Background()
		svc := manage.NewClient(env.bus) // over the bus: what survives JSON is what the API gets
		win, err := svc.CreateAccount(ctx, manage.CreateAccountRequest{ScopeRef: accBiz1, Operator: "alice",
			Account: "Administrator", Type: manage.AccountTypeWindows, Category: manage.AccountCategorySystem,
			Password: "Win-Secret-1", Alias: "win-admin", Description: "windows admin"})
		require.NoError(t, err)
		require.Equal(t, "Windows", win.OS)
		require.Equal(t, "alice", win.Creator)
		require.Nil(t, win.DBSystemAccountID)
		linux, err := svc.CreateAccount(ctx, manage.CreateAccountRequest{ScopeRef: accBiz1, Operator: "alice",
			Account: "deploy", Type: manage.AccountTypeLinux, Category: manage.AccountCategorySystem})
		require.NoError(t, err)
		require.Equal(t, "deploy", linux.Alias, "the alias defaults to the account name")
		mysql, err := svc.CreateAccount(ctx, manage.CreateAccountRequest{ScopeRef: accBiz1, Operator: "alice",
			Account: "app_ro", Type: manage.AccountTypeMySQL, Category: manage.AccountCategoryDB, Alias: "mysql-ro",
			DBPassword: "Db-Secret-2", DBPort: 3306, DBSystemAccountID: linux.ID})
		require.NoError(t, err)
		require.Equal(t, linux.ID, *mysql.DBSystemAccountID)
		require.Equal(t, 3306, mysql.DBPort)

		// Sealed at rest: the rows hold no clear password, and open to it.
		var rows []account
		require.NoError(t, env.db.Where("id IN ?", []int64{win.ID, mysql.ID}).Order("id").Find(&rows).Error)
		require.NotContains(t, rows[0].Password, "Win-Secret-1")
		require.NotContains(t, rows[1].DBPassword, "Db-Secret-2")
		plain, err := env.impl.box.Unseal(rows[0].Password)
		require.NoError(t, err)
		require.Equal(t, "Win-Secret-1", plain)

		// Never in an answer.
		page, err := svc.GetAccountList(ctx, manage.GetAccountListRequest{ScopeRef: accBiz1})
		require.NoError(t, err)
		require.Equal(t, 4, page.Total)
		raw, err := json.Marshal(page)
		require.NoError(t, err)
		require.NotContains(t, string(raw), "Secret")
		require.NotContains(t, string(raw), rows[0].Password)

		// Filters and paging.
		for _, c := range []struct {
			req  manage.GetAccountListRequest
			want []string
		}{
			{manage.GetAccountListRequest{Category: manage.AccountCategoryDB}, []string{"mysql-ro"}},
			{manage.GetAccountListRequest{Category: manage.AccountCategorySystem, Length: 2}, []string{"root", "win-admin"}},
			{manage.GetAccountListRequest{Category: manage.AccountCategorySystem, Start: 2}, []string{"deploy"}},
			{manage.GetAccountListRequest{Type: manage.AccountTypeWindows}, []string{"win-admin"}},
			{manage.GetAccountListRequest{Alias: "ro"}, []string{"root", "mysql-ro"}},
			{manage.GetAccountListRequest{Account: "app_"}, []string{"mysql-ro"}},
			{manage.GetAccountListRequest{Keyword: "windows"}, []string{"win-admin"}},
			{manage.GetAccountListRequest{Alias: "%"}, []string{}},
		} {
			c.req.ScopeRef = accBiz1
			page, err := svc.GetAccountList(ctx, c.req)
			require.NoError(t, err)
			got := []string{}
			for _, a := range page.Data {
				got = append(got, a.Alias)
			}
			require.Equal(t, c.want, got, "%+v", c.req)
		}

		// Business 2 sees none of business 1's accounts and cannot touch them.
		page, err = svc.GetAccountList(ctx, manage.GetAccountListRequest{ScopeRef: accBiz2})
		require.NoError(t, err)
		require.Equal(t, 1, page.Total)
		_, err = svc.DeleteAccount(ctx, manage.DeleteAccountRequest{ScopeRef: accBiz2, ID: win.ID})
		requireCode(t, err, 1244003, "id")
		desc := "x"
		_, err = svc.UpdateAccount(ctx, manage.UpdateAccountRequest{ScopeRef: accBiz2, ID: win.ID, Description: &desc})
		requireCode(t, err, 1244003, "id")
		_, err = svc.CreateAccount(ctx, manage.CreateAccountRequest{ScopeRef: accBiz2, Account: "u", Type: manage.AccountTypeMySQL,
			Category: manage.AccountCategoryDB, DBPassword: "p", DBPort: 1, DBSystemAccountID: linux.ID})
		requireCode(t, err, 1243008, "db_system_account_id")
		_, err = svc.Account(ctx, 2, manage.AccountRef{ID: win.ID})
		requireCode(t, err, 1244003, "account_id")

		// Duplicate alias, on create and on update.
		_, err = svc.CreateAccount(ctx, manage.CreateAccountRequest{ScopeRef: accBiz1, Account: "other", Type: manage.AccountTypeLinux,
			Category: manage.AccountCategorySystem, Alias: "deploy"})
		requireCode(t, err, 1243007, "alias")
		taken := "win-admin"
		_, err = svc.UpdateAccount(ctx, manage.UpdateAccountRequest{ScopeRef: accBiz1, ID: linux.ID, Alias: &taken})
		requireCode(t, err, 1243007, "alias")

		// Update: alias, description, a new password sealed.
		newAlias, newDesc := "deployer", "ci deploys"
		up, err := svc.UpdateAccount(ctx, manage.UpdateAccountRequest{ScopeRef: accBiz1, Operator: "bob", ID: linux.ID, Alias: &newAlias, Description: &newDesc})
		require.NoError(t, err)
		require.Equal(t, "deployer", up.Alias)
		require.Equal(t, "bob", up.LastModifyUser)
		_, err = svc.UpdateAccount(ctx, manage.UpdateAccountRequest{ScopeRef: accBiz1, ID: win.ID, Password: "Win-Secret-3"})
		require.NoError(t, err)
		var w account
		require.NoError(t, env.db.Where("id = ?", win.ID).Take(&w).Error)
		plain, err = env.impl.box.Unseal(w.Password)
		require.NoError(t, err)
		require.Equal(t, "Win-Secret-3", plain)
		_, err = svc.UpdateAccount(ctx, manage.UpdateAccountRequest{ScopeRef: accBiz1, ID: linux.ID, Password: "x"})
		requireCode(t, err, 1241010, "password")

		// Delete: refused while the MySQL account runs as it, naming it.
		_, err = svc.DeleteAccount(ctx, manage.DeleteAccountRequest{ScopeRef: accBiz1, ID: linux.ID})
		requireCode(t, err, 1243014, "id")
		require.Contains(t, err.Error(), "mysql-ro")
		_, err = svc.DeleteAccount(ctx, manage.DeleteAccountRequest{ScopeRef: accBiz1, ID: mysql.ID})
		require.NoError(t, err)
		gone, err := svc.DeleteAccount(ctx, manage.DeleteAccountRequest{ScopeRef: accBiz1, ID: linux.ID})
		require.NoError(t, err)
		require.Equal(t, "deployer", gone.Alias)
		_, err = svc.Account(ctx, 1, manage.AccountRef{Alias: "deployer"})
		requireCode(t, err, 1244003, "account_alias")
	})
}

func TestAccountCreateRefusesBadInput(t *testing.T) {
	env := newCredEnv(t, openSQLite(t))
	ctx := context.Background()
	sys, db := manage.AccountCategorySystem, manage.AccountCategoryDB
	linux, windows, mysql := manage.AccountTypeLinux, manage.AccountTypeWindows, manage.AccountTypeMySQL
	long := string(bytes.Repeat([]byte("a"), 300))
	for _, c := range []struct {
		name  string
		req   manage.CreateAccountRequest
		code  int
		field string
	}{
		{"no category", manage.CreateAccountRequest{Account: "a", Type: linux}, 1241004, "category"},
		{"bad category", manage.CreateAccountRequest{Account: "a", Type: linux, Category: 3}, 1241010, "category"},
		{"no type", manage.CreateAccountRequest{Account: "a", Category: sys}, 1241004, "type"},
		{"db type as system", manage.CreateAccountRequest{Account: "a", Type: mysql, Category: sys}, 1241010, "type"},
		{"unknown type", manage.CreateAccountRequest{Account: "a", Type: 7, Category: sys}, 1241010, "type"},
		{"no name", manage.CreateAccountRequest{Type: linux, Category: sys}, 1241004, "account"},
		{"linux upper case", manage.CreateAccountRequest{Account: "Root", Type: linux, Category: sys}, 1241010, "account"},
		{"linux shell chars", manage.CreateAccountRequest{Account: "a;rm -rf", Type: linux, Category: sys}, 1241010, "account"},
		{"linux too long", manage.CreateAccountRequest{Account: long[:33], Type: linux, Category: sys}, 1241010, "account"},
		{"windows forbidden", manage.CreateAccountRequest{Account: `a\b`, Type: windows, Category: sys, Password: "p"}, 1241010, "account"},
		{"windows too long", manage.CreateAccountRequest{Account: long[:21], Type: windows, Category: sys, Password: "p"}, 1241010, "account"},
		{"windows no password", manage.CreateAccountRequest{Account: "adm", Type: windows, Category: sys}, 1241004, "password"},
		{"windows long password", manage.CreateAccountRequest{Account: "adm", Type: windows, Category: sys, Password: long}, 1241010, "password"},
		{"linux with password", manage.CreateAccountRequest{Account: "a", Type: linux, Category: sys, Password: "p"}, 1241010, "password"},
		{"linux with db port", manage.CreateAccountRequest{Account: "a", Type: linux, Category: sys, DBPort: 1}, 1241010, "db_port"},
		{"alias too long", manage.CreateAccountRequest{Account: "a", Type: linux, Category: sys, Alias: long}, 1241010, "alias"},
		{"alias control", manage.CreateAccountRequest{Account: "a", Type: linux, Category: sys, Alias: "a\x07"}, 1241010, "alias"},
		{"description too long", manage.CreateAccountRequest{Account: "a", Type: linux, Category: sys, Description: long + long + long + long}, 1241010, "description"},
		{"db no port", manage.CreateAccountRequest{Account: "u", Type: mysql, Category: db, DBPassword: "p", DBSystemAccountID: 1}, 1241004, "db_port"},
		{"db bad port", manage.CreateAccountRequest{Account: "u", Type: mysql, Category: db, DBPassword: "p", DBPort: 70000, DBSystemAccountID: 1}, 1241010, "db_port"},
		{"db no system account", manage.CreateAccountRequest{Account: "u", Type: mysql, Category: db, DBPassword: "p", DBPort: 3306}, 1241004, "db_system_account_id"},
		{"db no password", manage.CreateAccountRequest{Account: "u", Type: mysql, Category: db, DBPort: 3306, DBSystemAccountID: 1}, 1241004, "db_password"},
		{"db bad name", manage.CreateAccountRequest{Account: "u'--", Type: mysql, Category: db, DBPassword: "p", DBPort: 3306, DBSystemAccountID: 1}, 1241010, "account"},
		{"db unknown system account", manage.CreateAccountRequest{Account: "u", Type: mysql, Category: db, DBPassword: "p", DBPort: 3306, DBSystemAccountID: 999}, 1243008, "db_system_account_id"},
		{"root alias taken", manage.CreateAccountRequest{Account: "admin", Type: linux, Category: sys, Alias: "root"}, 1243007, "alias"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.req.ScopeRef = accBiz1
			_, err := env.impl.CreateAccount(ctx, c.req)
			requireCode(t, err, c.code, c.field)
		})
	}
	var n int64
	require.NoError(t, env.db.Model(&account{}).Where("biz_id = 1").Count(&n).Error)
	require.EqualValues(t, 1, n, "nothing but root was written")
	// A database account cannot run as another database account.
	page, err := env.impl.GetAccountList(ctx, manage.GetAccountListRequest{ScopeRef: accBiz1})
	require.NoError(t, err)
	dbAcc, err := env.impl.CreateAccount(ctx, manage.CreateAccountRequest{ScopeRef: accBiz1, Account: "u", Type: mysql, Category: db,
		DBPassword: "p", DBPort: 3306, DBSystemAccountID: page.Data[0].ID})
	require.NoError(t, err)
	_, err = env.impl.CreateAccount(ctx, manage.CreateAccountRequest{ScopeRef: accBiz1, Account: "v", Type: mysql, Category: db,
		DBPassword: "p", DBPort: 3306, DBSystemAccountID: dbAcc.ID})
	requireCode(t, err, 1243008, "db_system_account_id")
	// List filters are bounded.
	_, err = env.impl.GetAccountList(ctx, manage.GetAccountListRequest{ScopeRef: accBiz1, Alias: long})
	requireCode(t, err, 1241010, "alias")
	_, err = env.impl.GetAccountList(ctx, manage.GetAccountListRequest{ScopeRef: accBiz1, Length: 1001})
	requireCode(t, err, 1241010, "length")
	_, err = env.impl.GetAccountList(ctx, manage.GetAccountListRequest{ScopeRef: accBiz1, Category: 5})
	requireCode(t, err, 1241010, "category")
}

// TestAccountPasswordsNeverLogged: the service's logs and a request's
// printed forms carry no password.
func TestAccountPasswordsNeverLogged(t *testing.T) {
	var buf bytes.Buffer
	gdb := openSQLite(t)
	box, err := crypto.Open("", t.TempDir())
	require.NoError(t, err)
	impl := New(gdb, slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), WithCrypto(box))
	require.NoError(t, impl.Bootstrap(context.Background()))
	req := manage.CreateAccountRequest{ScopeRef: accBiz1, Account: "adm", Type: manage.AccountTypeWindows,
		Category: manage.AccountCategorySystem, Password: "Never-Logged-9"}
	acc, err := impl.CreateAccount(context.Background(), req)
	require.NoError(t, err)
	_, err = impl.UpdateAccount(context.Background(), manage.UpdateAccountRequest{ScopeRef: accBiz1, ID: acc.ID, Password: "Never-Logged-9"})
	require.NoError(t, err)
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("req", "req", req)
	require.NotContains(t, buf.String(), "Never-Logged-9")
	require.Contains(t, buf.String(), "account created")
}

// TestAccountWithoutSecretBox: no box, no Windows or database account.
func TestAccountWithoutSecretBox(t *testing.T) {
	impl := newService(t)
	_, err := impl.CreateAccount(context.Background(), manage.CreateAccountRequest{ScopeRef: accBiz1, Account: "adm",
		Type: manage.AccountTypeWindows, Category: manage.AccountCategorySystem, Password: "p"})
	require.ErrorIs(t, err, manage.ErrSecretsUnavailable)
}
