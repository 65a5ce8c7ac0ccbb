package manageimpl

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/bkjob/bkjob/modules/manage"
)

// gseHostRow is the part of a `host` row (schema 0010 + 0015, owned by
// gse) a GSE host registration reads and writes.
type gseHostRow struct {
	ID        int64 `gorm:"primaryKey"`
	BizID     int64
	CloudID   int64
	IP        string  `gorm:"column:ip"`
	AgentID   *string `gorm:"column:agent_id"`
	SSHAddr   string  `gorm:"column:ssh_addr"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (gseHostRow) TableName() string { return "host" }

// gseChunk bounds one IN (...) list.
const gseChunk = 500

// errHostsChanged: a host read in the transaction was not there to update
// (a concurrent writer moved it); the registration is rolled back.
var errHostsChanged = errors.New("hosts changed during registration")

// registerGSEHosts checks specs against the database and writes them, in
// one transaction: every conflict is found before the first write.
func registerGSEHosts(ctx context.Context, db *gorm.DB, bizID int64, specs []manage.GSEHostSpec) ([]manage.GSEHost, error) {
	var out []manage.GSEHost
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		existing, err := gseHostsByAddr(tx, specs)
		if err != nil {
			return err
		}
		if err := checkGSEHostConflicts(tx, bizID, specs, existing); err != nil {
			return err
		}
		out, err = writeGSEHosts(tx, bizID, specs, existing)
		return err
	})
	return out, err
}

// gseHostsByAddr reads the rows of the listed addresses, whatever their
// business.
func gseHostsByAddr(tx *gorm.DB, specs []manage.GSEHostSpec) (map[hostAddr]gseHostRow, error) {
	want := make(map[hostAddr]bool, len(specs))
	for _, s := range specs {
		want[hostAddr{s.CloudID, s.IP}] = true
	}
	found := make(map[hostAddr]gseHostRow, len(specs))
	for start := 0; start < len(specs); start += gseChunk {
		part := specs[start:min(start+gseChunk, len(specs))]
		ips := make([]string, len(part))
		for i, s := range part {
			ips[i] = s.IP
		}
		var rows []gseHostRow
		if err := tx.Where("ip IN ?", ips).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("read hosts by ip: %w", err)
		}
		for _, r := range rows {
			if a := (hostAddr{r.CloudID, r.IP}); want[a] {
				found[a] = r
			}
		}
	}
	return found, nil
}

// checkGSEHostConflicts refuses a host of another business, an agentless
// host, and an agent id that another host holds or that was issued in
// another business. Messages never name another business's hosts.
func checkGSEHostConflicts(tx *gorm.DB, bizID int64, specs []manage.GSEHostSpec, existing map[hostAddr]gseHostRow) error {
	listed := make(map[int64]bool, len(existing))
	for i, s := range specs {
		r, ok := existing[hostAddr{s.CloudID, s.IP}]
		if !ok {
			continue
		}
		field := fmt.Sprintf("host_list[%d].ip", i)
		if r.BizID != bizID {
			return manage.ErrHostExists.Withf("host %d:%s is registered in another business", s.CloudID, s.IP).OnField(field)
		}
		if r.SSHAddr != "" {
			return manage.ErrHostExists.Withf("host %d:%s is an agentless (SSH) host and cannot have a GSE agent", s.CloudID, s.IP).OnField(field)
		}
		listed[r.ID] = true
	}
	ids := make([]string, len(specs))
	index := make(map[string]int, len(specs))
	for i, s := range specs {
		ids[i], index[s.AgentID] = s.AgentID, i
	}
	for start := 0; start < len(ids); start += gseChunk {
		part := ids[start:min(start+gseChunk, len(ids))]
		var holders []gseHostRow
		if err := tx.Where("agent_id IN ?", part).Find(&holders).Error; err != nil {
			return fmt.Errorf("read hosts by agent id: %w", err)
		}
		for _, h := range holders {
			if listed[h.ID] {
				continue // a host of this call: it gets its new id below
			}
			field := fmt.Sprintf("host_list[%d].bk_agent_id", index[*h.AgentID])
			if h.BizID != bizID {
				return manage.ErrAgentIDTaken.Withf("agent id %q is in use in another business", *h.AgentID).OnField(field)
			}
			return manage.ErrAgentIDTaken.Withf("agent id %q is the agent of host %d (%d:%s); give that host another agent id first",
				*h.AgentID, h.ID, h.CloudID, h.IP).OnField(field)
		}
		var issued []struct{ AgentID string }
		if err := tx.Table("agent_credential").Select("agent_id").Where("agent_id IN ? AND biz_id <> ?", part, bizID).
			Find(&issued).Error; err != nil {
			return fmt.Errorf("read agent credentials: %w", err)
		}
		if len(issued) > 0 {
			return manage.ErrAgentIDTaken.Withf("agent id %q was issued in another business", issued[0].AgentID).
				OnField(fmt.Sprintf("host_list[%d].bk_agent_id", index[issued[0].AgentID]))
		}
	}
	return nil
}

// writeGSEHosts sets the agent ids of existing hosts (clearing the ones
// that change first, so two hosts may swap ids) and inserts the new hosts.
// Updates name the business too: a row of another business is never
// written, whatever happened since it was read.
func writeGSEHosts(tx *gorm.DB, bizID int64, specs []manage.GSEHostSpec, existing map[hostAddr]gseHostRow) ([]manage.GSEHost, error) {
	now := time.Now().UTC()
	out := make([]manage.GSEHost, len(specs))
	var changed []int64
	var fresh []*gseHostRow
	freshAt := map[*gseHostRow]int{}
	for i, s := range specs {
		out[i] = manage.GSEHost{CloudID: s.CloudID, IP: s.IP, AgentID: s.AgentID}
		r, ok := existing[hostAddr{s.CloudID, s.IP}]
		if !ok {
			id := s.AgentID
			row := &gseHostRow{BizID: bizID, CloudID: s.CloudID, IP: s.IP, AgentID: &id, CreatedAt: now, UpdatedAt: now}
			fresh = append(fresh, row)
			freshAt[row] = i
			continue
		}
		out[i].HostID = r.ID
		if r.AgentID != nil && *r.AgentID != s.AgentID {
			changed = append(changed, r.ID)
		}
	}
	for start := 0; start < len(changed); start += gseChunk {
		part := changed[start:min(start+gseChunk, len(changed))]
		res := tx.Model(&gseHostRow{}).Where("id IN ? AND biz_id = ?", part, bizID).
			Updates(map[string]any{"agent_id": nil, "updated_at": now})
		if res.Error != nil {
			return nil, fmt.Errorf("clear agent ids: %w", res.Error)
		}
		if res.RowsAffected != int64(len(part)) {
			return nil, fmt.Errorf("clear agent ids: %d of %d hosts: %w", len(part)-int(res.RowsAffected), len(part), errHostsChanged)
		}
	}
	for i, s := range specs {
		r, ok := existing[hostAddr{s.CloudID, s.IP}]
		if !ok || (r.AgentID != nil && *r.AgentID == s.AgentID) {
			continue
		}
		res := tx.Model(&gseHostRow{}).Where("id = ? AND biz_id = ?", r.ID, bizID).
			Updates(map[string]any{"agent_id": s.AgentID, "updated_at": now})
		if res.Error != nil {
			return nil, fmt.Errorf("set agent id of host %d: %w", r.ID, res.Error)
		}
		if res.RowsAffected != 1 {
			return nil, fmt.Errorf("set agent id of host_list[%d]: %w", i, errHostsChanged)
		}
	}
	if len(fresh) > 0 {
		if err := tx.CreateInBatches(fresh, 200).Error; err != nil {
			return nil, fmt.Errorf("insert hosts: %w", err)
		}
		for _, row := range fresh {
			i := freshAt[row]
			out[i].HostID, out[i].Created = row.ID, true
		}
	}
	return out, nil
}
