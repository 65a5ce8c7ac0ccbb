// Package cli is bkjob's command line (cobra): serve, agent, roles,
// migrate, config print, version. Exit status 2 means bad usage or
// configuration; 1 means a runtime failure.
package cli
