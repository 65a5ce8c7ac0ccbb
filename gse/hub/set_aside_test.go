package hub_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/gsetest"
	"github.com/bkjob/bkjob/gse/hub"
	"github.com/bkjob/bkjob/platform/db"
	"github.com/bkjob/bkjob/schema"
)

// TestSetAsideRecorded: what a SinkGuard sets aside is kept in
// gse_set_aside (task, host, kind, the refusal, the event), on both
// dialects, and the host is failed all the same.
func TestSetAsideRecorded(t *testing.T) {
	backends := map[string]func(t *testing.T) *gorm.DB{
		"sqlite": func(t *testing.T) *gorm.DB { return withSetAside(t, newSQLite(t), db.DriverSQLite) },
		"mysql":  func(t *testing.T) *gorm.DB { return withSetAside(t, newMySQL(t), db.DriverMySQL) },
	}
	for name, open := range backends {
		t.Run(name, func(t *testing.T) {
			store := hub.NewSetAsideStore(open(t))
			rec := gsetest.NewRecorder()
			rec.Refuse(func(events []gse.Event) error {
				for _, ev := range events {
					if ev.Result != nil && strings.HasPrefix(ev.Result.Tag, "poison") {
						return gse.ErrEventsRefused.Withf("store events: Error 1406: Data too long for column 'tag'")
					}
				}
				return nil
			})
			g := gse.NewGuard(rec.Sink, gse.GuardConfig{MaxAttempts: 2, FirstWait: time.Millisecond, Record: store.Record}, nil)
			poison := gse.Event{Kind: gse.EventResult, TaskID: "9:0:1", HostID: 4, Result: &gse.HostResult{Status: gse.HostStatusSuccess, Tag: "poison 中"}}
			require.NoError(t, g.Sink(t.Context(), []gse.Event{poison}))

			got, err := store.List(t.Context(), 10)
			require.NoError(t, err)
			require.Len(t, got, 1)
			require.Equal(t, "9:0:1", got[0].TaskID)
			require.Equal(t, int64(4), got[0].HostID)
			require.Equal(t, gse.EventResult, got[0].Kind)
			require.Contains(t, got[0].Reason, "Data too long")
			var ev gse.Event
			require.NoError(t, json.Unmarshal(got[0].Event, &ev))
			require.Equal(t, "poison 中", ev.Result.Tag)

			res, ok := rec.Result("9:0:1", 4)
			require.True(t, ok)
			require.Equal(t, gse.HostStatusFailed, res.Status)
		})
	}
}

// withSetAside adds schema 0080 to a hub test database.
func withSetAside(t *testing.T, gdb *gorm.DB, dialect string) *gorm.DB {
	t.Helper()
	data, err := fs.ReadFile(schema.FS, dialect+"/0080_gse_set_aside.sql")
	require.NoError(t, err)
	require.NoError(t, db.MigrateFS(context.Background(), gdb, dialect, fstest.MapFS{"0080_gse_set_aside.sql": {Data: data}}))
	return gdb
}
