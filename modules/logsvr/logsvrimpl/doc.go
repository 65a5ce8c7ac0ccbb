// Package logsvrimpl implements the logsvr stores: embedded segment files
// (the default) and MongoDB. Open picks one from config.Logsvr.
//
// # Write path (both stores)
//
// The service in front of a private backend validates chunks, orders them
// by host and offset, and dedupes them against each host's state: the
// stored size (positions) and the writer's end offset. Data before the end
// is dropped, so redelivered and overlapping chunks never duplicate; data
// after it (the writer skipped bytes) is stored at the current end. When a
// host reaches config.Logsvr.MaxHostBytes the rest of its data is replaced
// by one marker "\n[bkjob: log truncated at N bytes]\n" and later chunks are
// dropped. The resulting pieces are buffered and written by one flush every
// 200 ms, or as soon as 1 MB is buffered, and on Flush and Stop; a flush
// merges each host's contiguous pieces into one. Writers block (up to their
// ctx, then logsvr.ErrOverloaded) while 64 MB is unflushed. Reads of a step
// with unflushed writes flush first, so reads see every acknowledged write.
// After a crash the unflushed tail is lost and the engine re-sends from
// HostLog.End; the offsets dedupe it. Watchers get the pieces of each
// flush once it is durable.
//
// # Embedded layout
//
//	<data-dir>/logs/<YYYY_MM_DD>/<step_instance_id>.seg
//
// The day is the job's creation day (UTC), so retention removes whole day
// directories. A segment holds every execute count, batch and host of one
// step instance as append-only records: a 40-byte header (magic, kind,
// CRC-32C, host id, execute count, batch, writer offset, length) and the
// data. Kinds: script data, truncation marker, host display name, file log
// entry (JSON; entries of one file fold into the latest progress plus every
// line). One flush is one write and one fsync per step with new data. A
// segment is scanned once when first touched after start (CRCs checked, a
// torn tail from a crash truncated away) into an in-memory index of extents
// per host, so reading from an offset is a binary search and a pread.
// Segments idle for 10 minutes are closed and dropped from memory.
//
// # MongoDB layout
//
// Collections per job creation day as bk-job: job_log_script_YYYY_MM_DD
// holds one document per stored piece (a host's output of one flush, not
// one line): step_instance_id, job_instance_id, execute_count, batch,
// host_id, host, offset/end (writer offsets), pos/end_pos (stored positions),
// marker, content (binary). A unique index on (step_instance_id,
// execute_count, batch, host_id, pos) serves every lookup and makes a
// position a compare-and-set: when two logsvr processes write one host, the
// loser's piece is re-applied against the reloaded state, and a retried
// flush that finds its own piece already stored treats it as done.
// job_log_file_YYYY_MM_DD holds one document per (step, execute count,
// batch, host, mode, source host, source path, destination path), upserted
// with $set of the progress fields and $push of the time-stamped lines.
// Writes are unordered BulkWrites; only CRUD, indexes, $set/$push, sorts
// and ranges are used, so FerretDB serves as well as MongoDB. Line times
// are kept to the millisecond.
package logsvrimpl
