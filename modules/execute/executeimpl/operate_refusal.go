package executeimpl

import (
	"fmt"

	"github.com/bkjob/bkjob/modules/execute"
)

// notAllowed refuses an operation in a sentence naming the state in words:
// "cannot terminate the job: it has already ended (stopped)". subject is
// who is in that state ("it", "the step", "the job"); needs, when given,
// says which state the operation wants.
func notAllowed(what, subject string, status int, needs string) error {
	msg := fmt.Sprintf("cannot %s: %s %s", what, subject, statePhrase(execute.RunStatus(status)))
	if needs != "" {
		msg += "; " + needs
	}
	return execute.ErrOperationNotAllowed.Withf("%s", msg)
}

// changedMeanwhile refuses an operation whose conditional update lost a race.
func changedMeanwhile(what, subject string) error {
	return execute.ErrOperationNotAllowed.Withf("cannot %s: %s changed state meanwhile; query it and try again", what, subject)
}

// statePhrase says a job's or step's status in words, after its subject.
func statePhrase(s execute.RunStatus) string {
	switch s {
	case execute.StatusBlank:
		return "has not started yet"
	case execute.StatusRunning:
		return "is still running"
	case execute.StatusWaitingUser:
		return "is waiting for a user to continue it"
	case execute.StatusStopping:
		return "is being terminated"
	case execute.StatusRollingWaiting:
		return "is waiting between rolling batches"
	case execute.StatusStopFailed:
		return "could not be terminated"
	}
	if word := endedWord(s); word != "" {
		return "has already ended (" + word + ")"
	}
	return fmt.Sprintf("is in an unknown state (%d)", int(s))
}

// endedWord names a terminal status.
func endedWord(s execute.RunStatus) string {
	switch s {
	case execute.StatusSuccess:
		return "succeeded"
	case execute.StatusFail:
		return "failed"
	case execute.StatusSkipped:
		return "skipped"
	case execute.StatusIgnoreError:
		return "error ignored"
	case execute.StatusTerminated:
		return "ended manually"
	case execute.StatusAbnormal:
		return "abnormal state"
	case execute.StatusStopSuccess:
		return "stopped"
	case execute.StatusConfirmStopped:
		return "confirmation terminated"
	case execute.StatusAbandoned:
		return "abandoned"
	}
	return ""
}
