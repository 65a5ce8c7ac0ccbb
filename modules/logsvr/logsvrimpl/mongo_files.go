package logsvrimpl

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bkjob/bkjob/modules/logsvr"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// fileDoc is one file entry of one host (bk-job's job_log_file documents).
type fileDoc struct {
	StepInstanceID int64     `bson:"step_instance_id"`
	JobInstanceID  int64     `bson:"job_instance_id"`
	JobCreated     time.Time `bson:"job_created"`
	ExecuteCount   int       `bson:"execute_count"`
	Batch          int       `bson:"batch"`
	Mode           int       `bson:"mode"`
	HostID         int64     `bson:"host_id"`
	SrcHostID      int64     `bson:"src_host_id"`
	SrcHost        string    `bson:"src_host"`
	SrcPath        string    `bson:"src_path"`
	DestHostID     int64     `bson:"dest_host_id"`
	DestHost       string    `bson:"dest_host"`
	DestPath       string    `bson:"dest_path"`
	Size           int64     `bson:"size"`
	Bytes          int64     `bson:"bytes"`
	Speed          int64     `bson:"speed"`
	Percent        int       `bson:"percent"`
	Status         int       `bson:"status"`
	StatusDesc     string    `bson:"status_desc"`
	Lines          []lineDoc `bson:"lines"`
}

type lineDoc struct {
	Time    time.Time `bson:"time"`
	Content string    `bson:"content"`
}

// appendFiles upserts one document per entry: progress fields $set, lines
// $push-ed. Entries of one identity are merged first, so the unordered bulk
// write holds one operation per document.
func (m *mongoBackend) appendFiles(ctx context.Context, logs []logsvr.FileLog) error {
	merged := map[string]*logsvr.FileLog{}
	var order []string
	for _, f := range logs {
		id := f.Day() + "|" + fmt.Sprint(f.StepInstanceID) + "|" + fileID(f)
		if old := merged[id]; old != nil {
			lines := append(old.Lines, f.Lines...)
			*old = f
			old.Lines = lines
			continue
		}
		c := f
		c.Lines = append([]logsvr.TimeLog(nil), f.Lines...)
		merged[id] = &c
		order = append(order, id)
	}
	byDay := map[string][]mongo.WriteModel{}
	var days []string
	for _, id := range order {
		f := merged[id]
		day := f.Day()
		if byDay[day] == nil {
			days = append(days, day)
		}
		byDay[day] = append(byDay[day], fileUpsert(*f))
	}
	for _, day := range days {
		c, err := m.coll(ctx, fileCollPrefix, day)
		if err != nil {
			return err
		}
		models := byDay[day]
		for start := 0; start < len(models); start += mongoBatchOps {
			part := models[start:min(start+mongoBatchOps, len(models))]
			if _, err := c.BulkWrite(ctx, part, options.BulkWrite().SetOrdered(false)); err != nil {
				return fmt.Errorf("upsert file logs into %s: %w", c.Name(), err)
			}
		}
	}
	return nil
}

func fileUpsert(f logsvr.FileLog) mongo.WriteModel {
	filter := bson.D{
		{Key: "step_instance_id", Value: f.StepInstanceID}, {Key: "execute_count", Value: f.ExecuteCount},
		{Key: "batch", Value: f.Batch}, {Key: "host_id", Value: f.HostID}, {Key: "mode", Value: f.Mode},
		{Key: "src_host_id", Value: f.SrcHostID}, {Key: "src_path", Value: f.SrcPath}, {Key: "dest_path", Value: f.DestPath},
	}
	set := bson.D{
		{Key: "job_instance_id", Value: f.JobInstanceID}, {Key: "job_created", Value: f.JobCreated.UTC()},
		{Key: "src_host", Value: f.SrcHost}, {Key: "dest_host_id", Value: f.DestHostID}, {Key: "dest_host", Value: f.DestHost},
		{Key: "size", Value: f.Size}, {Key: "bytes", Value: f.Bytes}, {Key: "speed", Value: f.Speed},
		{Key: "percent", Value: f.Percent}, {Key: "status", Value: f.Status}, {Key: "status_desc", Value: f.StatusDesc},
	}
	update := bson.D{{Key: "$set", Value: set}}
	if len(f.Lines) > 0 {
		lines := make([]lineDoc, len(f.Lines))
		for i, l := range f.Lines {
			lines[i] = lineDoc{Time: l.Time.UTC(), Content: l.Content}
		}
		update = append(update, bson.E{Key: "$push", Value: bson.D{{Key: "lines", Value: bson.D{{Key: "$each", Value: lines}}}}})
	}
	return mongo.NewUpdateOneModel().SetFilter(filter).SetUpdate(update).SetUpsert(true)
}

