// Package output is what every transport does the same way to a script's
// combined stdout/stderr: it caps the bytes kept per host, appending the
// truncation marker once (Cap), and finds the job_success:[msg] /
// job_fail:[msg] tag line whose message becomes the host's result tag
// (Tags). The built-in agent, the SSH transport and the fake GSE use it, so
// a host's output and tag read the same whichever way it was reached.
package output
