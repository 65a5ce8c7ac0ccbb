// Package app wires bkjob together. Serve resolves --roles against the one
// literal role table (table.go), whose hidden roles are the plumbing (db,
// bus, blob, cache, lock, crypto); provisions each selected role in
// dependency order into plain fields of the wiring; then starts them in
// that order and stops them in reverse. It decides once, at provision,
// whether a caller of a module gets the module's implementation
// (co-located) or a client that carries calls over the bus (remote, or
// bus.force_remote).
package app
