package logsvrimpl

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/bkjob/bkjob/modules/logsvr"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Collection name prefixes, followed by the job's creation day YYYY_MM_DD.
const (
	scriptCollPrefix = "job_log_script_"
	fileCollPrefix   = "job_log_file_"
	mongoBatchOps    = 1000 // writes per BulkWrite
)

// mongoBackend stores a document per stored piece (one per host per flush,
// not per line) in job_log_script_<day>, and a document per file entry in
// job_log_file_<day>. It uses plain CRUD, indexes, $set/$push, sorts and
// ranges only, so it runs on MongoDB and on FerretDB.
type mongoBackend struct {
	client *mongo.Client
	db     *mongo.Database
	log    *slog.Logger

	mu      sync.Mutex
	indexed map[string]bool // collections whose indexes exist
}

var _ backend = (*mongoBackend)(nil)

// scriptDoc is one stored piece of a host log.
type scriptDoc struct {
	StepInstanceID int64     `bson:"step_instance_id"`
	JobInstanceID  int64     `bson:"job_instance_id"`
	ExecuteCount   int       `bson:"execute_count"`
	Batch          int       `bson:"batch"`
	HostID         int64     `bson:"host_id"`
	Host           string    `bson:"host,omitempty"`
	Offset         int64     `bson:"offset"` // writer offset of the first byte
	End            int64     `bson:"end"`    // writer offset after the last byte
	Pos            int64     `bson:"pos"`    // stored position of the first byte
	EndPos         int64     `bson:"end_pos"`
	Marker         bool      `bson:"marker,omitempty"`
	Content        []byte    `bson:"content"`
	CreatedAt      time.Time `bson:"created_at"`
}

func newMongo(ctx context.Context, uri, dbName string, log *slog.Logger) (*mongoBackend, error) {
	if uri == "" {
		return nil, errors.New("logsvr.mongo_uri is empty")
	}
	if dbName == "" {
		dbName = "bkjob"
	}
	client, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		return nil, fmt.Errorf("connect mongodb: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := client.Ping(pctx, nil); err != nil {
		_ = client.Disconnect(context.WithoutCancel(ctx)) // pctx may be what ended
		return nil, fmt.Errorf("ping mongodb: %w", err)
	}
	return &mongoBackend{client: client, db: client.Database(dbName), log: log, indexed: map[string]bool{}}, nil
}

// coll returns the day's collection, creating its indexes on first use.
func (m *mongoBackend) coll(ctx context.Context, prefix, day string) (*mongo.Collection, error) {
	name := prefix + day
	c := m.db.Collection(name)
	m.mu.Lock()
	done := m.indexed[name]
	m.mu.Unlock()
	if done {
		return c, nil
	}
	keys := bson.D{{Key: "step_instance_id", Value: 1}, {Key: "execute_count", Value: 1}, {Key: "batch", Value: 1}, {Key: "host_id", Value: 1}}
	if prefix == scriptCollPrefix {
		keys = append(keys, bson.E{Key: "pos", Value: 1})
	} else {
		keys = append(keys, bson.E{Key: "mode", Value: 1}, bson.E{Key: "src_host_id", Value: 1}, bson.E{Key: "src_path", Value: 1}, bson.E{Key: "dest_path", Value: 1})
	}
	idx := mongo.IndexModel{Keys: keys, Options: options.Index().SetUnique(true).SetName("log_key")}
	if _, err := c.Indexes().CreateOne(ctx, idx); err != nil {
		return nil, fmt.Errorf("create index on %s: %w", name, err)
	}
	m.mu.Lock()
	m.indexed[name] = true
	m.mu.Unlock()
	return c, nil
}

func runFilter(ref logsvr.StepRef) bson.D {
	f := bson.D{{Key: "step_instance_id", Value: ref.StepInstanceID}, {Key: "execute_count", Value: ref.ExecuteCount}}
	if ref.Batch != logsvr.AnyBatch {
		f = append(f, bson.E{Key: "batch", Value: ref.Batch})
	}
	return f
}

// metaProjection leaves the content out.
var metaProjection = bson.D{{Key: "content", Value: 0}}

