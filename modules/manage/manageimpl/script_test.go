package manageimpl

import (
	"context"
	"encoding/base64"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/httpx"
)

var scBiz1 = manage.ScopeRef{ScopeType: "biz", ScopeID: "1", BizID: 1, Resolved: true}
var scBiz2 = manage.ScopeRef{ScopeType: "biz", ScopeID: "2", BizID: 2, Resolved: true}

func newScript(t *testing.T, svc manage.Full, scope manage.ScopeRef, name string) manage.ScriptVersion {
	t.Helper()
	v, err := svc.CreateScript(context.Background(), manage.CreateScriptRequest{ScopeRef: scope, Operator: "alice",
		NewScript: manage.NewScript{Name: name, ScriptLanguage: 1, Content: b64("echo v1\n"), Version: "1.0", Tags: []string{"ops", "ops", " db "}}})
	require.NoError(t, err)
	return v
}

func addVersion(t *testing.T, svc manage.Full, scope manage.ScopeRef, scriptID, version, content string) manage.ScriptVersion {
	t.Helper()
	v, err := svc.CreateScriptVersion(context.Background(), manage.CreateScriptVersionRequest{ScopeRef: scope, Operator: "bob",
		NewVersion: manage.NewVersion{ScriptID: scriptID, Version: version, Content: b64(content)}})
	require.NoError(t, err)
	return v
}

func v3code(err error) int { return httpx.V3Code(err) }

