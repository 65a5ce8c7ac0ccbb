package logsvrimpl_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/bkjob/bkjob/modules/logsvr"
	"github.com/bkjob/bkjob/modules/logsvr/logsvrtest"
	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/testenv"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// mongoStorage gives a test its own database, dropped at the end.
func mongoStorage(t *testing.T) logsvrtest.Opener {
	uri := testenv.Require(t, "BKJOB_TEST_MONGO_URI")
	db := uniqueDB(t, uri)
	return func(capBytes int64) logsvr.Service {
		return openStore(t, config.Logsvr{Backend: "mongodb", MongoURI: uri, MongoDatabase: db, MaxHostBytes: capBytes}, t.TempDir())
	}
}

// uniqueDB names a fresh database and drops it in t.Cleanup.
func uniqueDB(t testing.TB, uri string) string {
	t.Helper()
	var b [6]byte
	_, err := rand.Read(b[:])
	require.NoError(t, err)
	name := "bkjob_logsvr_" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		client, err := mongo.Connect(options.Client().ApplyURI(uri))
		if err != nil {
			t.Logf("drop test database %s: %v", name, err)
			return
		}
		defer func() { _ = client.Disconnect(context.Background()) }()
		if err := client.Database(name).Drop(context.Background()); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
	})
	return name
}

func TestMongoContract(t *testing.T) {
	logsvrtest.Run(t, mongoStorage)
}
