package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/bkjob/bkjob/modules/logsvr"
	"github.com/bkjob/bkjob/modules/logsvr/logsvrtest"
	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/httpx"
)

// oneBiz is a manage.Service knowing business 2 only.
type oneBiz struct{}

func (oneBiz) ResolveScope(_ context.Context, typ, id string) (manage.Scope, error) {
	if typ == "biz" && id == "2" {
		return manage.Scope{Type: "biz", ID: "2", BizID: 2}, nil
	}
	return manage.Scope{}, manage.ErrScopeNotFound
}

func (oneBiz) Account(context.Context, int64, manage.AccountRef) (manage.Account, error) {
	return manage.Account{}, errors.New("not used")
}

func (oneBiz) CheckScriptRun(context.Context, manage.ScriptRunCheck) (manage.ScriptRunVerdict, error) {
	return manage.ScriptRunVerdict{}, nil
}

func (oneBiz) CheckUploads(context.Context, manage.UploadCheck) (manage.UploadsAllowed, error) {
	return manage.UploadsAllowed{}, nil
}

// scopedRoutes mounts what every scoped route does: a v3 endpoint resolving
// its scope through manage.ResolveScopeParams, and logsvr's web stream and
// export over a step of business 2 whose log holds a secret.
func scopedRoutes(t *testing.T) Mount {
	logs := logsvrtest.NewFake(1 << 20)
	ref := logsvr.StepRef{JobInstanceID: 1, StepInstanceID: 11, JobCreated: time.Now()}
	require.NoError(t, logs.WriteScript(context.Background(),
		[]logsvr.ScriptChunk{{HostKey: logsvr.HostKey{StepRef: ref, HostID: 1}, Data: []byte("db password is hunter2\n")}}))
	lookup := func(_ context.Context, step int64, exec, batch int, host int64) (logsvr.StepState, error) {
		return logsvr.StepState{Ref: ref, Status: 3, Finished: true, ScopeType: "biz", ScopeID: "2"}, nil
	}
	h := &logsvr.Handlers{Svc: logs, Lookup: lookup}
	return func(web, v3 *echo.Group) {
		h.Register(web)
		v3.POST("/scoped", func(c echo.Context) error {
			var req struct {
				ScopeType string `json:"bk_scope_type"`
				ScopeID   string `json:"bk_scope_id"`
			}
			if err := c.Bind(&req); err != nil {
				return httpx.V3Error(c, err)
			}
			sc, err := manage.ResolveScopeParams(c.Request().Context(), oneBiz{}, req.ScopeType, req.ScopeID, 0)
			if err != nil {
				return httpx.V3Error(c, err)
			}
			return httpx.V3OK(c, sc)
		})
	}
}

// addUser stores a user the way bootstrapAdmin does; there is no user API yet.
func addUser(t *testing.T, f *fixture, name, password string, admin bool) {
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	require.NoError(t, err)
	created, err := f.gw.st.createUserOnce(context.Background(), user{Username: name, PasswordHash: string(hash), IsAdmin: admin})
	require.NoError(t, err)
	require.True(t, created)
}

func (f *fixture) session(t *testing.T, name, password string) http.Header {
	t.Helper()
	rec := f.login("198.51.100.50", name, password)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var resp loginResponse
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &resp))
	return http.Header{echo.HeaderAuthorization: {"Bearer " + resp.Token}}
}

// TestScopesNeedAGrant: a logged-in user who is not an admin, and an app
// without all_scopes, are refused every scope: 1238001 with the permission
// object on the v3 API, 403 with it on the web log stream and export. An
// admin and the bootstrap app are not.
func TestScopesNeedAGrant(t *testing.T) {
	f := newFixtureWith(t, fixtureOptions{
		env:    []string{"BKJOB_ADMIN_PASSWORD=right", "BKJOB_API_APP_CODE=ci", "BKJOB_API_APP_SECRET=s3cret"},
		mounts: []Mount{scopedRoutes(t)},
	})
	addUser(t, f, "alice", "alice-pw", false)
	hash, err := bcrypt.GenerateFromPassword([]byte("ops-secret"), bcrypt.MinCost)
	require.NoError(t, err)
	require.NoError(t, f.gw.st.upsertApp(context.Background(), apiApp{AppCode: "ops", SecretHash: string(hash), Enabled: true}))

	t.Run("v3", func(t *testing.T) {
		for _, scope := range []map[string]string{
			{"bk_scope_type": "biz", "bk_scope_id": "2"},
			{"bk_scope_type": "biz", "bk_scope_id": "404"}, // unknown: the same refusal, nothing probed
		} {
			rec := f.callFrom("198.51.100.51", http.MethodPost, "/api/v3/scoped", appAuth("ops", "ops-secret"), scope)
			require.Equal(t, http.StatusOK, rec.Code, "bk-job answers v3 with 200")
			r := decodeV3(t, rec)
			require.False(t, r.Result)
			require.Equal(t, 1238001, r.Code, rec.Body.String())
			var p httpx.Permission
			require.NoError(t, json.Unmarshal(r.Permission, &p))
			require.Equal(t, "bk_job", p.SystemID)
			require.Equal(t, "access_business", p.Actions[0].ID)
			require.Equal(t, "biz", p.Actions[0].RelatedResourceTypes[0].Type)
			require.Equal(t, scope["bk_scope_id"], p.Actions[0].RelatedResourceTypes[0].Instances[0][0].ID)
		}
		rec := f.callFrom("198.51.100.51", http.MethodPost, "/api/v3/scoped", appAuth("ci", "s3cret"),
			map[string]string{"bk_scope_type": "biz", "bk_scope_id": "2"})
		require.True(t, decodeV3(t, rec).Result, rec.Body.String())
	})

	alice, admin := f.session(t, "alice", "alice-pw"), f.session(t, "admin", "right")
	for _, path := range []string{
		"/api/web/logs/stream?step_instance_id=11&host_id=1",
		"/api/web/logs/export?step_instance_id=11",
	} {
		t.Run(path, func(t *testing.T) {
			rec := f.call(http.MethodGet, path, alice, nil)
			require.Equal(t, http.StatusForbidden, rec.Code, rec.Body.String())
			require.NotContains(t, rec.Body.String(), "hunter2")
			var body httpx.ErrorBody
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
			require.Equal(t, 1238001, body.Code)
			require.Equal(t, "view_history", body.Permission.Actions[0].ID)
			require.Equal(t, "2", body.Permission.Actions[0].RelatedResourceTypes[0].Instances[0][0].ID)

			rec = f.call(http.MethodGet, path, admin, nil)
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		})
	}
	rec := f.call(http.MethodGet, "/api/web/me", alice, nil)
	require.Equal(t, http.StatusOK, rec.Code, "unscoped routes stay open to any logged-in user")
	require.Contains(t, rec.Body.String(), `"all_scopes":false`)
}
