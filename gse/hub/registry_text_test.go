package hub_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/bkjob/bkjob/gse/hub"
)

// TestRegistryCutsWhatAgentsSay: a hostname or version longer than its
// column (MariaDB refuses it: error 1406) is cut on characters, so the
// agent is still admitted.
func TestRegistryCutsWhatAgentsSay(t *testing.T) {
	backends := map[string]func(t *testing.T) *gorm.DB{
		"sqlite": func(t *testing.T) *gorm.DB { return newSQLite(t) },
		"mysql":  newMySQL,
	}
	for name, open := range backends {
		t.Run(name, func(t *testing.T) {
			r := hub.NewRegistry(open(t))
			reg := hub.Registration{AgentID: "agent-long", BizID: 1, IP: "10.0.9.1",
				Hostname: strings.Repeat("中", 300), OS: "linux", Arch: strings.Repeat("x", 40), Version: strings.Repeat("v", 100)}
			got, err := r.Enrol(t.Context(), reg, func(int64) bool { return false })
			require.NoError(t, err)
			rec, ok, err := r.Get(t.Context(), got.Host.ID)
			require.NoError(t, err)
			require.True(t, ok)
			require.Equal(t, strings.Repeat("中", 255), rec.Hostname)
			require.Equal(t, 64, utf8.RuneCountInString(rec.AgentVersion))
			require.Equal(t, 32, len(rec.Arch))
		})
	}
}
