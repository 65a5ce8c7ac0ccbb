package executeimpl_test

import (
	"testing"

	"github.com/bkjob/bkjob/modules/execute/executetest"
)

// engineCases is the engine's behaviour suite, run on every backend.
func engineCases() []struct {
	name string
	fn   func(*testing.T, executetest.Backend)
} {
	return []struct {
		name string
		fn   func(*testing.T, executetest.Backend)
	}{
		{"ScriptSuccess", testScriptSuccess},
		{"ScriptNonZeroExit", testScriptNonZeroExit},
		{"ScriptTimeout", testScriptTimeout},
		{"Terminate", testTerminate},
		{"RetryFailedAfterFix", testRetryFailedAfterFix},
		{"RetryAll", testRetryAll},
		{"IgnoreError", testIgnoreError},
		{"InvalidAndDeadHosts", testInvalidAndDeadHosts},
		{"ForeignHostNotRun", testForeignHostNotRun},
		{"BizSetMemberHosts", testBizSetMemberHosts},
		{"RollingPauseOnFailure", testRollingPauseOnFailure},
		{"RollingManualContinue", testRollingManualContinue},
		{"RollingIgnoreFailure", testRollingIgnoreFailure},
		{"ResultGroupsByTag", testResultGroupsByTag},
		{"PushConfigFile", testPushConfigFile},
		{"FileToTwoHosts", testFileToTwoHosts},
		{"FileLogFields", testFileLogFields},
		{"Callback", testCallback},
		{"CallbackRetryThenSuccess", testCallbackRetryThenSuccess},
		{"CallbackRedirectNotFollowed", testCallbackRedirectNotFollowed},
		{"CallbackNameResolvedToLoopback", testCallbackNameResolvedToLoopback},
		{"CallbackAcrossRestart", testCallbackAcrossRestart},
		{"CallbackTwoEngines", testCallbackTwoEngines},
		{"CallbackQueuedByOlderVersion", testCallbackQueuedByOlderVersion},
		{"CallbackAllowlistTightened", testCallbackAllowlistTightened},
		{"CrashResume", testCrashResume},
		{"DispatchTakeover", testDispatchTakeover},
		{"LostByTransport", testLostByTransport},
		{"HeldTaskNotLost", testHeldTaskNotLost},
		{"LostAfterFinalResult", testLostAfterFinalResult},
		{"DispatchUnavailableRetried", testDispatchUnavailableRetried},
		{"TwoEngines", testTwoEngines},
		{"SkipWhileStopping", testSkipWhileStopping},
		{"TimeoutWatchdog", testTimeoutWatchdog},
		{"SensitiveParamSealed", testSensitiveParamSealed},
		{"LogTargetRolling", testLogTargetRolling},
		{"LogTargetRetry", testLogTargetRetry},
		{"HostLogNotStarted", testHostLogNotStarted},
		{"FileRefusedByTransport", testFileRefusedByTransport},
		{"JobInstanceList", testJobInstanceList},
		{"WideTagNextJob", testWideTagNextJob},
		{"EndTimesWhileRunning", testEndTimesWhileRunning},
		{"StepNotStartedListsWaitingHosts", testStepNotStartedListsWaitingHosts},
		{"EmptyResultGroups", testEmptyResultGroups},
		{"OperationLog", testOperationLog},
		{"ListStepHosts", testListStepHosts},
	}
}

func runEngineCases(t *testing.T, b executetest.Backend) {
	for _, c := range engineCases() {
		t.Run(c.name, func(t *testing.T) { c.fn(t, b) })
	}
}

func TestEngineSQLiteMemory(t *testing.T) { runEngineCases(t, executetest.SQLiteMemory()) }

func TestEngineMySQLRabbitMQ(t *testing.T) { runEngineCases(t, executetest.MySQLRabbitMQ(t)) }
