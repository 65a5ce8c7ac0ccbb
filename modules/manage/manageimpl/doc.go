// Package manageimpl implements the manage contract over the relational
// store: businesses (scopes) and execution accounts, with the bootstrap a
// fresh install needs (business 1 "Default" holding a Linux account "root").
package manageimpl
