// Package execute is the contract of the execute role, bkjob's task engine:
// the Service interface, its request and response types (named and tagged
// after bk-job's OpenAPI v3 fields), the status enums of task instances, step
// instances and operations, and the sentinel errors.
//
// The engine lives in executeimpl; fakes and the contract suite in
// executetest; the OpenAPI v3 handlers beside this file (openapi*.go).
package execute
