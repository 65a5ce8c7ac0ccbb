package bus

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/bkjob/bkjob/platform/config"
)

// Open returns the backend cfg.Backend names: "memory" or "rabbitmq".
func Open(ctx context.Context, cfg config.Bus, log *slog.Logger) (Bus, error) {
	opts := OptionsFrom(cfg, log)
	switch cfg.Backend {
	case "", "memory":
		return NewMemory(opts), nil
	case "rabbitmq":
		b, err := DialRabbitMQ(ctx, cfg.AMQPURL, cfg.ExchangePrefix, opts)
		if err != nil {
			return nil, fmt.Errorf("open bus: %w", err)
		}
		return b, nil
	default:
		return nil, fmt.Errorf("open bus: unknown backend %q", cfg.Backend)
	}
}
