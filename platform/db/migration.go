package db

import (
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

// Migration is one versioned SQL file: schema/<driver>/NNNN_name.sql.
type Migration struct {
	Version    int
	Name       string
	Statements []string
}

// LoadMigrations reads every *.sql file at the root of fsys, in version
// order. A .sql file not named NNNN_name.sql, or two files with one
// version, is an error.
func LoadMigrations(fsys fs.FS) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	seen := map[int]string{}
	var out []Migration
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		version, name, ok := parseMigrationName(e.Name())
		if !ok {
			return nil, fmt.Errorf("migration file %s: name must be NNNN_lower_snake.sql", e.Name())
		}
		if other, dup := seen[version]; dup {
			return nil, fmt.Errorf("migration version %04d used twice: %s and %s", version, other, e.Name())
		}
		seen[version] = e.Name()
		src, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		out = append(out, Migration{Version: version, Name: name, Statements: splitStatements(string(src))})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// parseMigrationName splits "0012_add_hosts.sql" into 12 and "add_hosts".
func parseMigrationName(file string) (int, string, bool) {
	base, ok := strings.CutSuffix(file, ".sql")
	if !ok || len(base) < 6 || base[4] != '_' {
		return 0, "", false
	}
	version := 0
	for _, c := range base[:4] {
		if c < '0' || c > '9' {
			return 0, "", false
		}
		version = version*10 + int(c-'0')
	}
	name := base[5:]
	for _, c := range name {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return 0, "", false
		}
	}
	return version, name, true
}
