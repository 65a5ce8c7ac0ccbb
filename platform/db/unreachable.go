package db

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"syscall"

	gomysql "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"github.com/bkjob/bkjob/platform/errs"
)

// classifying wraps a dialector so that every error gorm records (its
// AddError runs each through the dialector's Translate) that says the
// database cannot be reached becomes errs.ErrDatabase: the one place where
// a lost database is told apart from a failed statement. The optional
// interfaces gorm looks for on a dialector are passed through.
type classifying struct {
	gorm.Dialector
}

// Translate applies the wrapped dialector's translation, then marks a
// connection-level error as the database being unreachable.
func (d classifying) Translate(err error) error {
	if t, ok := d.Dialector.(gorm.ErrorTranslator); ok {
		err = t.Translate(err)
	}
	if IsUnreachable(err) {
		return errs.Unreachable(errs.ErrDatabase, err)
	}
	return err
}

// Apply passes gorm's configuration to the wrapped dialector.
func (d classifying) Apply(cfg *gorm.Config) error {
	if a, ok := d.Dialector.(interface{ Apply(*gorm.Config) error }); ok {
		return a.Apply(cfg)
	}
	return nil
}

// SavePoint passes nested transactions to the wrapped dialector.
func (d classifying) SavePoint(tx *gorm.DB, name string) error {
	if s, ok := d.Dialector.(gorm.SavePointerDialectorInterface); ok {
		return s.SavePoint(tx, name)
	}
	return fmt.Errorf("savepoint %s: %s has no savepoints", name, d.Name())
}

// RollbackTo passes nested transactions to the wrapped dialector.
func (d classifying) RollbackTo(tx *gorm.DB, name string) error {
	if s, ok := d.Dialector.(gorm.SavePointerDialectorInterface); ok {
		return s.RollbackTo(tx, name)
	}
	return fmt.Errorf("rollback to %s: %s has no savepoints", name, d.Name())
}

// IsUnreachable reports whether err says the database could not be
// reached or the connection was lost (refused, reset, timed out dialling,
// a broken pooled connection), rather than a statement failing.
func IsUnreachable(err error) bool {
	if err == nil || errors.Is(err, errs.ErrDatabase) {
		return false
	}
	var opErr *net.OpError
	switch {
	case errors.Is(err, driver.ErrBadConn),
		errors.Is(err, gomysql.ErrInvalidConn),
		errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE),
		errors.As(err, &opErr):
		return true
	}
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr) && !errors.Is(err, context.Canceled)
}
