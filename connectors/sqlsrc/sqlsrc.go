// Package sqlsrc reads the source of a sql connector: a SELECT on a
// PostgreSQL database, read in batches in the order of an update time and a
// key, so that each run starts where the last one stopped.
//
// # Query
//
// The declared query is wrapped, never edited:
//
//	SELECT q.*, q.<key>::text FROM (<query>) q
//	WHERE (q.<time>, q.<key>::text) > ($1, $2)
//	ORDER BY q.<time>, q.<key>::text LIMIT <batch>
//
// The first batch of a run without a cursor has no WHERE. The extra last
// column is the key as PostgreSQL writes it, which the cursor must hold
// exactly; it is not one of the row's values. Each batch runs in its own
// read-only transaction, so a query that calls a function with side effects
// fails instead of writing.
//
// # Cursor
//
// A page's cursor is the JSON object {"time": T, "key": K} of its last row:
// T is the time column in RFC 3339 with its fractional seconds and zone, K
// the key column's text. The next batch holds the rows whose pair (time,
// key::text) sorts strictly after (T, K), so rows that share a timestamp
// are split between batches by key, none lost and none read twice, and a
// row whose time moved past the cursor is read again once.
//
// # Known shortcomings
//
// A row committed after a run has passed its time (written by a long
// transaction whose time column holds the moment it began) is never read,
// as later runs start after the cursor. A time column set at commit, or
// re-reading a window before the cursor and dropping rows already loaded,
// would fix it. Each batch runs the whole query again, sorted; a query the
// planner cannot read in index order costs a sort of all its rows per batch.
package sqlsrc

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"

	_ "github.com/lib/pq" // the "postgres" driver of SQLConfig.Driver

	"fundhub/connectors"
)

// DefaultBatchSize is the rows per page when SQLConfig.BatchSize is zero.
const DefaultBatchSize = 1000

// ErrClosed is returned by Read on a source that was closed.
var ErrClosed = errors.New("sql source is closed")

// Source reads the rows of one SQLConfig. It is safe for concurrent use.
type Source struct {
	cfg   connectors.SQLConfig
	size  int
	first string // the query of a run's first batch, without a cursor
	next  string // the query of a batch after a cursor
	db    *sql.DB

	closed atomic.Bool
}

// Option changes how New builds a source.
type Option func(*Source)

// WithDB makes the source read db instead of opening SQLConfig.Driver on the
// connection string named by SQLConfig.DSNEnv. The source never closes db.
func WithDB(db *sql.DB) Option {
	return func(s *Source) { s.db = db }
}

// New returns a source reading cfg. It checks the config and the query,
// returning an error wrapping ErrQuery for a query that is not one SELECT or
// WITH statement; it neither reads the environment nor connects, which Read
// does on every call.
func New(cfg *connectors.SQLConfig, opts ...Option) (*Source, error) {
	if cfg == nil {
		return nil, errors.New("sql source needs a config")
	}

	s := &Source{cfg: *cfg, size: cfg.BatchSize}
	for _, o := range opts {
		o(s)
	}
	if err := s.validate(); err != nil {
		return nil, err
	}
	if s.size == 0 {
		s.size = DefaultBatchSize
	}
	s.first, s.next = wrapQuery(&s.cfg, s.size)

	return s, nil
}

func (s *Source) validate() error {
	c := &s.cfg
	switch {
	case s.db == nil && c.Driver == "":
		return errors.New("sql source needs a driver")
	case s.db == nil && c.DSNEnv == "":
		return errors.New("sql source needs dsnEnv, the environment variable " +
			"holding the connection string")
	case c.TimeColumn == "" || c.KeyColumn == "":
		return errors.New("sql source needs timeColumn and keyColumn")
	case s.size < 0:
		return fmt.Errorf("sql batch size %d is negative", s.size)
	}

	return checkQuery(c.Query)
}

// Close marks the source closed, so that a later Read returns ErrClosed.
// Read holds a connection only while it runs, so there is nothing else to
// release; a database given to WithDB stays open. Close is idempotent.
func (s *Source) Close() error {
	s.closed.Store(true)

	return nil
}

// Read reads the rows after cursor ("" for all of them) in batches of
// SQLConfig.BatchSize, calling fn once per non-empty batch with the batch's
// rows and cursor, until a batch comes back short. It reads the connection
// string from the environment variable SQLConfig.DSNEnv on every call (an
// error wrapping ErrNoDSN when it is unset or empty) and closes its
// connection before it returns. No error it returns holds the connection
// string or its password. It returns fn's error as it is, and ctx's error
// when ctx is done between batches.
func (s *Source) Read(ctx context.Context, cursor string,
	fn func(connectors.Page) error) error {
	if s.closed.Load() {
		return ErrClosed
	}
	after, err := parseCursor(cursor)
	if err != nil {
		return err
	}

	db, hide, err := s.open()
	if err != nil {
		return err
	}
	if s.db == nil {
		defer db.Close()
	}

	if err := s.reportNulls(ctx, db, hide, fn); err != nil {
		return err
	}

	return s.readBatches(ctx, db, hide, after, fn)
}

// nullsReported is how many rows without a time or key a Read reports.
const nullsReported = 100

// reportNulls hands over, as rows with Err, the rows of the source that have
// no time or no key: no cursor can place them, so they are never read, and
// reporting them on every run keeps them from vanishing silently. The page
// carries no cursor.
func (s *Source) reportNulls(ctx context.Context, db *sql.DB, hide *redactor,
	fn func(connectors.Page) error) error {
	rows, err := db.QueryContext(ctx, nullsQuery(&s.cfg, nullsReported))
	if err != nil {
		return hide.redact(fmt.Errorf("looking for rows without a time or key: %w", err))
	}
	defer rows.Close()

	var page connectors.Page
	for rows.Next() {
		var key sql.NullString
		if err := rows.Scan(&key); err != nil {
			return hide.redact(err)
		}
		page.Rows = append(page.Rows, connectors.Row{Ref: "sql:" + key.String,
			Err: fmt.Errorf("the row has no %s or no %s, so it cannot be read in order; "+
				"the source must fill them", s.cfg.TimeColumn, s.cfg.KeyColumn)})
	}
	if err := rows.Err(); err != nil || len(page.Rows) == 0 {
		return hide.redact(err)
	}

	return fn(page)
}

// readBatches reads the batches after the position after, handing each to
// fn, and hides the connection string in its own errors (not fn's).
func (s *Source) readBatches(ctx context.Context, db *sql.DB, hide *redactor,
	after *position, fn func(connectors.Page) error) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}

		page, last, err := s.batch(ctx, db, after)
		if err != nil {
			return hide.redact(err)
		}
		if len(page.Rows) == 0 {
			return nil
		}
		if err := fn(page); err != nil {
			return err
		}

		if len(page.Rows) < s.size {
			return nil
		}
		after = last
	}
}

// open returns the database to read and the redactor of its connection
// string. A database Read opens allows one connection: batches run one at
// a time.
func (s *Source) open() (*sql.DB, *redactor, error) {
	if s.db != nil {
		return s.db, &redactor{}, nil
	}

	dsn, err := lookupDSN(s.cfg.DSNEnv)
	if err != nil {
		return nil, nil, err
	}
	hide := newRedactor(s.cfg.DSNEnv, dsn)

	db, err := sql.Open(s.cfg.Driver, dsn)
	if err != nil {
		return nil, nil, hide.redact(fmt.Errorf("opening %s database named by $%s: %w",
			s.cfg.Driver, s.cfg.DSNEnv, err))
	}
	db.SetMaxOpenConns(1)

	return db, hide, nil
}
