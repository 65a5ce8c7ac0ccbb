// Package fakegse is a fake BlueKing GSE 2.0 API server written from the
// documented protocol (see /docs/gse2.md), for testing the gse2 adapter
// with httptest. Agents are simulated in this process: each has a root
// directory standing for its filesystem, scripts really run under /bin/sh
// (as the test's own user: accounts are only checked against a list), and
// files are copied between agent roots.
//
// Choices the documentation leaves open are the fake's own and are listed
// in docs/gse2.md: timestamps in seconds, exit codes reported as raw wait
// statuses (code<<8), a non-zero exit as status FAILED with error code 0, a
// timeout as status TIMEOUT with error code 120, a terminated task as
// status DISCARD with error code 126, an unknown agent as error code 117, an
// unknown account as 122, a missing source file or target dir as 104/123,
// and speeds in KB/s.
package fakegse
