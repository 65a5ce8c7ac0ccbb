package db

import (
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"
)

func TestMySQLDSN(t *testing.T) {
	dsn, err := mysqlDSN("bkjob:pw@tcp(db:3306)/bkjob?timeout=5s")
	require.NoError(t, err)
	c, err := gomysql.ParseDSN(dsn)
	require.NoError(t, err)
	require.True(t, c.ParseTime)
	require.Equal(t, time.UTC, c.Loc)
	require.False(t, c.MultiStatements)
	require.Equal(t, "utf8mb4", c.Params["charset"])
	require.Equal(t, 5*time.Second, c.Timeout)
	require.Equal(t, "bkjob", c.DBName)
}
