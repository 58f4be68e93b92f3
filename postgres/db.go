// Package postgres implements the fundhub services on PostgreSQL with sqlx
// and lib/pq. Every query takes the caller's fundhub.Scope and applies it in
// the same WHERE clause as the filters, so pages and totals never count rows
// the caller may not see.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	neturl "net/url"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"fundhub"
)

// DB is a connection pool to the fundhub database. It is safe for concurrent
// use.
type DB struct {
	db     *sqlx.DB
	logger *slog.Logger
	// Now returns the current time; tests replace it to fix the clock.
	Now func() time.Time
	// MissingTargets says what Allocate does with an allocation that does
	// not break down its parent's targets; RefuseMissingTargets when empty.
	MissingTargets MissingTargets
}

// Open connects to the database at url and checks the connection.
func Open(ctx context.Context, url string, logger *slog.Logger) (*DB, error) {
	return OpenDriver(ctx, "postgres", url, logger)
}

// OpenDriver is Open through a named database/sql driver that speaks to
// PostgreSQL like lib/pq does; tests use it to count statements.
func OpenDriver(ctx context.Context, driver, url string, logger *slog.Logger) (*DB, error) {
	sqldb, err := sql.Open(driver, url)
	if err != nil {
		return nil, fmt.Errorf("opening database: %s", redact(err, url))
	}
	// sqlx picks the placeholder style from the name: always PostgreSQL's.
	db := sqlx.NewDb(sqldb, "postgres")
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(10)
	db.SetConnMaxIdleTime(5 * time.Minute)

	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connecting to database: %s", redact(err, url))
	}
	if logger == nil {
		logger = slog.Default()
	}

	return &DB{db: db, logger: logger, Now: time.Now}, nil
}

// Close closes the pool.
func (d *DB) Close() error { return d.db.Close() }

// SQL returns the underlying pool, for tests and tools that need raw access.
func (d *DB) SQL() *sqlx.DB { return d.db }

// Ping checks that the database answers, for health checks.
func (d *DB) Ping(ctx context.Context) error { return d.db.PingContext(ctx) }

// inTx runs fn in a transaction, committing when it returns nil and rolling
// back otherwise.
func (d *DB) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := d.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	defer tx.Rollback()

	if err := fn(tx); err != nil {
		return err
	}

	return tx.Commit()
}

// inTxRetrying is inTx that runs fn once more when PostgreSQL broke a
// deadlock or a serialization conflict by failing this transaction: the
// other side has committed by then, and the work usually goes through.
func (d *DB) inTxRetrying(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	err := d.inTx(ctx, fn)
	if code := pgCode(err); code == sqlDeadlock || code == sqlSerialization {
		d.logger.Warn("transaction failed on a conflict; trying once more", "sqlstate", code)
		err = d.inTx(ctx, fn)
	}

	return err
}

// notFound maps sql.ErrNoRows to an ENOTFOUND error naming what was looked
// for, and wraps any other error with that context.
func notFound(err error, what string, key any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fundhub.Errorf(fundhub.ENOTFOUND, "%s %v not found", what, key)
	}

	return fmt.Errorf("loading %s %v: %w", what, key, inputError(err))
}

// SQLSTATE codes the store branches on.
const (
	sqlUniqueViolation     = "23505"
	sqlForeignKeyViolation = "23503"
	sqlCheckViolation      = "23514"
	sqlNumericOutOfRange   = "22003"
	sqlDeadlock            = "40P01"
	sqlSerialization       = "40001"
	sqlStringTooLong       = "22001"
)

// pgCode returns the SQLSTATE of a PostgreSQL error, or "".
func pgCode(err error) string {
	var pe *pq.Error
	if errors.As(err, &pe) {
		return string(pe.Code)
	}

	return ""
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// int64s wraps ids for an = ANY($n) placeholder.
func int64s(ids []int64) any { return pq.Array(ids) }

// redact returns err's text with the password of the connection URL, which
// drivers may quote in their errors, masked.
func redact(err error, dsn string) string {
	text := err.Error()
	u, perr := neturl.Parse(dsn)
	if perr != nil {
		return "the connection URL is malformed"
	}
	if pw, ok := u.User.Password(); ok && pw != "" {
		text = strings.ReplaceAll(text, pw, "xxxxx")
	}

	return text
}
