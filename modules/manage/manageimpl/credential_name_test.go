package manageimpl

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
)

// TestCredentialNameUnique: a business's credential names are unique, on
// create and on rename, and a refused write changes nothing.
func TestCredentialNameUnique(t *testing.T) { eachBackend(t, testCredentialNameUnique) }

func testCredentialNameUnique(t *testing.T, env credEnv) {
	env.each(t, func(t *testing.T, svc manage.Full) {
		ctx := context.Background()
		sfx := runSuffix(svc)
		scope := manage.ScopeRef{ScopeType: "biz", ScopeID: "1", BizID: 1}
		create := func(name, password string, biz int64) (manage.CredentialRef, error) {
			req := biz1(manage.CreateCredentialRequest{Name: name, Type: "PASSWORD", CredentialValues: manage.CredentialValues{Password: password}})
			req.BizID = biz
			return svc.CreateCredential(ctx, req)
		}
		requireNameExists := func(t *testing.T, err error) {
			t.Helper()
			require.ErrorIs(t, err, manage.ErrCredentialNameExists)
			require.Equal(t, "name", errs.From(err).Field)
			require.Contains(t, err.Error(), "already has a credential named")
		}
		count := func(name string) int64 {
			var n int64
			require.NoError(t, env.db.Model(&credential{}).Where("name = ?", name).Count(&n).Error)
			return n
		}

		first, err := create("dup"+sfx, "first", 1)
		require.NoError(t, err)

		for _, name := range []string{"dup" + sfx, "  dup" + sfx + "\t"} {
			_, err = create(name, "second", 1)
			requireNameExists(t, err)
		}
		require.Equal(t, int64(1), count("dup"+sfx), "a refused create writes nothing")

		_, err = create("dup"+sfx, "other business", 2)
		require.NoError(t, err, "another business may use the name")
		_, err = create("DUP"+sfx, "capitals", 1)
		require.NoError(t, err, "names compare exactly, on every backend")

		other, err := create("other"+sfx, "other", 1)
		require.NoError(t, err)
		desc := "changed"
		_, err = svc.UpdateCredential(ctx, manage.UpdateCredentialRequest{ScopeRef: scope, Operator: "bob", ID: other.ID,
			Name: "dup" + sfx, Description: &desc, CredentialValues: manage.CredentialValues{Password: "changed"}})
		requireNameExists(t, err)
		got, err := svc.GetCredential(ctx, manage.GetCredentialRequest{ScopeRef: scope, ID: other.ID})
		require.NoError(t, err)
		require.Equal(t, "other"+sfx, got.Name, "a refused rename changes nothing")
		require.Empty(t, got.Description)
		require.Equal(t, "alice", got.LastModifyUser)
		login, err := svc.SSHCredential(ctx, other.ID)
		require.NoError(t, err)
		require.Equal(t, "other", login.Password, "nor the secrets sent with it")

		same, err := svc.UpdateCredential(ctx, manage.UpdateCredentialRequest{ScopeRef: scope, ID: first.ID, Name: "dup" + sfx})
		require.NoError(t, err, "a credential keeps its own name")
		require.Equal(t, first, same)
	})
}

// TestCredentialNameRace: concurrent writes of one name, through the
// implementation and the bus at once, end with exactly one credential of
// that name; every other writer is told the name exists.
func TestCredentialNameRace(t *testing.T) { eachBackend(t, testCredentialNameRace) }

func testCredentialNameRace(t *testing.T, env credEnv) {
	ctx := context.Background()
	svcs := []manage.Full{env.impl, manage.NewClient(env.bus)}
	const writers = 8
	scope := manage.ScopeRef{ScopeType: "biz", ScopeID: "1", BizID: 1}

	race := func(t *testing.T, write func(i int, svc manage.Full) error) {
		t.Helper()
		start := make(chan struct{})
		errList := make([]error, writers)
		var wg sync.WaitGroup
		for i := range writers {
			wg.Go(func() {
				<-start
				errList[i] = write(i, svcs[i%len(svcs)])
			})
		}
		close(start)
		wg.Wait()
		won := 0
		for i, err := range errList {
			if err == nil {
				won++
				continue
			}
			require.ErrorIs(t, err, manage.ErrCredentialNameExists, "writer %d", i)
			require.Equal(t, "name", errs.From(err).Field)
		}
		require.Equal(t, 1, won, "exactly one writer wins")
	}

	t.Run("create", func(t *testing.T) {
		race(t, func(i int, svc manage.Full) error {
			_, err := svc.CreateCredential(ctx, biz1(manage.CreateCredentialRequest{Name: "raced", Type: "PASSWORD",
				CredentialValues: manage.CredentialValues{Password: fmt.Sprint(i)}}))
			return err
		})
		var n int64
		require.NoError(t, env.db.Model(&credential{}).Where("biz_id = 1 AND name = ?", "raced").Count(&n).Error)
		require.Equal(t, int64(1), n)
	})

	t.Run("rename", func(t *testing.T) {
		ids := make([]manage.CredentialID, writers)
		for i := range ids {
			ref, err := env.impl.CreateCredential(ctx, biz1(manage.CreateCredentialRequest{Name: fmt.Sprintf("before %d", i),
				Type: "PASSWORD", CredentialValues: manage.CredentialValues{Password: "x"}}))
			require.NoError(t, err)
			ids[i] = ref.ID
		}
		race(t, func(i int, svc manage.Full) error {
			_, err := svc.UpdateCredential(ctx, manage.UpdateCredentialRequest{ScopeRef: scope, ID: ids[i], Name: "renamed"})
			return err
		})
		var names []string
		require.NoError(t, env.db.Model(&credential{}).Where("id IN ?", ids).Order("name").Pluck("name", &names).Error)
		require.Len(t, names, writers)
		require.Equal(t, "renamed", names[writers-1], "one took the name")
		for _, n := range names[:writers-1] {
			require.Regexp(t, `^before \d$`, n, "the others kept theirs")
		}
	})
}

