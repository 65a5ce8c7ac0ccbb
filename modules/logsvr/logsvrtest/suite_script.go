package logsvrtest

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bkjob/bkjob/modules/logsvr"
	"github.com/bkjob/bkjob/platform/errs"
	"github.com/stretchr/testify/require"
)

func testOrderedReads(t *testing.T, open Opener) {
	svc := open(suiteCap)
	ref := step(1)
	write(t, svc, chunk(ref, 7, 0, "line 1\n"))
	write(t, svc, chunk(ref, 7, 7, "line 2\n"), chunk(ref, 7, 14, "line 3\n"))
	l := whole(t, svc, hostKey(ref, 7))
	require.Equal(t, "line 1\nline 2\nline 3\n", string(l.Content))
	require.Equal(t, int64(0), l.Offset)
	require.Equal(t, int64(21), l.Next)
	require.Equal(t, int64(21), l.Size)
	require.Equal(t, int64(21), l.End)
	require.Equal(t, int64(7), l.HostID)
	require.False(t, l.Truncated)
}

func testReadFromOffset(t *testing.T, open Opener) {
	svc := open(suiteCap)
	ref := step(2)
	k := hostKey(ref, 3)
	write(t, svc, chunk(ref, 3, 0, "abcdef"), chunk(ref, 3, 6, "ghijkl"))
	tests := []struct {
		off      int64
		limit    int
		want     string
		wantNext int64
	}{
		{0, 4, "abcd", 4},
		{4, 4, "efgh", 8},
		{5, 0, "fghijkl", 12},
		{8, 100, "ijkl", 12},
		{12, 10, "", 12},
		{40, 10, "", 40},
	}
	for _, tc := range tests {
		l, err := svc.ReadScript(ctxT(t), k, tc.off, tc.limit)
		require.NoError(t, err)
		require.Equal(t, tc.want, string(l.Content), "offset %d limit %d", tc.off, tc.limit)
		require.Equal(t, tc.off, l.Offset)
		require.Equal(t, tc.wantNext, l.Next)
		require.Equal(t, int64(12), l.Size)
	}
	var got strings.Builder
	for off := int64(0); off < 12; {
		l, err := svc.ReadScript(ctxT(t), k, off, 5)
		require.NoError(t, err)
		got.Write(l.Content)
		off = l.Next
	}
	require.Equal(t, "abcdefghijkl", got.String())
}

func testUnknownHost(t *testing.T, open Opener) {
	svc := open(suiteCap)
	l := whole(t, svc, hostKey(step(3), 99))
	require.Empty(t, l.Content)
	require.Equal(t, int64(0), l.Size)
	require.Equal(t, int64(99), l.HostID)
}

func testRedelivered(t *testing.T, open Opener) {
	svc := open(suiteCap)
	ref := step(4)
	write(t, svc, chunk(ref, 1, 0, "0123456789"))
	write(t, svc, chunk(ref, 1, 5, "56789abcde"))                         // overlaps the stored end
	write(t, svc, chunk(ref, 1, 0, "0123456789abcde"))                    // fully stored already
	write(t, svc, chunk(ref, 1, 3, "345"))                                // inside the stored log
	write(t, svc, chunk(ref, 1, 15, "fghij"), chunk(ref, 1, 15, "fghij")) // twice in one write
	require.NoError(t, svc.Flush(ctxT(t)))
	write(t, svc, chunk(ref, 1, 10, "abcdefghijKL")) // after a flush, overlapping
	l := whole(t, svc, hostKey(ref, 1))
	require.Equal(t, "0123456789abcdefghijKL", string(l.Content))
	require.Equal(t, int64(22), l.End)
}

func testOutOfOrder(t *testing.T, open Opener) {
	svc := open(suiteCap)
	ref := step(5)
	write(t, svc, chunk(ref, 1, 8, "cccc"), chunk(ref, 1, 0, "aaaa"), chunk(ref, 1, 4, "bbbb"))
	require.Equal(t, "aaaabbbbcccc", string(whole(t, svc, hostKey(ref, 1)).Content))
}

func testGap(t *testing.T, open Opener) {
	svc := open(suiteCap)
	ref := step(6)
	write(t, svc, chunk(ref, 1, 0, "abc"))
	write(t, svc, chunk(ref, 1, 10, "xyz")) // bytes 3..9 never arrived
	write(t, svc, chunk(ref, 1, 10, "xyz")) // redelivered after the gap
	l := whole(t, svc, hostKey(ref, 1))
	require.Equal(t, "abcxyz", string(l.Content))
	require.Equal(t, int64(6), l.Size)
	require.Equal(t, int64(13), l.End, "End is the writer offset to resume from")
}

func testIsolation(t *testing.T, open Opener) {
	svc := open(suiteCap)
	base := step(7)
	var refs []logsvr.StepRef
	for i, mod := range []func(*logsvr.StepRef){
		func(*logsvr.StepRef) {},
		func(r *logsvr.StepRef) { r.ExecuteCount = 1 },
		func(r *logsvr.StepRef) { r.Batch = 2 },
		func(r *logsvr.StepRef) { r.StepInstanceID = 8 },
	} {
		r := base
		mod(&r)
		refs = append(refs, r)
		write(t, svc, chunk(r, 1, 0, fmt.Sprintf("run %d host 1", i)), chunk(r, 2, 0, fmt.Sprintf("run %d host 2", i)))
	}
	for i, r := range refs {
		require.Equal(t, fmt.Sprintf("run %d host 1", i), string(whole(t, svc, hostKey(r, 1)).Content))
		require.Equal(t, fmt.Sprintf("run %d host 2", i), string(whole(t, svc, hostKey(r, 2)).Content))
	}
}

