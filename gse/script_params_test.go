package agent

import (
	"testing"

	"github.com/stretchr/testify/require"
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
		{`'open`, nil, true},
		{`"open`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := splitParams(tt.in)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}
