// Package app wires bkjob together: it opens the backends the configuration
// chooses, builds the role table, and decides once, here, whether a caller
// of a module gets the module's implementation (co-located) or a client
// that carries calls over the bus (remote, or bus.force_remote).
package app
