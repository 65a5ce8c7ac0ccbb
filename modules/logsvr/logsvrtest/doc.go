// Package logsvrtest holds the logsvr contract suite, run against every
// store (Run), and Fake, an in-memory Service for other modules' tests.
package logsvrtest
