package config

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// gse2Env is a complete gse.transport gse2 configuration.
var gse2Env = []string{
	"BKJOB_GSE__TRANSPORT=gse2",
	"BKJOB_GSE__GSE2__URL=https://bkapi.example.com/api/bk-gse/prod",
	"BKJOB_GSE__GSE2__APP_CODE=bkjob",
	"BKJOB_GSE__GSE2__APP_SECRET=s3cret",
}

func TestGSE2Config(t *testing.T) {
	cfg, err := Load(Sources{Env: gse2Env})
	require.NoError(t, err)
	require.Equal(t, "gse2", cfg.GSE.Transport)
	require.False(t, cfg.GSE.LocalAgent.Enabled, "roles all does not start the built-in agent with gse2")

	without := func(key string) []string {
		var out []string
		for _, kv := range gse2Env {
			if !strings.HasPrefix(kv, key+"=") {
				out = append(out, kv)
			}
		}
		return out
	}
	tests := []struct {
		name    string
		env     []string
		wantKey string
	}{
		{"no url", without("BKJOB_GSE__GSE2__URL"), "gse.gse2.url"},
		{"url without scheme", slices.Concat(without("BKJOB_GSE__GSE2__URL"), []string{"BKJOB_GSE__GSE2__URL=bkapi.example.com"}), "gse.gse2.url"},
		{"url of another scheme", slices.Concat(without("BKJOB_GSE__GSE2__URL"), []string{"BKJOB_GSE__GSE2__URL=ftp://bkapi.example.com"}), "gse.gse2.url"},
		{"url without host", slices.Concat(without("BKJOB_GSE__GSE2__URL"), []string{"BKJOB_GSE__GSE2__URL=http://"}), "gse.gse2.url"},
		{"no app code", without("BKJOB_GSE__GSE2__APP_CODE"), "gse.gse2.app_code"},
		{"no app secret", without("BKJOB_GSE__GSE2__APP_SECRET"), "gse.gse2.app_secret"},
		{"built-in agent asked for", slices.Concat(gse2Env, []string{"BKJOB_GSE__LOCAL_AGENT__ENABLED=true"}), "gse.local_agent.enabled"},
		{"unknown transport", []string{"BKJOB_GSE__TRANSPORT=gse3"}, "gse.transport"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(Sources{Env: tt.env})
			var ke *KeyError
			require.ErrorAs(t, err, &ke)
			require.Equal(t, tt.wantKey, ke.Key, err.Error())
		})
	}

	// The gse2 keys are not checked while the transport is builtin, and
	// the built-in agent still defaults on for roles all.
	cfg, err = Load(Sources{Env: []string{"BKJOB_GSE__GSE2__URL=not a url"}})
	require.NoError(t, err)
	require.True(t, cfg.GSE.LocalAgent.Enabled)
}
