package logsvrimpl

import (
	"context"
	"time"
)

// retentionEvery is how often the store purges logs past retention.
const retentionEvery = 24 * time.Hour

// retentionLoop purges once at start and then daily, until Stop.
func (s *service) retentionLoop() {
	defer s.wg.Done()
	if s.opt.retentionDays <= 0 {
		return
	}
	t := time.NewTicker(retentionEvery)
	defer t.Stop()
	for {
		s.purgeExpired()
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
	}
}

func (s *service) purgeExpired() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cutoff := time.Now().AddDate(0, 0, -s.opt.retentionDays)
	n, err := s.Purge(ctx, cutoff)
	if err != nil {
		s.log.Warn("log retention purge failed", "err", err)
		return
	}
	if n > 0 {
		s.log.Info("log retention purged days", "days", n, "before", cutoff.UTC().Format(time.DateOnly))
	}
}
