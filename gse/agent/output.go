package agent

import "github.com/bkjob/bkjob/gse/output"

// outputWriter is the script's combined stdout/stderr: it caps what is
// spooled (output.Cap, which appends the truncation marker once) and
// watches for tag lines.
type outputWriter struct {
	cap   output.Cap
	saved int64 // script bytes spooled before err
	err   error // the first spool error; later output is drained unsaved
	write func([]byte) error
	tags  output.Tags
}

func newOutputWriter(limit int64, write func([]byte) error) *outputWriter {
	return &outputWriter{cap: output.Cap{Limit: limit}, write: write}
}

// Write never fails, so the script is never blocked on a full pipe: a spool
// error is kept in err and the rest of the output is drained.
func (o *outputWriter) Write(p []byte) (int, error) {
	o.tags.Feed(p)
	if o.err != nil {
		return len(p), nil
	}
	if keep := o.cap.Accept(p); len(keep) > 0 {
		if o.err = o.write(keep); o.err == nil {
			o.saved = o.cap.Kept()
		}
	}
	return len(p), nil
}
