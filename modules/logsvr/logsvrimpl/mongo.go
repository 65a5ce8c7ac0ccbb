package logsvrimpl

import (
	"context"
	"errors"
	"log/slog"

	"github.com/bkjob/bkjob/modules/logsvr"
)

type mongoBackend struct{ backend }

func newMongo(ctx context.Context, uri, db string, log *slog.Logger) (*mongoBackend, error) {
	return nil, errors.New("mongodb log store: not built yet")
}

var _ = logsvr.AnyBatch
