package reqid

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWithFrom(t *testing.T) {
	ctx := context.Background()
	require.Empty(t, From(ctx))
	require.Equal(t, "r-1", From(With(ctx, "r-1")))
	require.Equal(t, "r-1", From(With(With(ctx, "r-1"), "")), "an empty id keeps the one there")
}
