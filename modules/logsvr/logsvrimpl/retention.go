package logsvrimpl

import (
	"context"
	"time"
)

// retentionEvery is how often the store purges logs past retention.
const retentionEvery = 24 * time.Hour

// retentionLoop purges once at start and then daily, until Stop; each purge
// runs under base, which carries Start's values but not its end.
func (s *service) retentionLoop(base context.Context) {
	defer s.wg.Done()
	if s.opt.retentionDays <= 0 {
		return
	}
	t := time.NewTicker(retentionEvery)
	defer t.Stop()
	for {
		s.purgeExpired(base)
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
	}
}

func (s *service) purgeExpired(base context.Context) {
	ctx, cancel := context.WithTimeout(base, 10*time.Minute)
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
