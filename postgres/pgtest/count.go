package pgtest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/lib/pq"

	"fundhub/postgres"
)

// Counter counts the SQL statements sent through a counting connection.
// It is safe for concurrent use.
type Counter struct{ n atomic.Int64 }

// Reset sets the count to zero.
func (c *Counter) Reset() { c.n.Store(0) }

// Count returns the number of statements sent since the last Reset.
func (c *Counter) Count() int { return int(c.n.Load()) }

var (
	registerOnce sync.Once
	counter      = &Counter{}
	countMu      sync.Mutex
)

// NewCounting is New through a driver that counts every query and exec,
// so a test can bound the statements a request costs. Tests using it must
// not run in parallel with each other: the counter is shared.
func NewCounting(tb testing.TB) (*postgres.DB, *Counter) {
	tb.Helper()
	registerOnce.Do(func() {
		sql.Register("postgres-counting", countingDriver{})
	})
	countMu.Lock()
	tb.Cleanup(countMu.Unlock)

	db := open(tb, "postgres-counting")
	counter.Reset()

	return db, counter
}

type countingDriver struct{}

func (countingDriver) Open(name string) (driver.Conn, error) {
	c, err := pq.Driver{}.Open(name)
	if err != nil {
		return nil, err
	}

	return &countingConn{Conn: c}, nil
}

// countingConn forwards to lib/pq's connection and counts the statements.
type countingConn struct{ driver.Conn }

func (c *countingConn) QueryContext(ctx context.Context, q string,
	args []driver.NamedValue) (driver.Rows, error) {
	counter.n.Add(1)
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, q, args)
}

func (c *countingConn) ExecContext(ctx context.Context, q string,
	args []driver.NamedValue) (driver.Result, error) {
	counter.n.Add(1)
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, q, args)
}

func (c *countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c *countingConn) Ping(ctx context.Context) error {
	return c.Conn.(driver.Pinger).Ping(ctx)
}