func (m *mongoBackend) readFiles(ctx context.Context, ref logsvr.StepRef, hostIDs []int64, mode int) ([]logsvr.FileLog, error) {
	c, err := m.coll(ctx, fileCollPrefix, ref.Day())
	if err != nil {
		return nil, err
	}
	f := runFilter(ref)
	if len(hostIDs) > 0 {
		f = append(f, bson.E{Key: "host_id", Value: bson.D{{Key: "$in", Value: hostIDs}}})
	}
	if mode != logsvr.ModeAll {
		f = append(f, bson.E{Key: "mode", Value: mode})
	}
	cur, err := c.Find(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("find file logs in %s: %w", c.Name(), err)
	}
	defer func() { _ = cur.Close(ctx) }() // read only; cur.Err reports a failed read
	var out []logsvr.FileLog
	for cur.Next(ctx) {
		var d fileDoc
		if err := cur.Decode(&d); err != nil {
			return nil, fmt.Errorf("decode file log: %w", err)
		}
		out = append(out, d.fileLog())
	}
	if err := cur.Err(); err != nil {
		return nil, fmt.Errorf("read file logs in %s: %w", c.Name(), err)
	}
	return out, nil
}

func (d fileDoc) fileLog() logsvr.FileLog {
	f := logsvr.FileLog{
		StepRef: logsvr.StepRef{JobInstanceID: d.JobInstanceID, StepInstanceID: d.StepInstanceID, ExecuteCount: d.ExecuteCount,
			Batch: d.Batch, JobCreated: d.JobCreated},
		Mode: d.Mode, HostID: d.HostID, SrcHostID: d.SrcHostID, SrcHost: d.SrcHost, SrcPath: d.SrcPath,
		DestHostID: d.DestHostID, DestHost: d.DestHost, DestPath: d.DestPath, Size: d.Size, Bytes: d.Bytes,
		Speed: d.Speed, Percent: d.Percent, Status: d.Status, StatusDesc: d.StatusDesc,
	}
	for _, l := range d.Lines {
		f.Lines = append(f.Lines, logsvr.TimeLog{Time: l.Time, Content: l.Content})
	}
	return f
}

// purge drops the script and file collections of days before day.
func (m *mongoBackend) purge(ctx context.Context, day string) (int, error) {
	names, err := m.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return 0, fmt.Errorf("list collections: %w", err)
	}
	days := map[string]bool{}
	for _, name := range names {
		var d string
		switch {
		case strings.HasPrefix(name, scriptCollPrefix):
			d = strings.TrimPrefix(name, scriptCollPrefix)
		case strings.HasPrefix(name, fileCollPrefix):
			d = strings.TrimPrefix(name, fileCollPrefix)
		default:
			continue
		}
		if _, perr := time.Parse("2006_01_02", d); perr != nil || d >= day {
			continue
		}
		if err := m.db.Collection(name).Drop(ctx); err != nil {
			return len(days), fmt.Errorf("drop %s: %w", name, err)
		}
		m.mu.Lock()
		delete(m.indexed, name)
		m.mu.Unlock()
		days[d] = true
	}
	return len(days), nil
}