// TestScriptLifecycle walks the status machine through every transition
// bk-job allows and refuses, on every backend and over the bus client.
func TestScriptLifecycle(t *testing.T) {
	eachBackend(t, func(t *testing.T, env credEnv) {
		ctx := context.Background()
		svc := manage.Full(manage.NewClient(env.bus))
		v1 := newScript(t, svc, scBiz1, "deploy.sh")
		require.Equal(t, manage.ScriptDraft, v1.Status)
		require.Equal(t, "echo v1\n", v1.Content, "content answers in plain text")
		require.Len(t, v1.ScriptID, 32)

		_, err := svc.CreateScript(ctx, manage.CreateScriptRequest{ScopeRef: scBiz1, NewScript: manage.NewScript{Name: "deploy.sh", ScriptLanguage: 1, Content: b64("x"), Version: "1"}})
		require.Equal(t, 1243002, v3code(err), "name unique per business")
		// Another business may use the name.
		newScript(t, svc, scBiz2, "deploy.sh")

		_, err = svc.CreateScriptVersion(ctx, manage.CreateScriptVersionRequest{ScopeRef: scBiz1, NewVersion: manage.NewVersion{ScriptID: v1.ScriptID, Version: "1.0", Content: b64("x")}})
		require.Equal(t, 1243036, v3code(err), "version name unique per script")

		ref := func(v manage.ScriptVersion) manage.ScriptVersionRequest {
			return manage.ScriptVersionRequest{ScopeRef: scBiz1, Operator: "carol", VersionRef: manage.VersionRef{ScriptID: v.ScriptID, ScriptVersionID: v.ID}}
		}
		// DRAFT: editable; cannot be disabled; runs nowhere.
		desc := "first"
		up, err := svc.UpdateScriptVersion(ctx, manage.UpdateScriptVersionRequest{ScopeRef: scBiz1, VersionContent: manage.VersionContent{ScriptID: v1.ScriptID, ScriptVersionID: v1.ID, Content: b64("echo v1b\n"), VersionDesc: &desc}})
		require.NoError(t, err)
		require.Equal(t, "echo v1b\n", up.Content)
		_, err = svc.DisableScriptVersion(ctx, ref(v1))
		require.Equal(t, 1241003, v3code(err), "a draft cannot be disabled")
		_, err = svc.ScriptToRun(ctx, manage.ScriptToRunRequest{BizID: 1, ScriptVersionID: v1.ID})
		require.Equal(t, 1244018, v3code(err), "a draft never runs")
		_, err = svc.ScriptToRun(ctx, manage.ScriptToRunRequest{BizID: 1, ScriptID: v1.ScriptID})
		require.Equal(t, 1244018, v3code(err), "no online version")

		// DRAFT → ONLINE.
		st, err := svc.PublishScriptVersion(ctx, ref(v1))
		require.NoError(t, err)
		require.Equal(t, manage.ScriptOnline, st.Status)
		_, err = svc.UpdateScriptVersion(ctx, manage.UpdateScriptVersionRequest{ScopeRef: scBiz1, VersionContent: manage.VersionContent{ScriptID: v1.ScriptID, ScriptVersionID: v1.ID, Content: b64("echo no\n")}})
		require.Equal(t, 1241003, v3code(err), "only drafts are edited")
		_, err = svc.DeleteScriptVersion(ctx, ref(v1))
		require.Equal(t, 1243005, v3code(err), "an online version is not deleted")
		run, err := svc.ScriptToRun(ctx, manage.ScriptToRunRequest{BizID: 1, ScriptID: v1.ScriptID})
		require.NoError(t, err)
		require.Equal(t, "echo v1b\n", run.Content)
		require.Equal(t, v1.ID, run.ScriptVersionID)

		// Publishing v2 takes v1 offline; v1 still runs by id.
		v2 := addVersion(t, svc, scBiz1, v1.ScriptID, "2.0", "echo v2\n")
		_, err = svc.PublishScriptVersion(ctx, ref(v2))
		require.NoError(t, err)
		page, err := svc.GetScriptVersionList(ctx, manage.GetScriptVersionListRequest{ScopeRef: scBiz1, VersionListFilter: manage.VersionListFilter{ScriptID: v1.ScriptID}})
		require.NoError(t, err)
		require.Equal(t, 2, page.Total)
		status := map[int64]int{}
		for _, v := range page.Data {
			status[v.ID] = v.Status
			require.Empty(t, v.Content, "no content unless asked")
		}
		require.Equal(t, map[int64]int{v1.ID: manage.ScriptOffline, v2.ID: manage.ScriptOnline}, status)
		run, err = svc.ScriptToRun(ctx, manage.ScriptToRunRequest{BizID: 1, ScriptVersionID: v1.ID})
		require.NoError(t, err, "an offline version runs")
		require.Equal(t, "echo v1b\n", run.Content)
		run, err = svc.ScriptToRun(ctx, manage.ScriptToRunRequest{BizID: 1, ScriptID: v1.ScriptID})
		require.NoError(t, err)
		require.Equal(t, v2.ID, run.ScriptVersionID, "script_id runs the online version")

		// OFFLINE → ONLINE again (bk-job publishes any but disabled).
		_, err = svc.PublishScriptVersion(ctx, ref(v1))
		require.NoError(t, err)
		_, err = svc.PublishScriptVersion(ctx, ref(v2))
		require.NoError(t, err)

		// OFFLINE → DISABLED; ONLINE → DISABLED; disabled refuses all.
		_, err = svc.DisableScriptVersion(ctx, ref(v1))
		require.NoError(t, err)
		_, err = svc.DisableScriptVersion(ctx, ref(v1))
		require.Equal(t, 1241003, v3code(err), "disabled twice")
		_, err = svc.PublishScriptVersion(ctx, ref(v1))
		require.Equal(t, 1241003, v3code(err), "a disabled version is not published")
		_, err = svc.ScriptToRun(ctx, manage.ScriptToRunRequest{BizID: 1, ScriptVersionID: v1.ID})
		require.Equal(t, 1244014, v3code(err), "a disabled version never runs")
		require.Equal(t, "script_version_id", errs.From(err).Field)
		_, err = svc.DisableScriptVersion(ctx, ref(v2))
		require.NoError(t, err)
		_, err = svc.ScriptToRun(ctx, manage.ScriptToRunRequest{BizID: 1, ScriptID: v1.ScriptID})
		require.Equal(t, 1244018, v3code(err), "no online version once it is disabled")

		// Deleting: a disabled version goes; the last one takes the script.
		_, err = svc.DeleteScriptVersion(ctx, ref(v1))
		require.NoError(t, err)
		_, err = svc.DeleteScriptVersion(ctx, ref(v2))
		require.NoError(t, err)
		_, err = svc.GetScriptVersionList(ctx, manage.GetScriptVersionListRequest{ScopeRef: scBiz1, VersionListFilter: manage.VersionListFilter{ScriptID: v1.ScriptID}})
		require.Equal(t, 1243001, v3code(err))
	})
}

