// Package apitest checks a module's declared methods: every one answers the
// same through the in-process call and through the bus client (which
// serialises, so a type that does not survive JSON, an error code that is
// lost or a method that is declared but not served shows up here).
package apitest
