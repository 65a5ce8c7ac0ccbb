package manage_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/httpx"
)

// scopes is a manage.Service knowing business 2 and business set 9.
type scopes struct{ calls int }

var _ manage.Service = (*scopes)(nil)

func (s *scopes) ResolveScope(_ context.Context, typ, id string) (manage.Scope, error) {
	s.calls++
	switch typ + ":" + id {
	case "biz:2":
		return manage.Scope{Type: "biz", ID: "2", BizID: 2}, nil
	case "biz_set:9":
		return manage.Scope{Type: "biz_set", ID: "9", BizID: 9000}, nil
	case "biz:500":
		return manage.Scope{}, errs.ErrUnavailable
	}
	return manage.Scope{}, manage.ErrScopeNotFound
}

func (s *scopes) Account(context.Context, int64, manage.AccountRef) (manage.Account, error) {
	return manage.Account{}, errors.New("accounts are not used by ResolveScopeParams")
}

func (s *scopes) CheckScriptRun(context.Context, manage.ScriptRunCheck) (manage.ScriptRunVerdict, error) {
	return manage.ScriptRunVerdict{}, nil
}

func (s *scopes) CheckUploads(context.Context, manage.UploadCheck) (manage.UploadsAllowed, error) {
	return manage.UploadsAllowed{}, nil
}

func TestResolveScopeParams(t *testing.T) {
	admin := httpx.WithActor(context.Background(), httpx.Actor{Username: "admin", AllScopes: true})
	tests := []struct {
		name      string
		typ, id   string
		biz       int64
		want      manage.Scope
		wantErr   *errs.Error
		wantField string
	}{
		{"biz", "biz", "2", 0, manage.Scope{Type: "biz", ID: "2", BizID: 2}, nil, ""},
		{"biz set", "biz_set", "9", 0, manage.Scope{Type: "biz_set", ID: "9", BizID: 9000}, nil, ""},
		{"deprecated bk_biz_id", "", "", 2, manage.Scope{Type: "biz", ID: "2", BizID: 2}, nil, ""},
		{"scope wins over bk_biz_id", "biz_set", "9", 2, manage.Scope{Type: "biz_set", ID: "9", BizID: 9000}, nil, ""},
		{"nothing", "", "", 0, manage.Scope{}, errs.ErrInvalid, "bk_scope_id"},
		{"negative bk_biz_id", "", "", -1, manage.Scope{}, errs.ErrInvalid, "bk_scope_id"},
		{"id without type", "", "2", 0, manage.Scope{}, errs.ErrInvalid, "bk_scope_type"},
		{"unknown type", "planet", "2", 0, manage.Scope{}, errs.ErrInvalid, "bk_scope_type"},
		{"type without id", "biz", "", 0, manage.Scope{}, errs.ErrInvalid, "bk_scope_id"},
		{"unknown scope", "biz", "404", 0, manage.Scope{}, manage.ErrScopeNotFound, "bk_scope_id"},
		{"manage down", "biz", "500", 0, manage.Scope{}, errs.ErrUnavailable, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := &scopes{}
			got, err := manage.ResolveScopeParams(admin, svc, tt.typ, tt.id, tt.biz)
			if tt.wantErr == nil {
				require.NoError(t, err)
				require.Equal(t, tt.want, got)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
			require.Equal(t, tt.wantField, errs.From(err).Field, "%v", err)
			require.Equal(t, manage.Scope{}, got)
			if tt.wantErr == errs.ErrInvalid {
				require.Zero(t, svc.calls, "a malformed scope is refused before asking manage")
			}
		})
	}
}

// TestResolveScopeParamsRefusesUngrantedActors: without AllScopes (and with
// no per-scope grants yet) every scope is refused with the permission to
// apply for, before manage is asked, whether the scope exists or not.
func TestResolveScopeParamsRefusesUngrantedActors(t *testing.T) {
	tests := []struct {
		name     string
		ctx      context.Context
		typ, id  string
		biz      int64
		wantType string
		wantID   string
	}{
		{"user", httpx.WithActor(context.Background(), httpx.Actor{Username: "alice"}), "biz", "2", 0, "biz", "2"},
		{"app", httpx.WithActor(context.Background(), httpx.Actor{Username: "bob", AppCode: "ops"}), "biz_set", "9", 0, "business_set", "9"},
		{"deprecated bk_biz_id", httpx.WithActor(context.Background(), httpx.Actor{Username: "alice"}), "", "", 2, "biz", "2"},
		{"unknown scope", httpx.WithActor(context.Background(), httpx.Actor{Username: "alice"}), "biz", "404", 0, "biz", "404"},
		{"no actor", context.Background(), "biz", "2", 0, "biz", "2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := &scopes{}
			_, err := manage.ResolveScopeParams(tt.ctx, svc, tt.typ, tt.id, tt.biz)
			require.ErrorIs(t, err, httpx.ErrPermissionDenied)
			require.Zero(t, svc.calls, "refused before asking manage")
			p := httpx.PermissionOf(err)
			require.NotNil(t, p)
			require.Equal(t, "bk_job", p.SystemID)
			require.Len(t, p.Actions, 1)
			require.Equal(t, "access_business", p.Actions[0].ID)
			rt := p.Actions[0].RelatedResourceTypes[0]
			require.Equal(t, tt.wantType, rt.Type)
			require.Equal(t, tt.wantID, rt.Instances[0][0].ID)
		})
	}
}
