// Package pgtest gives each test a fresh, migrated PostgreSQL database.
//
// The database server comes from DATABASE_URL (make test starts a private
// cluster and sets it). The first test of a run migrates a template database
// named after the migrations and reference data it holds; every test then
// gets a copy made with CREATE DATABASE ... TEMPLATE, which takes a fraction
// of a second, and drops it when the test ends.
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/lib/pq"

	"fundhub/migrations"
	"fundhub/postgres"
	"fundhub/refdata"
)

// templateLock is the advisory lock key that serialises template creation
// across test processes.
const templateLock = 0x66756e64

// New returns a connection to a new database holding the migrated schema and
// the embedded reference data. The database is dropped when tb ends.
func New(tb testing.TB) *postgres.DB {
	tb.Helper()
	return open(tb, "postgres")
}

// open creates a test database from the template and connects to it
// through the named driver.
func open(tb testing.TB, driver string) *postgres.DB {
	tb.Helper()
	ctx := context.Background()
	base := serverURL(tb)

	tmpl, err := ensureTemplate(ctx, base)
	if err != nil {
		tb.Fatalf("preparing template database: %v", err)
	}

	name := "fundhub_test_" + randomSuffix()
	admin := openAdmin(tb, base)
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+pq.QuoteIdentifier(name)+
		` TEMPLATE `+pq.QuoteIdentifier(tmpl)); err != nil {
		tb.Fatalf("creating test database: %v", err)
	}

	db, err := postgres.OpenDriver(ctx, driver, withDatabase(base, name), discardLogger())
	if err != nil {
		tb.Fatalf("opening test database: %v", err)
	}
	tb.Cleanup(func() {
		db.Close()
		admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+pq.QuoteIdentifier(name)+
			` WITH (FORCE)`)
		admin.Close()
	})

	return db
}

// URL returns the connection URL of the database behind db's name, for
// tests that run the fundhub command against it.
func URL(tb testing.TB, dbname string) string {
	tb.Helper()
	return withDatabase(serverURL(tb), dbname)
}

func serverURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("DATABASE_URL")
	if u == "" {
		tb.Fatal("DATABASE_URL is not set: run the tests with make test, " +
			"which starts a private PostgreSQL and sets it")
	}

	return u
}

func openAdmin(tb testing.TB, base string) *sql.DB {
	tb.Helper()
	db, err := sql.Open("postgres", base)
	if err != nil {
		tb.Fatalf("opening %s: %v", base, err)
	}

	return db
}

// ensureTemplate creates the template database for the current schema once,
// under an advisory lock so parallel test processes do not race.
func ensureTemplate(ctx context.Context, base string) (string, error) {
	name := "fundhub_tmpl_" + schemaHash()
	admin, err := sql.Open("postgres", base)
	if err != nil {
		return "", err
	}
	defer admin.Close()

	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, templateLock); err != nil {
		return "", err
	}
	defer conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, templateLock)

	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database
		WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}

	return name, buildTemplate(ctx, conn, base, name)
}

func buildTemplate(ctx context.Context, conn *sql.Conn, base, name string) error {
	building := name + "_building"
	q := pq.QuoteIdentifier
	conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+q(building)+` WITH (FORCE)`)
	if _, err := conn.ExecContext(ctx, `CREATE DATABASE `+q(building)); err != nil {
		return err
	}

	db, err := postgres.Open(ctx, withDatabase(base, building), discardLogger())
	if err != nil {
		return err
	}
	err = db.Migrate(ctx)
	db.Close()
	if err != nil {
		return err
	}

	_, err = conn.ExecContext(ctx, `ALTER DATABASE `+q(building)+` RENAME TO `+q(name))

	return err
}

// schemaHash identifies the migrations and reference data a template holds.
func schemaHash() string {
	h := sha256.New()
	fs.WalkDir(migrations.FS, ".", func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			b, _ := fs.ReadFile(migrations.FS, p)
			h.Write([]byte(p))
			h.Write(b)
		}
		return nil
	})
	for _, f := range []string{refdata.RegionsFile, refdata.HolidaysFile} {
		_, sum, _ := refdata.Embedded(f)
		h.Write([]byte(sum))
	}

	return hex.EncodeToString(h.Sum(nil))[:12]
}

func withDatabase(base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	u.Path = "/" + name

	return u.String()
}

func randomSuffix() string {
	b := make([]byte, 6)
	rand.Read(b)

	return fmt.Sprintf("%x_%d", b, time.Now().UnixNano()%1000)
}

func discardLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(ioDiscard{}, nil))
}

type ioDiscard struct{}

func (ioDiscard) Write(p []byte) (int, error) { return len(p), nil }

// Get runs a query of one row into dest, failing the test on any error, for
// the checks a test makes of the database.
func Get(tb testing.TB, db *postgres.DB, dest any, query string, args ...any) {
	tb.Helper()
	if err := db.SQL().Get(dest, query, args...); err != nil {
		tb.Fatalf("querying %q: %v", query, err)
	}
}

// Select runs a query of many rows into dest, failing the test on any error.
func Select(tb testing.TB, db *postgres.DB, dest any, query string, args ...any) {
	tb.Helper()
	if err := db.SQL().Select(dest, query, args...); err != nil {
		tb.Fatalf("querying %q: %v", query, err)
	}
}