func testCap(t *testing.T, open Opener) {
	const capBytes = 1024
	svc := open(capBytes)
	ref := step(9)
	line := strings.Repeat("x", 99) + "\n"
	var off int64
	for i := 0; i < 15; i++ { // 1500 bytes, over two writes
		write(t, svc, chunk(ref, 1, off, line))
		off += int64(len(line))
		if i == 7 {
			require.NoError(t, svc.Flush(ctxT(t)))
		}
	}
	marker := "\n[bkjob: log truncated at 1024 bytes]\n"
	want := strings.Repeat(line, 15)[:capBytes] + marker
	l := whole(t, svc, hostKey(ref, 1))
	require.Equal(t, want, string(l.Content))
	require.True(t, l.Truncated)
	require.Equal(t, int64(len(want)), l.Size)
	require.Equal(t, 1, strings.Count(string(l.Content), "[bkjob: log truncated"))

	write(t, svc, chunk(ref, 1, off, "more after the cap\n"))
	require.Equal(t, want, string(whole(t, svc, hostKey(ref, 1)).Content), "chunks after the cap are dropped")
	write(t, svc, chunk(ref, 2, 0, "other host\n"))
	require.Equal(t, "other host\n", string(whole(t, svc, hostKey(ref, 2)).Content), "the cap is per host")
}

func testCapExact(t *testing.T, open Opener) {
	const capBytes = 1024
	svc := open(capBytes)
	ref := step(10)
	full := strings.Repeat("y", capBytes)
	write(t, svc, chunk(ref, 1, 0, full))
	l := whole(t, svc, hostKey(ref, 1))
	require.Equal(t, full, string(l.Content))
	require.False(t, l.Truncated, "exactly the cap is not truncated")
	write(t, svc, chunk(ref, 1, capBytes, "z"))
	l = whole(t, svc, hostKey(ref, 1))
	require.Equal(t, full+"\n[bkjob: log truncated at 1024 bytes]\n", string(l.Content))
	require.True(t, l.Truncated)
}

// testCapWholeChars: a cap that falls inside a character keeps the
// characters before it whole, so the stored log stays valid UTF-8.
func testCapWholeChars(t *testing.T, open Opener) {
	const capBytes = 1024
	svc := open(capBytes)
	ref := step(12)
	zh := strings.Repeat("中", 400) // 1200 bytes; 1024 is inside the 342nd
	write(t, svc, chunk(ref, 1, 0, zh))
	l := whole(t, svc, hostKey(ref, 1))
	require.Equal(t, strings.Repeat("中", 341)+"\n[bkjob: log truncated at 1024 bytes]\n", string(l.Content))
	require.True(t, utf8.Valid(l.Content))
	require.True(t, l.Truncated)
}

// testPagesWholeChars: a limited read that would end inside a character
// ends before it, and the next read starts with it; pages join to the log.
func testPagesWholeChars(t *testing.T, open Opener) {
	svc := open(suiteCap)
	ref := step(13)
	want := "ab中文😀cd"
	write(t, svc, chunk(ref, 1, 0, want))
	var got strings.Builder
	for off, reads := int64(0), 0; off < int64(len(want)); reads++ {
		require.Less(t, reads, len(want), "reads make progress")
		l, err := svc.ReadScript(ctxT(t), hostKey(ref, 1), off, 4)
		require.NoError(t, err)
		require.True(t, utf8.Valid(l.Content), "page %q at %d", l.Content, off)
		got.Write(l.Content)
		off = l.Next
	}
	require.Equal(t, want, got.String())
}

func testInvalid(t *testing.T, open Opener) {
	svc := open(suiteCap)
	ok := step(11)
	bad := []logsvr.ScriptChunk{
		chunk(logsvr.StepRef{StepInstanceID: 11}, 1, 0, "no job creation time"),
		chunk(ok, 0, 0, "no host"),
		chunk(ok, 1, -1, "negative offset"),
		chunk(func() logsvr.StepRef { r := ok; r.Batch = logsvr.AnyBatch; return r }(), 1, 0, "any batch on write"),
		chunk(func() logsvr.StepRef { r := ok; r.StepInstanceID = 0; return r }(), 1, 0, "no step"),
	}
	for _, c := range bad {
		err := svc.WriteScript(ctxT(t), []logsvr.ScriptChunk{chunk(ok, 1, 0, "good"), c})
		require.ErrorIs(t, err, logsvr.ErrInvalidKey, string(c.Data))
		require.Equal(t, 400, errs.From(err).Status)
	}
	require.Empty(t, whole(t, svc, hostKey(ok, 1)).Content, "a write with a bad chunk stores nothing")
	_, err := svc.ReadScript(ctxT(t), hostKey(ok, 1), -5, 0)
	require.ErrorIs(t, err, logsvr.ErrInvalidKey)
	_, err = svc.ReadFileLogs(ctxT(t), ok, nil, 7)
	require.ErrorIs(t, err, logsvr.ErrInvalidKey)
	_, err = svc.SearchHosts(ctxT(t), ok, "")
	require.ErrorIs(t, err, logsvr.ErrInvalidKey)
	err = svc.WriteFile(ctxT(t), []logsvr.FileLog{{StepRef: ok, Mode: 3, HostID: 1}})
	require.ErrorIs(t, err, logsvr.ErrInvalidKey)
}
