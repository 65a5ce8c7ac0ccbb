package manageimpl

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
)

func TestGlobalSettings(t *testing.T) { eachBackend(t, testGlobalSettings) }

func testGlobalSettings(t *testing.T, env credEnv) {
	ctx := context.Background()
	svc := manage.NewClient(env.bus) // over the bus: what the gateway holds

	t.Run("defaults before anything is set", func(t *testing.T) {
		got, err := svc.GetGlobalSettings(ctx, manage.GetGlobalSettingsRequest{})
		require.NoError(t, err)
		require.Zero(t, got.UpdateTime)
		require.Equal(t, manage.PlatformInfo{}, got.PlatformInfo)
		require.Equal(t, int64(manage.MaxUploadSizeBytes), got.FileUpload.MaxSizeBytes)
		require.Equal(t, manage.UploadExtensionsAny, got.FileUpload.ExtensionMode)
		require.Len(t, got.AccountNameRules, 5)
		require.Len(t, got.ScriptTemplates, 6)
		for _, tpl := range got.ScriptTemplates {
			if tpl.ScriptLanguage == gse.LangSQL {
				continue
			}
			for _, helper := range []string{"job_start", "job_success", "job_fail"} {
				require.Contains(t, tpl.Content, helper, "language %d", tpl.ScriptLanguage)
			}
		}
	})

	t.Run("bad input names the field and changes nothing", func(t *testing.T) {
		long := strings.Repeat("x", manage.MaxPlatformTitleLen+1)
		for field, req := range map[string]manage.UpdateGlobalSettingsRequest{
			"platform_info.title":                 {PlatformInfo: &manage.PlatformInfo{Title: long}},
			"platform_info.footer":                {PlatformInfo: &manage.PlatformInfo{Footer: "two\nlines"}},
			"platform_info.help_link":             {PlatformInfo: &manage.PlatformInfo{HelpLink: "javascript:alert(1)"}},
			"file_upload.max_size_bytes":          {FileUpload: &manage.FileUploadSettings{MaxSizeBytes: manage.MaxUploadSizeBytes + 1}},
			"file_upload.extension_mode":          {FileUpload: &manage.FileUploadSettings{ExtensionMode: "some"}},
			"file_upload.extension_list[1]":       {FileUpload: &manage.FileUploadSettings{ExtensionMode: "deny", ExtensionList: []string{"sh", "../x"}}},
			"file_upload.extension_list":          {FileUpload: &manage.FileUploadSettings{ExtensionMode: "allow"}},
			"account_name_rules[0].expression":    {AccountNameRules: []manage.AccountNameRule{{AccountType: 1, Expression: "ops_("}}},
			"account_name_rules[0].account_type":  {AccountNameRules: []manage.AccountNameRule{{AccountType: 3, Expression: "x"}}},
			"account_name_rules[1].account_type":  {AccountNameRules: []manage.AccountNameRule{{AccountType: 1}, {AccountType: 1}}},
			"script_templates[0].script_language": {ScriptTemplates: []manage.ScriptTemplate{{ScriptLanguage: 9, Content: "x"}}},
			"script_templates[0].content":         {ScriptTemplates: []manage.ScriptTemplate{{ScriptLanguage: 1, Content: strings.Repeat("x", manage.MaxScriptTemplateLen+1)}}},
			"platform_info":                       {},
		} {
			// A valid section beside the bad one: nothing is written.
			req.PlatformInfo = orDefault(req.PlatformInfo, field)
			_, err := svc.UpdateGlobalSettings(ctx, req)
			require.Error(t, err, field)
			require.Equal(t, field, errs.From(err).Field, "%v", err)
		}
		got, err := svc.GetGlobalSettings(ctx, manage.GetGlobalSettingsRequest{})
		require.NoError(t, err)
		require.Zero(t, got.UpdateTime, "nothing was written")
	})

	t.Run("sections are replaced one by one", func(t *testing.T) {
		got, err := svc.UpdateGlobalSettings(ctx, manage.UpdateGlobalSettingsRequest{Operator: "admin",
			PlatformInfo: &manage.PlatformInfo{Title: "  Ops Jobs ", Footer: "Ops team, ext. 42", HelpLink: "https://wiki.example/jobs"}})
		require.NoError(t, err)
		require.Equal(t, manage.PlatformInfo{Title: "Ops Jobs", Footer: "Ops team, ext. 42", HelpLink: "https://wiki.example/jobs"}, got.PlatformInfo)
		require.Equal(t, "admin", got.UpdatedBy)
		require.NotZero(t, got.UpdateTime)

		got, err = svc.UpdateGlobalSettings(ctx, manage.UpdateGlobalSettingsRequest{Operator: "alice",
			FileUpload:      &manage.FileUploadSettings{MaxSizeBytes: 1024, ExtensionMode: "deny", ExtensionList: []string{".SH", "exe", "sh"}},
			ScriptTemplates: []manage.ScriptTemplate{{ScriptLanguage: 1, Content: "#!/bin/bash\necho ours\n"}}})
		require.NoError(t, err)
		require.Equal(t, "Ops Jobs", got.PlatformInfo.Title, "an absent section stays")
		require.Equal(t, []string{"sh", "exe"}, got.FileUpload.ExtensionList, "normalised and deduplicated")
		require.Equal(t, "alice", got.UpdatedBy)
		require.Equal(t, "#!/bin/bash\necho ours\n", got.ScriptTemplates[0].Content)
		require.Contains(t, got.ScriptTemplates[3].Content, "job_success", "the other templates stay built-in")

		got, err = svc.UpdateGlobalSettings(ctx, manage.UpdateGlobalSettingsRequest{Operator: "alice",
			ScriptTemplates: []manage.ScriptTemplate{{ScriptLanguage: 1, Content: "  "}}})
		require.NoError(t, err)
		require.Equal(t, builtinTemplate(gse.LangShell), got.ScriptTemplates[0].Content, "an empty template is the built-in one again")
	})

	t.Run("uploads are checked against the settings", func(t *testing.T) {
		_, err := svc.CheckUploads(ctx, manage.UploadCheck{Field: "file_list", Files: []manage.UploadedFile{{Name: "a.conf", Size: 10}, {Name: "b.ini", Size: 2048}}})
		require.Equal(t, "file_list[1].content", errs.From(err).Field, "%v", err)
		_, err = svc.CheckUploads(ctx, manage.UploadCheck{Field: "file_list", Files: []manage.UploadedFile{{Name: "run.SH", Size: 10}}})
		require.Equal(t, "file_list[0].file_name", errs.From(err).Field, "a denied extension, whatever its case")
		ok, err := svc.CheckUploads(ctx, manage.UploadCheck{Field: "file_list", Files: []manage.UploadedFile{{Name: "a.conf", Size: 10}, {Name: "Makefile", Size: 10}}})
		require.NoError(t, err)
		require.Equal(t, 2, ok.Checked)

		_, err = svc.UpdateGlobalSettings(ctx, manage.UpdateGlobalSettingsRequest{FileUpload: &manage.FileUploadSettings{ExtensionMode: "allow", ExtensionList: []string{"conf", ""}}})
		require.NoError(t, err)
		_, err = svc.CheckUploads(ctx, manage.UploadCheck{Field: "file_list", Files: []manage.UploadedFile{{Name: "a.conf"}, {Name: "Makefile"}}})
		require.NoError(t, err, `"" allows names without an extension`)
		_, err = svc.CheckUploads(ctx, manage.UploadCheck{Field: "file_list", Files: []manage.UploadedFile{{Name: "a.conf"}, {Name: "b.yaml"}}})
		require.Equal(t, "file_list[1].file_name", errs.From(err).Field)
		require.Contains(t, err.Error(), ".conf, (no extension)")
	})

	t.Run("account naming rules narrow the built-in ones", func(t *testing.T) {
		_, err := svc.UpdateGlobalSettings(ctx, manage.UpdateGlobalSettingsRequest{
			AccountNameRules: []manage.AccountNameRule{{AccountType: manage.AccountTypeLinux, Expression: `ops_[a-z]+`, Description: "Linux accounts start with ops_"}}})
		require.NoError(t, err)
		_, err = svc.CreateAccount(ctx, manage.CreateAccountRequest{ScopeRef: accBiz1, Category: 1, Type: 1, Account: "deploy"})
		require.Equal(t, "account", errs.From(err).Field)
		require.Contains(t, err.Error(), "Linux accounts start with ops_")
		_, err = svc.CreateAccount(ctx, manage.CreateAccountRequest{ScopeRef: accBiz1, Category: 1, Type: 1, Account: "ops_deploy"})
		require.NoError(t, err)
		_, err = svc.CreateAccount(ctx, manage.CreateAccountRequest{ScopeRef: accBiz1, Category: 1, Type: 1, Account: "ops_Deploy"})
		require.Equal(t, "account", errs.From(err).Field, "the built-in Linux rule still applies")
		_, err = svc.CreateAccount(ctx, manage.CreateAccountRequest{ScopeRef: accBiz1, Category: 1, Type: 2, Account: "Deployer", Password: "pw"})
		require.NoError(t, err, "the other types keep their rules")
	})
}

