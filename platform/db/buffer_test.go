package db_test

import (
	"github.com/bkjob/bkjob/platform/testenv"
)

// lockedBuffer collects a child process's output.
type lockedBuffer = testenv.Buffer
