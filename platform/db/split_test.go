package db

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSplitStatements(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{name: "empty", src: "", want: nil},
		{name: "comment only", src: "-- nothing here;\n\n", want: nil},
		{name: "one without semicolon", src: "SELECT 1", want: []string{"SELECT 1"}},
		{
			name: "several with comments and blank lines",
			src:  "-- header\nCREATE TABLE a (\n  id INT -- key\n);\n\nINSERT INTO a VALUES (1);  \r\n-- trailing;\n",
			want: []string{"CREATE TABLE a (\n  id INT -- key\n)", "INSERT INTO a VALUES (1)"},
		},
		{
			name: "semicolon mid-line does not split",
			src:  "INSERT INTO a (s) VALUES ('x;y'), ('z');\nSELECT 2;",
			want: []string{"INSERT INTO a (s) VALUES ('x;y'), ('z')", "SELECT 2"},
		},
		{name: "lone semicolons", src: ";\n  ;\nSELECT 3;", want: []string{"SELECT 3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, splitStatements(tt.src))
		})
	}
}

func TestParseMigrationName(t *testing.T) {
	tests := []struct {
		file    string
		version int
		name    string
		ok      bool
	}{
		{file: "0001_init.sql", version: 1, name: "init", ok: true},
		{file: "0042_add_hosts_v2.sql", version: 42, name: "add_hosts_v2", ok: true},
		{file: "1_init.sql"},
		{file: "0001-init.sql"},
		{file: "0001_.sql"},
		{file: "0001_Init.sql"},
		{file: "00a1_init.sql"},
		{file: "0001_init.sql.bak"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			version, name, ok := parseMigrationName(tt.file)
			require.Equal(t, tt.ok, ok)
			require.Equal(t, tt.version, version)
			require.Equal(t, tt.name, name)
		})
	}
}
