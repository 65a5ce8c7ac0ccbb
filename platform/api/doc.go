// Package api holds what every module's declared methods share: the
// metadata apigen writes for each method (Method), the scope a request names
// (ScopeRef) and the interfaces a door uses to fill a request in (Scoped,
// ActorTaker).
//
// A module declares a method once, as a method of its contract interface
// with an //api: directive in its doc comment; `go generate` (apigen, in
// ./apigen) writes the bus client, the bus handlers, the v3 routes and the
// declaration list from it. docs/architecture.md shows a worked example.
package api
