// Package logsvr is the contract of the logsvr role: execution logs of
// script steps (ordered chunks with byte offsets per step run and host) and
// of file-transfer steps (per file per host, with progress). Callers hold the
// Service interface only; the stores (embedded files by default, MongoDB when
// configured) live in modules/logsvr/logsvrimpl, the contract test suite and
// a fake in modules/logsvr/logsvrtest.
//
// http.go holds the web handlers the gateway mounts: a Server-Sent Events
// stream of a host's live output and a zip export of a step's logs.
package logsvr
