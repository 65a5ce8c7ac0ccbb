package executeimpl

import (
	"context"
	"encoding/json"
	"fmt"

	"gorm.io/gorm"
)

// callbackDelivery is a row of callback_delivery (schema/*/0075): one
// callback of one job end, written with the job's final status and sent by
// the delivery loop until it is delivered or given up.
type callbackDelivery struct {
	ID            int64 `gorm:"primaryKey"`
	JobInstanceID int64
	URL           string `gorm:"column:url"`
	Payload       string // the JSON body; empty for rows migrated from an older version
	State         int
	Attempts      int
	NextAttemptAt int64 // due time; a sender moves it past its lease to claim the row
	LastError     string
	History       string // JSON array of callbackAttempt
	CreateTime    int64
	UpdateTime    int64
}

func (callbackDelivery) TableName() string { return "callback_delivery" }

// States of a callback delivery.
const (
	deliveryPending   = 0
	deliveryDelivered = 2
	deliveryGaveUp    = 3
)

// callbackStore persists callback deliveries.
type callbackStore interface {
	// queueCallback writes a pending delivery of job id's callback, in tx,
	// with the steps as tx sees them.
	queueCallback(ctx context.Context, tx *gorm.DB, jobID int64, url string, status int, now int64) error
	// dueCallbacks are pending deliveries due at now, oldest first.
	dueCallbacks(ctx context.Context, now int64, limit int) ([]callbackDelivery, error)
	// claimCallback takes d for one attempt: attempts+1 and next_attempt_at
	// moved to leaseUntil, provided nobody changed d since it was read.
	claimCallback(ctx context.Context, d *callbackDelivery, now, leaseUntil int64) (bool, error)
	// recordCallback stores the outcome of the attempt d.Attempts, provided
	// d is still that attempt, and mirrors a final state on task_instance.
	recordCallback(ctx context.Context, d *callbackDelivery, set map[string]any, jobCallbackStatus int) error
}

var _ callbackStore = (*gormStore)(nil)

func (s *gormStore) queueCallback(ctx context.Context, tx *gorm.DB, jobID int64, url string, status int, now int64) error {
	db := s.conn(ctx, tx)
	var steps []stepInstance
	if err := db.Where("task_instance_id = ?", jobID).Order("step_order, id").Find(&steps).Error; err != nil {
		return fmt.Errorf("load steps of task instance %d: %w", jobID, err)
	}
	payload, err := json.Marshal(newCallbackBody(jobID, status, steps))
	if err != nil {
		return fmt.Errorf("encode callback of task instance %d: %w", jobID, err)
	}
	d := callbackDelivery{JobInstanceID: jobID, URL: url, Payload: string(payload), State: deliveryPending,
		NextAttemptAt: now, History: "[]", CreateTime: now, UpdateTime: now}
	if err := db.Create(&d).Error; err != nil {
		return fmt.Errorf("queue callback of task instance %d: %w", jobID, err)
	}
	return nil
}

func (s *gormStore) dueCallbacks(ctx context.Context, now int64, limit int) ([]callbackDelivery, error) {
	var out []callbackDelivery
	err := s.db.WithContext(ctx).Where("state = ? AND next_attempt_at <= ?", deliveryPending, now).
		Order("next_attempt_at, id").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("load due callbacks: %w", err)
	}
	return out, nil
}

func (s *gormStore) claimCallback(ctx context.Context, d *callbackDelivery, now, leaseUntil int64) (bool, error) {
	res := s.db.WithContext(ctx).Model(&callbackDelivery{}).
		Where("id = ? AND state = ? AND attempts = ? AND next_attempt_at <= ?", d.ID, deliveryPending, d.Attempts, now).
		Updates(map[string]any{"attempts": d.Attempts + 1, "next_attempt_at": leaseUntil, "update_time": now})
	if res.Error != nil {
		return false, fmt.Errorf("claim callback %d: %w", d.ID, res.Error)
	}
	if res.RowsAffected != 1 {
		return false, nil
	}
	d.Attempts++
	d.NextAttemptAt = leaseUntil
	return true, nil
}

func (s *gormStore) recordCallback(ctx context.Context, d *callbackDelivery, set map[string]any, jobCallbackStatus int) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&callbackDelivery{}).Where("id = ? AND state = ? AND attempts = ?", d.ID, deliveryPending, d.Attempts).
			Updates(set)
		if res.Error != nil {
			return fmt.Errorf("record callback %d: %w", d.ID, res.Error)
		}
		if res.RowsAffected != 1 || jobCallbackStatus == callbackPending {
			return nil
		}
		err := tx.Model(&taskInstance{}).Where("id = ? AND callback_status = ?", d.JobInstanceID, callbackPending).
			Update("callback_status", jobCallbackStatus).Error
		if err != nil {
			return fmt.Errorf("update callback of task instance %d: %w", d.JobInstanceID, err)
		}
		return nil
	})
}
