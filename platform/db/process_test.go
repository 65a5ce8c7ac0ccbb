package db_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"testing/fstest"

	"github.com/bkjob/bkjob/platform/config"
	"github.com/bkjob/bkjob/platform/db"
)

// Environment of a re-executed test binary acting as a migrating process.
const (
	helperEnv       = "BKJOB_DB_TEST_MIGRATE_HELPER"
	helperDriverEnv = "BKJOB_DB_TEST_DRIVER"
	helperDSNEnv    = "BKJOB_DB_TEST_DSN"
	helperDirEnv    = "BKJOB_DB_TEST_MIGRATIONS"
	helperReadyEnv  = "BKJOB_DB_TEST_READY"
	helperGoEnv     = "BKJOB_DB_TEST_GO"
	processes       = 3
	processVersions = 12
)

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		if err := migrateHelper(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// migrateHelper is the child process: connect, say ready, wait for the go
// signal, migrate.
func migrateHelper() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	driver := os.Getenv(helperDriverEnv)
	gdb, err := db.Open(ctx, config.DB{Driver: driver, DSN: os.Getenv(helperDSNEnv), MaxOpenConns: 2}, "", nil)
	if err != nil {
		return err
	}
	defer db.Close(gdb)
	if err := os.WriteFile(os.Getenv(helperReadyEnv), nil, 0o600); err != nil {
		return fmt.Errorf("write ready file: %w", err)
	}
	for {
		if _, err := os.Stat(os.Getenv(helperGoEnv)); err == nil {
			break
		}
		if ctx.Err() != nil {
			return fmt.Errorf("wait for go signal: %w", ctx.Err())
		}
		time.Sleep(time.Millisecond)
	}
	return db.MigrateFS(ctx, gdb, driver, os.DirFS(os.Getenv(helperDirEnv)))
}

// runMigrateProcesses starts several copies of the test binary that all
// migrate dsn at the same moment, and checks every migration ran once.
func runMigrateProcesses(t *testing.T, driver, dsn string) {
	// An existing database: schema_migrations is there, so every process
	// reads it at once and they race for the first migration.
	require.NoError(t, db.MigrateFS(t.Context(), open(t, driver, dsn), driver, fstest.MapFS{}))
	dir := t.TempDir()
	migrations := filepath.Join(dir, "migrations")
	writeFS(t, migrations, testMigrations(driver, processVersions))
	goFile := filepath.Join(dir, "go")

	type child struct {
		cmd   *exec.Cmd
		ready string
		out   *lockedBuffer
		done  chan error
	}
	children := make([]*child, processes)
	for i := range children {
		c := &child{ready: filepath.Join(dir, fmt.Sprintf("ready-%d", i)), out: &lockedBuffer{}, done: make(chan error, 1)}
		c.cmd = exec.CommandContext(t.Context(), os.Args[0], "-test.run=^$")
		c.cmd.Env = append(os.Environ(),
			helperEnv+"=1",
			helperDriverEnv+"="+driver,
			helperDSNEnv+"="+dsn,
			helperDirEnv+"="+migrations,
			helperReadyEnv+"="+c.ready,
			helperGoEnv+"="+goFile,
		)
		c.cmd.Stdout, c.cmd.Stderr = c.out, c.out
		require.NoError(t, c.cmd.Start())
		go func() { c.done <- c.cmd.Wait() }()
		children[i] = c
	}
	require.Eventually(t, func() bool {
		for _, c := range children {
			if _, err := os.Stat(c.ready); err != nil {
				select {
				case err := <-c.done:
					c.done <- err
					return true // exited early; reported below
				default:
				}
				return false
			}
		}
		return true
	}, 30*time.Second, 5*time.Millisecond, "children never became ready")
	require.NoError(t, os.WriteFile(goFile, nil, 0o600))

	for i, c := range children {
		select {
		case err := <-c.done:
			require.NoError(t, err, "process %d: %s", i, c.out.String())
		case <-time.After(time.Minute):
			require.NoError(t, errors.New("timed out"), "process %d: %s", i, c.out.String())
		}
	}
	requireAppliedOnce(t, open(t, driver, dsn), processVersions)
}

func writeFS(t *testing.T, dir string, fsys fstest.MapFS) {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o750))
	for name, f := range fsys {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), f.Data, 0o600))
	}
}