// TestScriptScopeAndInput: another business's ids are not found and
// change nothing; bad input names its field.
func TestScriptScopeAndInput(t *testing.T) {
	eachBackend(t, func(t *testing.T, env credEnv) {
		ctx := context.Background()
		svc := env.impl
		v := newScript(t, svc, scBiz1, "mine")
		vr := manage.VersionRef{ScriptID: v.ScriptID, ScriptVersionID: v.ID}

		_, err := svc.GetScriptVersionDetail(ctx, manage.GetScriptVersionDetailRequest{ScopeRef: scBiz2, VersionLookup: manage.VersionLookup{ID: v.ID}})
		require.Equal(t, 1243047, v3code(err))
		_, err = svc.GetScriptVersionList(ctx, manage.GetScriptVersionListRequest{ScopeRef: scBiz2, VersionListFilter: manage.VersionListFilter{ScriptID: v.ScriptID}})
		require.Equal(t, 1243001, v3code(err))
		_, err = svc.PublishScriptVersion(ctx, manage.ScriptVersionRequest{ScopeRef: scBiz2, VersionRef: vr})
		require.Equal(t, 1243001, v3code(err))
		_, err = svc.DeleteScript(ctx, manage.DeleteScriptRequest{ScopeRef: scBiz2, ScriptID: v.ScriptID})
		require.Equal(t, 1243001, v3code(err))
		_, err = svc.UpdateScriptBasic(ctx, manage.UpdateScriptBasicRequest{ScopeRef: scBiz2, ScriptBasic: manage.ScriptBasic{ScriptID: v.ScriptID, Name: "stolen"}})
		require.Equal(t, 1243001, v3code(err))
		_, err = svc.ScriptToRun(ctx, manage.ScriptToRunRequest{BizID: 2, ScriptVersionID: v.ID})
		require.Equal(t, 1243047, v3code(err), "another business's version does not run")
		// A version of another script of the same business is not this one's.
		other := newScript(t, svc, scBiz1, "other")
		_, err = svc.PublishScriptVersion(ctx, manage.ScriptVersionRequest{ScopeRef: scBiz1, VersionRef: manage.VersionRef{ScriptID: other.ScriptID, ScriptVersionID: v.ID}})
		require.Equal(t, 1243047, v3code(err))
		got, err := svc.GetScriptVersionDetail(ctx, manage.GetScriptVersionDetailRequest{ScopeRef: scBiz1, VersionLookup: manage.VersionLookup{ScriptID: v.ScriptID, Version: "1.0"}})
		require.NoError(t, err)
		require.Equal(t, manage.ScriptDraft, got.Status, "nothing changed")
		require.Equal(t, "mine", got.Name)

		bad := []struct {
			name  string
			in    manage.NewScript
			field string
		}{
			{"bad base64", manage.NewScript{Name: "a", ScriptLanguage: 1, Content: "%%%not base64", Version: "1"}, "content"},
			{"empty content", manage.NewScript{Name: "a", ScriptLanguage: 1, Content: b64("  \n"), Version: "1"}, "content"},
			{"oversized", manage.NewScript{Name: "a", ScriptLanguage: 1, Content: b64(strings.Repeat("x", manage.MaxScriptContentBytes+1)), Version: "1"}, "content"},
			{"not utf-8", manage.NewScript{Name: "a", ScriptLanguage: 1, Content: base64.StdEncoding.EncodeToString([]byte{0xff, 0xfe}), Version: "1"}, "content"},
			{"no name", manage.NewScript{ScriptLanguage: 1, Content: b64("x"), Version: "1"}, "name"},
			{"long name", manage.NewScript{Name: strings.Repeat("n", 61), ScriptLanguage: 1, Content: b64("x"), Version: "1"}, "name"},
			{"language", manage.NewScript{Name: "a", ScriptLanguage: 7, Content: b64("x"), Version: "1"}, "script_language"},
			{"version", manage.NewScript{Name: "a", ScriptLanguage: 1, Content: b64("x"), Version: "1 0"}, "version"},
			{"tags", manage.NewScript{Name: "a", ScriptLanguage: 1, Content: b64("x"), Version: "1", Tags: []string{""}}, "tags"},
		}
		for _, tt := range bad {
			_, err := svc.CreateScript(ctx, manage.CreateScriptRequest{ScopeRef: scBiz1, NewScript: tt.in})
			require.Error(t, err, tt.name)
			require.Equal(t, tt.field, errs.From(err).Field, tt.name)
		}
		page, err := svc.GetScriptList(ctx, manage.GetScriptListRequest{ScopeRef: scBiz1})
		require.NoError(t, err)
		require.Equal(t, 2, page.Total, "no bad input was stored")
	})
}

// TestScriptSearch: name, tag, language and content keyword.
func TestScriptSearch(t *testing.T) {
	eachBackend(t, func(t *testing.T, env credEnv) {
		ctx := context.Background()
		svc := env.impl
		a := newScript(t, svc, scBiz1, "alpha_1")
		addVersion(t, svc, scBiz1, a.ScriptID, "2", "grep needle /etc/hosts\n")
		_, err := svc.CreateScript(ctx, manage.CreateScriptRequest{ScopeRef: scBiz1, NewScript: manage.NewScript{Name: "beta", ScriptLanguage: 4, Content: b64("print(1)"), Version: "1", Tags: []string{"py"}}})
		require.NoError(t, err)
		newScript(t, svc, scBiz2, "alpha_2")
		names := func(f manage.ScriptListFilter) []string {
			p, err := svc.GetScriptList(ctx, manage.GetScriptListRequest{ScopeRef: scBiz1, ScriptListFilter: f})
			require.NoError(t, err)
			var out []string
			for _, s := range p.Data {
				out = append(out, s.Name)
			}
			return out
		}
		require.ElementsMatch(t, []string{"alpha_1", "beta"}, names(manage.ScriptListFilter{}))
		require.Equal(t, []string{"alpha_1"}, names(manage.ScriptListFilter{Name: "a_"}), "a LIKE wildcard is literal")
		require.Empty(t, names(manage.ScriptListFilter{Name: "%"}))
		require.Equal(t, []string{"beta"}, names(manage.ScriptListFilter{Tag: "py"}))
		require.Equal(t, []string{"beta"}, names(manage.ScriptListFilter{ScriptLanguage: 4}))
		require.Equal(t, []string{"alpha_1"}, names(manage.ScriptListFilter{Keyword: "needle"}), "content search")
		require.Equal(t, []string{"alpha_1"}, names(manage.ScriptListFilter{Keyword: "alpha"}), "keyword matches names too")
		p, err := svc.GetScriptList(ctx, manage.GetScriptListRequest{ScopeRef: scBiz1, ScriptListFilter: manage.ScriptListFilter{Name: "alpha"}})
		require.NoError(t, err)
		require.Equal(t, []string{"db", "ops"}, p.Data[0].Tags)
	})
}

