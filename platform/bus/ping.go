package bus

import (
	"context"
	"fmt"
)

// Ping reports whether the broker connection is up, waiting for a
// reconnect at most until ctx ends. Readiness checks use it.
func (r *RabbitMQ) Ping(ctx context.Context) error {
	if _, err := r.conn.get(ctx); err != nil {
		return fmt.Errorf("rabbitmq not connected: %w", err)
	}
	return nil
}
