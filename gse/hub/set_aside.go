package hub

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/bkjob/bkjob/gse"
)

// SetAsideStore keeps the events a gse.SinkGuard set aside in the
// gse_set_aside table (schema 0080), for an operator to look at.
type SetAsideStore struct{ db *gorm.DB }

// NewSetAsideStore returns the store on db.
func NewSetAsideStore(db *gorm.DB) *SetAsideStore { return &SetAsideStore{db: db} }

type setAsideRow struct {
	ID        int64     `gorm:"column:id;primaryKey;autoIncrement"`
	TaskID    string    `gorm:"column:task_id"`
	HostID    int64     `gorm:"column:host_id"`
	Kind      string    `gorm:"column:kind"`
	Reason    string    `gorm:"column:reason"`
	Event     []byte    `gorm:"column:event"`
	CreatedAt time.Time `gorm:"column:created_at"`
}

func (setAsideRow) TableName() string { return "gse_set_aside" }

// Record is a gse.GuardConfig.Record.
func (s *SetAsideStore) Record(ctx context.Context, r gse.SetAside) error {
	row := setAsideRow{TaskID: r.TaskID, HostID: r.HostID, Kind: string(r.Kind), Reason: r.Reason, Event: r.Event, CreatedAt: time.Now().UTC()}
	if err := s.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("record set-aside event of task %s host %d: %w", r.TaskID, r.HostID, err)
	}
	return nil
}

// List returns the latest set-aside events, newest first.
func (s *SetAsideStore) List(ctx context.Context, limit int) ([]gse.SetAside, error) {
	var rows []setAsideRow
	if err := s.db.WithContext(ctx).Order("id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list set-aside events: %w", err)
	}
	out := make([]gse.SetAside, len(rows))
	for i, r := range rows {
		out[i] = gse.SetAside{TaskID: r.TaskID, HostID: r.HostID, Kind: gse.EventKind(r.Kind), Reason: r.Reason, Event: r.Event}
	}
	return out, nil
}