func (m *mongoBackend) loadHosts(ctx context.Context, ref logsvr.StepRef, hostIDs []int64) (map[int64]hostState, error) {
	c, err := m.coll(ctx, scriptCollPrefix, ref.Day())
	if err != nil {
		return nil, err
	}
	out := map[int64]hostState{}
	if hostIDs == nil {
		err := m.scanMeta(ctx, c, runFilter(ref), func(d scriptDoc) { out[d.HostID] = foldState(out[d.HostID], d) })
		return out, err
	}
	for start := 0; start < len(hostIDs); start += mongoBatchOps {
		ids := hostIDs[start:min(start+mongoBatchOps, len(hostIDs))]
		f := append(runFilter(ref), bson.E{Key: "host_id", Value: bson.D{{Key: "$in", Value: ids}}})
		if err := m.scanMeta(ctx, c, f, func(d scriptDoc) {
			out[d.HostID] = foldState(out[d.HostID], d)
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// foldState merges one stored piece into a host state.
func foldState(st hostState, d scriptDoc) hostState {
	if st.host == "" {
		st.host = d.Host
	}
	if d.EndPos > st.size {
		st.size = d.EndPos
	}
	if d.Marker {
		st.truncated = true
	} else if d.End > st.end {
		st.end = d.End
	}
	return st
}

func (m *mongoBackend) scanMeta(ctx context.Context, c *mongo.Collection, f bson.D, fn func(scriptDoc)) error {
	cur, err := c.Find(ctx, f, options.Find().SetProjection(metaProjection))
	if err != nil {
		return fmt.Errorf("find in %s: %w", c.Name(), err)
	}
	defer func() { _ = cur.Close(ctx) }() // read only; cur.Err reports a failed read
	for cur.Next(ctx) {
		var d scriptDoc
		if err := cur.Decode(&d); err != nil {
			return fmt.Errorf("decode log piece: %w", err)
		}
		fn(d)
	}
	if err := cur.Err(); err != nil {
		return fmt.Errorf("read %s: %w", c.Name(), err)
	}
	return nil
}

// appendScript inserts a document per piece, unordered, in bulk. A
// duplicate position is either this piece stored by an earlier try of the
// same flush (fine) or another writer's data (a conflict).
func (m *mongoBackend) appendScript(ctx context.Context, pieces []piece) ([]piece, error) {
	byDay := map[string][]piece{}
	var days []string
	for _, p := range pieces {
		d := p.ref.Day()
		if byDay[d] == nil {
			days = append(days, d)
		}
		byDay[d] = append(byDay[d], p)
	}
	var conflicts []piece
	now := time.Now().UTC()
	for _, day := range days {
		c, err := m.coll(ctx, scriptCollPrefix, day)
		if err != nil {
			return nil, err
		}
		group := byDay[day]
		for start := 0; start < len(group); start += mongoBatchOps {
			part := group[start:min(start+mongoBatchOps, len(group))]
			models := make([]mongo.WriteModel, len(part))
			for i, p := range part {
				models[i] = mongo.NewInsertOneModel().SetDocument(pieceDoc(p, now))
			}
			lost, err := m.bulkInsert(ctx, c, part, models)
			if err != nil {
				return nil, err
			}
			conflicts = append(conflicts, lost...)
		}
	}
	return conflicts, nil
}

func pieceDoc(p piece, now time.Time) scriptDoc {
	return scriptDoc{
		StepInstanceID: p.key.step, JobInstanceID: p.ref.JobInstanceID, ExecuteCount: p.key.exec, Batch: p.key.batch,
		HostID: p.key.host, Host: p.host, Offset: p.offset, End: p.offset + int64(len(p.data)),
		Pos: p.pos, EndPos: p.endPos(), Marker: p.marker, Content: p.data, CreatedAt: now,
	}
}

func (m *mongoBackend) bulkInsert(ctx context.Context, c *mongo.Collection, part []piece, models []mongo.WriteModel) ([]piece, error) {
	_, err := c.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
	if err == nil {
		return nil, nil
	}
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil || len(bwe.WriteErrors) == 0 {
		return nil, fmt.Errorf("insert log pieces into %s: %w", c.Name(), err)
	}
	var lost []piece
	for _, we := range bwe.WriteErrors {
		if !isDupKey(we.WriteError) || we.Index < 0 || we.Index >= len(part) {
			return nil, fmt.Errorf("insert log pieces into %s: %w", c.Name(), err)
		}
		p := part[we.Index]
		same, ferr := m.storedAs(ctx, c, p)
		if ferr != nil {
			return nil, ferr
		}
		if !same {
			lost = append(lost, p)
		}
	}
	return lost, nil
}

func isDupKey(we mongo.WriteError) bool {
	return we.Code == 11000 || we.Code == 11001 || strings.Contains(we.Message, "E11000")
}

// storedAs reports whether the document at p's position is p itself.
func (m *mongoBackend) storedAs(ctx context.Context, c *mongo.Collection, p piece) (bool, error) {
	f := bson.D{{Key: "step_instance_id", Value: p.key.step}, {Key: "execute_count", Value: p.key.exec},
		{Key: "batch", Value: p.key.batch}, {Key: "host_id", Value: p.key.host}, {Key: "pos", Value: p.pos}}
	var d scriptDoc
	if err := c.FindOne(ctx, f, options.FindOne().SetProjection(metaProjection)).Decode(&d); err != nil {
		return false, fmt.Errorf("find log piece at %d of host %d: %w", p.pos, p.key.host, err)
	}
	return d.Offset == p.offset && d.EndPos == p.endPos() && d.Marker == p.marker, nil
}

func (m *mongoBackend) readRange(ctx context.Context, ref logsvr.StepRef, hostID, from, limit int64) ([]byte, error) {
	c, err := m.coll(ctx, scriptCollPrefix, ref.Day())
	if err != nil {
		return nil, err
	}
	to := from + limit
	f := append(runFilter(ref), bson.E{Key: "host_id", Value: hostID},
		bson.E{Key: "end_pos", Value: bson.D{{Key: "$gt", Value: from}}},
		bson.E{Key: "pos", Value: bson.D{{Key: "$lt", Value: to}}})
	cur, err := c.Find(ctx, f, options.Find().SetSort(bson.D{{Key: "pos", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("find log of host %d: %w", hostID, err)
	}
	defer func() { _ = cur.Close(ctx) }() // read only; cur.Err reports a failed read
	out := make([]byte, 0, limit)
	for cur.Next(ctx) {
		var d scriptDoc
		if err := cur.Decode(&d); err != nil {
			return nil, fmt.Errorf("decode log piece: %w", err)
		}
		start, end := max(from, d.Pos), min(to, d.EndPos)
		if start != from+int64(len(out)) || end <= start {
			continue // out of sequence: never written that way, skip rather than misplace
		}
		out = append(out, d.Content[start-d.Pos:end-d.Pos]...)
	}
	if err := cur.Err(); err != nil {
		return nil, fmt.Errorf("read log of host %d: %w", hostID, err)
	}
	return out, nil
}

func (m *mongoBackend) listHosts(ctx context.Context, ref logsvr.StepRef) ([]logsvr.HostLog, error) {
	c, err := m.coll(ctx, scriptCollPrefix, ref.Day())
	if err != nil {
		return nil, err
	}
	type hb struct {
		host  int64
		batch int
	}
	states := map[hb]hostState{}
	if err := m.scanMeta(ctx, c, runFilter(ref), func(d scriptDoc) {
		k := hb{d.HostID, d.Batch}
		states[k] = foldState(states[k], d)
	}); err != nil {
		return nil, err
	}
	out := make([]logsvr.HostLog, 0, len(states))
	for k, st := range states {
		out = append(out, logsvr.HostLog{HostID: k.host, Host: st.host, Batch: k.batch, Size: st.size, End: st.end, Truncated: st.truncated})
	}
	return out, nil
}

func (m *mongoBackend) close(ctx context.Context) error {
	if err := m.client.Disconnect(ctx); err != nil {
		return fmt.Errorf("disconnect mongodb: %w", err)
	}
	return nil
}
