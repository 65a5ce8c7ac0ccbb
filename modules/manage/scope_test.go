package manage_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
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

func TestResolveScopeParams(t *testing.T) {
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
			got, err := manage.ResolveScopeParams(context.Background(), svc, tt.typ, tt.id, tt.biz)
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
