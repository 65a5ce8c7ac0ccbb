package manageimpl

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// settingRow is a global_setting row: one section's JSON.
type settingRow struct {
	Name           string `gorm:"primaryKey"`
	Value          string
	LastModifyUser string
	UpdatedAt      time.Time
}

func (settingRow) TableName() string { return "global_setting" }

// settingsStore keeps the global settings (schema 0180).
type settingsStore struct{ db *gorm.DB }

// all returns every stored section by name.
func (s settingsStore) all(ctx context.Context) (map[string]settingRow, error) {
	var rows []settingRow
	if err := s.db.WithContext(ctx).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read global settings: %w", err)
	}
	out := make(map[string]settingRow, len(rows))
	for _, r := range rows {
		out[r.Name] = r
	}
	return out, nil
}

// get decodes section name into v; found is false when it was never set.
func (s settingsStore) get(ctx context.Context, name string, v any) (found bool, err error) {
	var rows []settingRow
	if err := s.db.WithContext(ctx).Where("name = ?", name).Limit(1).Find(&rows).Error; err != nil {
		return false, fmt.Errorf("read global setting %s: %w", name, err)
	}
	if len(rows) == 0 {
		return false, nil
	}
	return s.decode(rows[0], v)
}

// decode reads a row's JSON into v.
func (settingsStore) decode(r settingRow, v any) (bool, error) {
	if err := json.Unmarshal([]byte(r.Value), v); err != nil {
		return false, fmt.Errorf("decode global setting %s: %w", r.Name, err)
	}
	return true, nil
}

// put writes the sections in one transaction: all of them or none.
func (s settingsStore) put(ctx context.Context, operator string, sections map[string]any) error {
	now := time.Now()
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for name, v := range sections {
			b, err := json.Marshal(v)
			if err != nil {
				return fmt.Errorf("encode global setting %s: %w", name, err)
			}
			row := settingRow{Name: name, Value: string(b), LastModifyUser: operator, UpdatedAt: now}
			err = tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "name"}},
				DoUpdates: clause.AssignmentColumns([]string{"value", "last_modify_user", "updated_at"})}).Create(&row).Error
			if err != nil {
				return fmt.Errorf("write global setting %s: %w", name, err)
			}
		}
		return nil
	})
}
