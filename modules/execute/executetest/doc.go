// Package executetest holds fakes and helpers for testing the execute role:
// a scriptable fake gse.Transport, a fake manage.Service, and Env, which
// wires a real engine (executeimpl) on SQLite, the memory bus and the
// logsvrtest fake for engine and handler tests.
package executetest
