package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/bkjob/bkjob/gse/wire"
)

// Bounds of the dispatch record (schema 0085_gse_hub_task).
const (
	// maxStoredTaskID is the longest task id the table holds.
	maxStoredTaskID = 191
	// storeChunk bounds the rows of one statement.
	storeChunk = 500
	// endedKeep is how long an ended row is kept, so a late report is
	// recognised after a hub restart.
	endedKeep = 24 * time.Hour
	// unendedKeep drops rows of tasks whose end was never recorded (a hub
	// that died before delivering); no task runs this long.
	unendedKeep = 7 * 24 * time.Hour
)

// taskRow is one task dispatched to one host's agent.
type taskRow struct {
	HostID    int64      `gorm:"column:host_id;primaryKey"`
	TaskID    string     `gorm:"column:task_id;primaryKey"`
	AgentID   string     `gorm:"column:agent_id"`
	Kind      string     `gorm:"column:kind"`
	FileJob   *string    `gorm:"column:file_job"`
	CreatedAt time.Time  `gorm:"column:created_at"`
	EndedAt   *time.Time `gorm:"column:ended_at"`
}

// TableName is the dispatch record.
func (taskRow) TableName() string { return "gse_hub_task" }

// job decodes the row's file job; nil for a script.
func (r taskRow) job() *wire.FileJob {
	if r.FileJob == nil {
		return nil
	}
	var j wire.FileJob
	if err := json.Unmarshal([]byte(*r.FileJob), &j); err != nil {
		return nil
	}
	return &j
}

// taskStore records what the hub dispatched, in the database it shares with
// the other hubs, so a hub that restarts (or another hub an agent moves to)
// can check what an agent says it holds.
type taskStore struct {
	db *gorm.DB
}

// newRow builds the record of a task sent to (or held for) a host's agent.
func newRow(hostID int64, taskID, agentID string, msg *wire.Message, now time.Time) (taskRow, error) {
	r := taskRow{HostID: hostID, TaskID: taskID, AgentID: agentID, Kind: string(msg.Type), CreatedAt: now}
	if msg.File != nil {
		b, err := json.Marshal(msg.File)
		if err != nil {
			return taskRow{}, fmt.Errorf("encode file job of task %s: %w", clip(taskID), err)
		}
		s := string(b)
		r.FileJob = &s
	}
	return r, nil
}

// record inserts rows; a row already there is left alone.
func (s *taskStore) record(ctx context.Context, rows []taskRow) error {
	if len(rows) == 0 {
		return nil
	}
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(rows, storeChunk).Error
	if err != nil {
		return fmt.Errorf("record %d dispatched tasks: %w", len(rows), err)
	}
	return nil
}

// setAgent records that tasks of a host went to another agent.
func (s *taskStore) setAgent(ctx context.Context, hostID int64, agentID string, taskIDs []string) error {
	for ids := range chunks(taskIDs) {
		err := s.db.WithContext(ctx).Model(&taskRow{}).Where("host_id = ? AND task_id IN ?", hostID, ids).
			Update("agent_id", agentID).Error
		if err != nil {
			return fmt.Errorf("record agent of %d tasks on host %d: %w", len(ids), hostID, err)
		}
	}
	return nil
}

// lookup returns the rows of a host's tasks among taskIDs.
func (s *taskStore) lookup(ctx context.Context, hostID int64, taskIDs []string) (map[string]taskRow, error) {
	out := map[string]taskRow{}
	for ids := range chunks(taskIDs) {
		var rows []taskRow
		if err := s.db.WithContext(ctx).Where("host_id = ? AND task_id IN ?", hostID, ids).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("look up %d tasks of host %d: %w", len(ids), hostID, err)
		}
		for _, r := range rows {
			out[r.TaskID] = r
		}
	}
	return out, nil
}

// markEnded records that the final results of tasks (by host) were
// delivered: one statement per task (and chunk of its hosts), as a task
// usually ends on many hosts at once.
func (s *taskStore) markEnded(ctx context.Context, byHost map[int64][]string, now time.Time) error {
	byTask := map[string][]int64{}
	for hostID, taskIDs := range byHost {
		for _, id := range taskIDs {
			if len(id) <= maxStoredTaskID {
				byTask[id] = append(byTask[id], hostID)
			}
		}
	}
	for taskID, hosts := range byTask {
		for start := 0; start < len(hosts); start += storeChunk {
			ids := hosts[start:min(start+storeChunk, len(hosts))]
			err := s.db.WithContext(ctx).Model(&taskRow{}).Where("task_id = ? AND host_id IN ?", taskID, ids).
				Update("ended_at", now).Error
			if err != nil {
				return fmt.Errorf("mark task %s ended on %d hosts: %w", taskID, len(ids), err)
			}
		}
	}
	return nil
}

// purge deletes rows ended long ago and rows whose end was never recorded.
func (s *taskStore) purge(ctx context.Context, now time.Time) error {
	err := s.db.WithContext(ctx).Where("ended_at < ? OR created_at < ?", now.Add(-endedKeep), now.Add(-unendedKeep)).
		Delete(&taskRow{}).Error
	if err != nil {
		return fmt.Errorf("purge dispatched tasks: %w", err)
	}
	return nil
}

// chunks yields ids in slices of at most storeChunk, skipping ids too long
// to be stored.
func chunks(ids []string) func(yield func([]string) bool) {
	return func(yield func([]string) bool) {
		batch := make([]string, 0, min(len(ids), storeChunk))
		for _, id := range ids {
			if len(id) > maxStoredTaskID {
				continue
			}
			batch = append(batch, id)
			if len(batch) == storeChunk {
				if !yield(batch) {
					return
				}
				batch = make([]string, 0, storeChunk)
			}
		}
		if len(batch) > 0 {
			yield(batch)
		}
	}
}
