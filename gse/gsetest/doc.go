// Package gsetest holds what tests of gse transports and of their users
// share: Recorder (a Sink that keeps events and checks their order), Run
// (the contract suite every transport passes) and Fake (a scriptable
// transport for engine tests).
package gsetest
