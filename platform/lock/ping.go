package lock

import (
	"context"
	"fmt"
)

// Ping checks that the Redis server answers. Readiness checks use it.
func (r *Redis) Ping(ctx context.Context) error {
	if err := r.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("ping redis: %w", err)
	}
	return nil
}
