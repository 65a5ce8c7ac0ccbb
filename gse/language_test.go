package gse_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
)

func TestScriptExt(t *testing.T) {
	tests := []struct {
		lang int
		want string
	}{
		{gse.LangShell, ".sh"},
		{gse.LangBat, ".bat"},
		{gse.LangPerl, ".pl"},
		{gse.LangPython, ".py"},
		{gse.LangPowerShell, ".ps1"},
		{gse.LangSQL, ".sql"},
		{0, ""},
		{42, ""},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, gse.ScriptExt(tt.lang), "language %d", tt.lang)
	}
}
