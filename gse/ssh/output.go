package ssh

import (
	"io"
	"time"

	"github.com/bkjob/bkjob/gse"
	gseoutput "github.com/bkjob/bkjob/gse/output"
)

const (
	readBufSize  = 32 << 10
	maxChunkSize = 64 << 10
)

// output tracks one host's output: the cap (output.Cap, which appends the
// truncation marker the built-in agent writes too), the offset of the next
// byte and the job_success/job_fail tag.
type output struct {
	cap    gseoutput.Cap
	offset int64 // bytes passed on, marker included
	tags   gseoutput.Tags
}

func newOutput(limit int64) *output {
	return &output{cap: gseoutput.Cap{Limit: limit}}
}

// accept applies the cap to p and returns the bytes to pass on.
func (o *output) accept(p []byte) []byte {
	o.tags.Feed(p)
	out := o.cap.Accept(p)
	o.offset += int64(len(out))
	return out
}

// pump reads r until EOF and passes its bytes to emit as chunks with byte
// offsets, coalescing reads for at most flush. It returns once r is drained.
func (o *output) pump(r io.Reader, flush time.Duration, emit func(gse.OutputChunk)) {
	reads := make(chan []byte, 16)
	go func() {
		defer close(reads)
		buf := make([]byte, readBufSize)
		for {
			n, err := r.Read(buf)
			if n > 0 {
				reads <- append([]byte(nil), buf[:n]...)
			}
			if err != nil {
				return
			}
		}
	}()

	var (
		pending []byte
		start   int64
		timer   = time.NewTimer(flush)
		due     <-chan time.Time
	)
	timer.Stop()
	defer timer.Stop()
	send := func() {
		due = nil
		if len(pending) == 0 {
			return
		}
		emit(gse.OutputChunk{Offset: start, Data: pending})
		pending = nil
	}
	for {
		select {
		case p, ok := <-reads:
			if !ok {
				send()
				o.tags.Finish()
				return
			}
			if len(pending) == 0 {
				start = o.offset
			}
			pending = append(pending, o.accept(p)...)
			switch {
			case len(pending) >= maxChunkSize:
				send()
			case due == nil && len(pending) > 0:
				timer.Reset(flush)
				due = timer.C
			}
		case <-due:
			send()
		}
	}
}