// TestCredentialIDs: ids are checked wherever one comes in, and a bad one
// is named by its field without being quoted back.
func TestCredentialIDs(t *testing.T) {
	env := newCredEnv(t, openSQLite(t))
	ctx := context.Background()
	ref, err := env.impl.CreateCredential(ctx, biz1(manage.CreateCredentialRequest{Name: "c", Type: "PASSWORD",
		CredentialValues: manage.CredentialValues{Password: "x"}}))
	require.NoError(t, err)
	scope := manage.ScopeRef{ScopeType: "biz", ScopeID: "1", BizID: 1}

	cases := []struct {
		name string
		id   manage.CredentialID
		want *errs.Error
	}{
		{name: "empty", id: "", want: errs.ErrRequired},
		{name: "spaces", id: "   ", want: errs.ErrRequired},
		{name: "old integer id", id: "1", want: errs.ErrInvalid},
		{name: "31 digits", id: ref.ID[1:], want: errs.ErrInvalid},
		{name: "33 digits", id: ref.ID + "a", want: errs.ErrInvalid},
		{name: "uuid with dashes", id: ref.ID[:8] + "-" + ref.ID[8:12] + "-" + ref.ID[12:16] + "-" + ref.ID[16:20] + "-" + ref.ID[20:], want: errs.ErrInvalid},
		{name: "not hex", id: "g" + ref.ID[1:], want: errs.ErrInvalid},
		{name: "sql", id: "' OR '1'='1", want: errs.ErrInvalid},
		{name: "non-ascii of 32 bytes", id: "ééééééééééééééé" + "00", want: errs.ErrInvalid},
		{name: "nul", id: "\x00" + ref.ID[1:], want: errs.ErrInvalid},
		{name: "well formed, unknown", id: unknownCredentialID, want: manage.ErrCredentialNotFound},
	}
	env.each(t, func(t *testing.T, svc manage.Full) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := svc.GetCredential(ctx, manage.GetCredentialRequest{ScopeRef: scope, ID: tc.id})
				require.ErrorIs(t, err, tc.want)
				require.Equal(t, "id", errs.From(err).Field)
				if tc.want.Code == errs.ErrInvalid.Code {
					require.NotContains(t, err.Error(), string(tc.id), "the value is not quoted back")
				}
				_, err = svc.UpdateCredential(ctx, manage.UpdateCredentialRequest{ScopeRef: scope, ID: tc.id, Name: "n"})
				require.ErrorIs(t, err, tc.want)
				require.Equal(t, "id", errs.From(err).Field)
				_, err = svc.SSHCredential(ctx, tc.id)
				require.ErrorIs(t, err, tc.want)
				require.Equal(t, "credential_id", errs.From(err).Field)
			})
		}
		for _, id := range []manage.CredentialID{ref.ID, " " + ref.ID + "\n", manage.CredentialID(strings.ToUpper(string(ref.ID)))} {
			got, err := svc.GetCredential(ctx, manage.GetCredentialRequest{ScopeRef: scope, ID: id})
			require.NoError(t, err, "%q", id)
			require.Equal(t, ref.ID, got.ID, "answered in canonical form")
		}
	})
}

func TestNewCredentialIDIsRandom(t *testing.T) {
	seen := map[manage.CredentialID]bool{}
	for range 1000 {
		id, err := manage.NewCredentialID()
		require.NoError(t, err)
		canonical, err := manage.ParseCredentialID("id", id)
		require.NoError(t, err)
		require.Equal(t, id, canonical, "new ids are canonical")
		require.False(t, seen[id], "id %s repeated", id)
		seen[id] = true
	}
}

// TestCredentialIDJSON: ids are JSON strings both ways; a number (the old
// integer ids) is a type error on the field, which the v3 binder answers
// as 1241005 naming it.
func TestCredentialIDJSON(t *testing.T) {
	for _, body := range []string{`{"id":12}`, `{"id":1.5}`, `{"id":["a"]}`, `{"id":{}}`} {
		var req manage.GetCredentialRequest
		err := json.Unmarshal([]byte(body), &req)
		var te *json.UnmarshalTypeError
		require.ErrorAs(t, err, &te, body)
		require.Equal(t, "id", te.Field, "the error names the field")
	}
	var req manage.CreateAgentlessHostRequest
	require.NoError(t, json.Unmarshal([]byte(`{"credential_id":"0123456789abcdef0123456789abcdef"}`), &req))
	require.Equal(t, unknownCredentialID, req.CredentialID)

	out, err := json.Marshal(manage.CredentialRef{ID: unknownCredentialID, Name: "n"})
	require.NoError(t, err)
	require.JSONEq(t, `{"id":"0123456789abcdef0123456789abcdef","name":"n"}`, string(out))
}
