package api

import "reflect"

// Method is one declared method of a module's contract, as apigen read it.
type Method struct {
	// Bus is the method's name on the bus: "<module>.<Method>".
	Bus string
	// Go is the contract method's name.
	Go string
	// Group is the contract interface that declares the method (Scripts,
	// Accounts, …): the concept the method belongs to. The web API's
	// TypeScript client is written a file per group.
	Group string
	// V3 is bk-job's OpenAPI v3 endpoint name, "" when the method is not on
	// v3 (an internal call between roles).
	V3 string
	// Web is the method's name on the web API (/api/web/<Web>), "" when the
	// web API does not offer it.
	Web string
	// PostOnly: bk-job's backend_http_methods give POST alone; a GET is
	// refused with 1239003.
	PostOnly bool
	// Admin: only an administrator (an actor granted every scope) may call it.
	Admin bool
	// JobBody: its body may be as large as http.max_job_body_bytes (script
	// content, config files, long target lists), not http.max_body_bytes.
	JobBody bool
	// Extension: a bkjob endpoint bk-job does not have.
	Extension bool
	// Request and Response are the types the method's call carries (the
	// parameters' struct when there are several); the web API's TypeScript
	// client is written from them.
	Request, Response reflect.Type
	// Partly says what of bk-job's endpoint is refused still ("" when all
	// of it is served); docs/api.md's endpoint table shows it.
	Partly string
}
