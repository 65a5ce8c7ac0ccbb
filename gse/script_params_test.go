package gse_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/gse/gsetest"
)

func TestSplitParams(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{"", nil, false},
		{"  a  b\tc ", []string{"a", "b", "c"}, false},
		{`a "b c" 'd e'`, []string{"a", "b c", "d e"}, false},
		{`x"y z"w`, []string{"xy zw"}, false},
		{`"say \"hi\" \n"`, []string{`say "hi" \n`}, false},
		{`a\ b`, []string{"a b"}, false},
		{`$HOME '$x'`, []string{"$HOME", "$x"}, false},
		{`""`, []string{""}, false},
		{gsetest.HostileParams, gsetest.HostileArgv, false},
		{`'open`, nil, true},
		{`"open`, nil, true},
		{`a 'b c`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := gse.SplitParams(tt.in)
			if tt.wantErr {
				require.ErrorIs(t, err, gse.ErrScriptParams)
				require.Contains(t, err.Error(), "unterminated")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

// TestQuotedParamsRoundTrip: quoting the words and splitting the result
// again gives the same words, so a shell sees what the agent would pass.
func TestQuotedParamsRoundTrip(t *testing.T) {
	for _, in := range []string{"", "a", gsetest.HostileParams, `'it''s'`, `"a'b" 'c"d'`} {
		words, err := gse.SplitParams(in)
		require.NoError(t, err)
		q, err := gse.QuotedParams(in)
		require.NoError(t, err)
		again, err := gse.SplitParams(q)
		require.NoError(t, err)
		require.Equal(t, words, again, "%s → %s", in, q)
	}
	_, err := gse.QuotedParams(`'x`)
	require.ErrorIs(t, err, gse.ErrScriptParams)
}