// orDefault keeps a test case's own platform_info, or adds a valid one so
// the case proves a bad section stops the good ones from being written.
func orDefault(p *manage.PlatformInfo, field string) *manage.PlatformInfo {
	if p != nil || field == "platform_info" {
		return p
	}
	return &manage.PlatformInfo{Title: "never written"}
}

// TestTemplatesDefineTheHelpers runs the built-in templates that this host
// can run: they start, succeed with job_success and fail with job_fail.
func TestTemplatesDefineTheHelpers(t *testing.T) {
	for _, tc := range []struct {
		lang      int
		prog      string
		last, bad string
	}{
		{gse.LangShell, "bash", `job_success "done"`, `job_fail "broken disk"`},
		{gse.LangPython, "python3", `    job_success("done")`, `    job_fail("broken disk")`},
		{gse.LangPerl, "perl", `job_success("done");`, `job_fail("broken disk");`},
	} {
		prog, err := exec.LookPath(tc.prog)
		if err != nil {
			t.Logf("%s is not installed here: its template is not run", tc.prog)
			continue
		}
		tpl := builtinTemplate(tc.lang)
		require.Contains(t, tpl, tc.last)
		run := func(content string) (string, int) {
			f := filepath.Join(t.TempDir(), "script")
			require.NoError(t, os.WriteFile(f, []byte(content), 0o600))
			out, err := exec.Command(prog, f).CombinedOutput()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok { //nolint:errorlint // exit status only
				code = ee.ExitCode()
			} else {
				require.NoError(t, err)
			}
			return string(out), code
		}
		out, code := run(tpl)
		require.Equal(t, 0, code, "%s: %s", tc.prog, out)
		require.Regexp(t, `\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\]\[PID:\d+\] job_start\n`, out)
		require.Contains(t, out, "job_success:[done]")
		out, code = run(strings.Replace(tpl, tc.last, tc.bad, 1))
		require.Equal(t, 1, code, "%s: %s", tc.prog, out)
		require.Contains(t, out, "job_fail:[broken disk]")
		require.NotContains(t, out, "job_success")
	}
}
