// Package gateway is bkjob's front door: it authenticates every request
// (web sessions for the UI, app code + secret for the OpenAPI), attaches
// the actor, and mounts the UI and the module APIs.
package gateway
