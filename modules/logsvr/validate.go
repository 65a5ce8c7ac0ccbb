package logsvr

import "fmt"

// Validate checks a step reference used for reading: ids positive, a known
// job creation time, a batch that is a real one or AnyBatch.
func (s StepRef) Validate() error {
	switch {
	case s.StepInstanceID <= 0:
		return ErrInvalidKey.Withf("step_instance_id must be positive, got %d", s.StepInstanceID).OnField("step_instance_id")
	case s.ExecuteCount < 0:
		return ErrInvalidKey.Withf("execute_count must not be negative, got %d", s.ExecuteCount).OnField("execute_count")
	case s.Batch < AnyBatch:
		return ErrInvalidKey.Withf("batch must be >= 0 (or AnyBatch), got %d", s.Batch).OnField("batch")
	case s.JobCreated.IsZero():
		return ErrInvalidKey.Withf("job creation time is required: it selects the day partition").OnField("job_created")
	}
	return nil
}

// ValidateWrite checks a step reference used for writing: as Validate, and
// the batch must be a real one.
func (s StepRef) ValidateWrite() error {
	if err := s.Validate(); err != nil {
		return err
	}
	if s.Batch < 0 {
		return ErrInvalidKey.Withf("batch must be >= 0 on write, got %d", s.Batch).OnField("batch")
	}
	return nil
}

// Validate checks a host key used for reading or writing.
func (k HostKey) Validate() error {
	if err := k.StepRef.ValidateWrite(); err != nil {
		return err
	}
	if k.HostID <= 0 {
		return ErrInvalidKey.Withf("host_id must be positive, got %d", k.HostID).OnField("host_id")
	}
	return nil
}

// Validate checks one chunk of a write.
func (c ScriptChunk) Validate() error {
	if err := c.HostKey.Validate(); err != nil {
		return err
	}
	if c.Offset < 0 {
		return ErrInvalidKey.Withf("offset must not be negative, got %d", c.Offset).OnField("offset")
	}
	return nil
}

// Validate checks one file log entry of a write.
func (f FileLog) Validate() error {
	if err := f.StepRef.ValidateWrite(); err != nil {
		return err
	}
	switch {
	case f.Mode != ModeUpload && f.Mode != ModeDownload:
		return ErrInvalidKey.Withf("mode must be %d (upload) or %d (download), got %d", ModeUpload, ModeDownload, f.Mode).OnField("mode")
	case f.HostID <= 0:
		return ErrInvalidKey.Withf("host_id must be positive, got %d", f.HostID).OnField("host_id")
	}
	return nil
}

// ValidateMode checks a ReadFileLogs mode.
func ValidateMode(mode int) error {
	if mode != ModeUpload && mode != ModeDownload && mode != ModeAll {
		return ErrInvalidKey.Withf("mode must be %d, %d or %d (all), got %d", ModeUpload, ModeDownload, ModeAll, mode).OnField("mode")
	}
	return nil
}

// ValidateHostIDs checks a ReadHosts host list: 1..MaxBatchHosts positive ids.
func ValidateHostIDs(hostIDs []int64) error {
	if len(hostIDs) == 0 || len(hostIDs) > MaxBatchHosts {
		return ErrInvalidKey.Withf("between 1 and %d hosts per read, got %d", MaxBatchHosts, len(hostIDs)).OnField("host_id_list")
	}
	for _, id := range hostIDs {
		if id <= 0 {
			return ErrInvalidKey.Withf("host id must be positive, got %d", id).OnField("host_id_list")
		}
	}
	return nil
}

// TruncationMarker is appended once to a host log that reached the cap.
func TruncationMarker(capBytes int64) []byte {
	return fmt.Appendf(nil, "\n[bkjob: log truncated at %d bytes]\n", capBytes)
}
