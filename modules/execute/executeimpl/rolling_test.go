package executeimpl

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRollingPlan(t *testing.T) {
	tests := []struct {
		expr  string
		total int
		want  []int
	}{
		{"1", 3, []int{1, 1, 1}},
		{"2", 5, []int{2, 2, 1}},
		{"10", 3, []int{3}},
		{"50%", 4, []int{2, 2}},
		{"30%", 10, []int{3, 3, 3, 1}},
		{"1%", 3, []int{1, 1, 1}},
		{"100%", 7, []int{7}},
		{"1 +1", 6, []int{1, 2, 3}},
		{"+2", 7, []int{2, 4, 1}},
		{"1 *2", 10, []int{1, 2, 4, 3}},
		{"*3", 20, []int{3, 9, 8}},
		{"1 10% +5 *2", 100, []int{1, 10, 15, 30, 44}},
		{"  2   3 ", 9, []int{2, 3, 3, 1}},
		{"*2", 50000, []int{2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 17234}},
		{"1", 500, nil}, // exactly 500 batches is fine
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			got, err := rollingPlan(tt.expr, tt.total)
			require.NoError(t, err)
			sum := 0
			for _, n := range got {
				require.Positive(t, n)
				sum += n
			}
			require.Equal(t, tt.total, sum)
			if tt.want != nil {
				require.Equal(t, tt.want, got)
			} else {
				require.Len(t, got, 500)
			}
		})
	}
}

func TestRollingPlanErrors(t *testing.T) {
	tests := []struct {
		expr  string
		total int
		msg   string
	}{
		{"", 3, "empty expression"},
		{"   ", 3, "empty expression"},
		{"abc", 3, `part 1 "abc"`},
		{"1 x%", 3, `part 2 "x%"`},
		{"0", 3, "at least 1"},
		{"0%", 3, "at least 1"},
		{"101%", 3, "1..100"},
		{"+0", 3, "at least 1"},
		{"*1", 3, "multiplier"},
		{"-1", 3, `part 1 "-1"`},
		{"++1", 3, `part 1 "++1"`},
		{"1.5", 3, `part 1 "1.5"`},
		{"%", 3, `part 1 "%"`},
		{"1", 501, "more than 500 batches"},
		{"1", 0, "no targets"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			_, err := rollingPlan(tt.expr, tt.total)
			require.ErrorContains(t, err, tt.msg)
		})
	}
}