// TestPublicScripts: the public library is apart from every business's,
// and a business runs its versions by id.
func TestPublicScripts(t *testing.T) {
	eachBackend(t, func(t *testing.T, env credEnv) {
		ctx := context.Background()
		svc := env.impl
		pv, err := svc.CreatePublicScript(ctx, manage.CreatePublicScriptRequest{Operator: "admin", NewScript: manage.NewScript{Name: "shared", ScriptLanguage: 1, Content: b64("echo pub\n"), Version: "1"}})
		require.NoError(t, err)
		require.True(t, pv.PublicScript)
		require.Empty(t, pv.ScopeType)
		_, err = svc.GetScriptVersionList(ctx, manage.GetScriptVersionListRequest{ScopeRef: scBiz1, VersionListFilter: manage.VersionListFilter{ScriptID: pv.ScriptID}})
		require.Equal(t, 1243001, v3code(err), "a public script is not a business's")
		_, err = svc.ScriptToRun(ctx, manage.ScriptToRunRequest{BizID: 2, ScriptVersionID: pv.ID})
		require.Equal(t, 1244018, v3code(err), "draft")
		_, err = svc.PublishPublicScriptVersion(ctx, manage.PublicScriptVersionRequest{VersionRef: manage.VersionRef{ScriptID: pv.ScriptID, ScriptVersionID: pv.ID}})
		require.NoError(t, err)
		run, err := svc.ScriptToRun(ctx, manage.ScriptToRunRequest{BizID: 2, ScriptVersionID: pv.ID})
		require.NoError(t, err)
		require.True(t, run.Public)
		p, err := svc.GetPublicScriptList(ctx, manage.GetPublicScriptListRequest{})
		require.NoError(t, err)
		require.Equal(t, 1, p.Total)
		require.Equal(t, pv.ID, p.Data[0].OnlineScriptVersionID)
		biz := newScript(t, svc, scBiz1, "local")
		_, err = svc.PublishPublicScriptVersion(ctx, manage.PublicScriptVersionRequest{VersionRef: manage.VersionRef{ScriptID: biz.ScriptID, ScriptVersionID: biz.ID}})
		require.Equal(t, 1243001, v3code(err), "a business script is not public")
	})
}

// TestScriptPublishRace: publishes of different versions racing each other
// leave exactly one version online.
func TestScriptPublishRace(t *testing.T) {
	eachBackend(t, func(t *testing.T, env credEnv) {
		ctx := context.Background()
		svc := env.impl
		v1 := newScript(t, svc, scBiz1, "raced")
		vs := []manage.ScriptVersion{v1}
		for _, n := range []string{"2", "3", "4"} {
			vs = append(vs, addVersion(t, svc, scBiz1, v1.ScriptID, n, "echo "+n))
		}
		var wg sync.WaitGroup
		for i := range 12 {
			v := vs[i%len(vs)]
			wg.Go(func() {
				_, err := svc.PublishScriptVersion(ctx, manage.ScriptVersionRequest{ScopeRef: scBiz1, VersionRef: manage.VersionRef{ScriptID: v.ScriptID, ScriptVersionID: v.ID}})
				assert.NoError(t, err)
			})
		}
		wg.Wait()
		page, err := svc.GetScriptVersionList(ctx, manage.GetScriptVersionListRequest{ScopeRef: scBiz1, VersionListFilter: manage.VersionListFilter{ScriptID: v1.ScriptID}})
		require.NoError(t, err)
		online := 0
		for _, v := range page.Data {
			if v.Status == manage.ScriptOnline {
				online++
			} else {
				require.Equal(t, manage.ScriptOffline, v.Status)
			}
		}
		require.Equal(t, 1, online, "exactly one version online")
	})
}
