package sqlsrc

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/lib/pq"

	"fundhub/connectors"
)

// dsnEnv is the environment variable the tests' configs name.
const dsnEnv = "SQLSRC_TEST_DSN"

// newDatabase creates a scratch database on the server of DATABASE_URL,
// dropped when t ends, and returns its URL and a connection to it.
func newDatabase(t *testing.T) (string, *sql.DB) {
	t.Helper()

	base := os.Getenv("DATABASE_URL")
	if base == "" {
		t.Fatal(`DATABASE_URL is not set: run DATABASE_URL="$(scripts/pg.sh)" go test`)
	}
	admin, err := sql.Open("postgres", base)
	if err != nil {
		t.Fatalf("opening the server of DATABASE_URL: %v", err)
	}
	t.Cleanup(func() { admin.Close() })

	name := "sqlsrc_test_" + randomHex(t)
	if _, err := admin.Exec(`CREATE DATABASE ` + pq.QuoteIdentifier(name)); err != nil {
		t.Fatalf("creating database %s: %v", name, err)
	}
	t.Cleanup(func() {
		_, err := admin.Exec(`DROP DATABASE IF EXISTS ` + pq.QuoteIdentifier(name) +
			` WITH (FORCE)`)
		if err != nil {
			t.Errorf("dropping database %s: %v", name, err)
		}
	})

	dsn := withDatabase(t, base, name)
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatalf("opening database %s: %v", name, err)
	}
	t.Cleanup(func() { db.Close() })

	return dsn, db
}

// withDatabase returns the URL base with its database changed to name.
func withDatabase(t *testing.T, base, name string) string {
	t.Helper()

	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("DATABASE_URL is not a URL: %v", err)
	}
	u.Path = "/" + name

	return u.String()
}

func randomHex(t *testing.T) string {
	t.Helper()

	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}

	return hex.EncodeToString(b)
}

// setup creates a scratch database, runs the statements in it, and points
// dsnEnv at it for the rest of the test. It returns a connection to it.
func setup(t *testing.T, statements ...string) *sql.DB {
	t.Helper()

	dsn, db := newDatabase(t)
	for _, s := range statements {
		exec(t, db, s)
	}
	t.Setenv(dsnEnv, dsn)

	return db
}

// exec runs one statement, failing the test on error.
func exec(t *testing.T, db *sql.DB, query string, args ...any) {
	t.Helper()

	if _, err := db.Exec(query, args...); err != nil {
		t.Fatalf("running %q: %v", query, err)
	}
}

// config returns the config of a source reading query from dsnEnv.
func config(query, timeCol, keyCol string, batch int) *connectors.SQLConfig {
	return &connectors.SQLConfig{
		Driver:     "postgres",
		DSNEnv:     dsnEnv,
		Query:      query,
		TimeColumn: timeCol,
		KeyColumn:  keyCol,
		BatchSize:  batch,
	}
}

// newSource returns a source of cfg, failing the test on error.
func newSource(t *testing.T, cfg *connectors.SQLConfig, opts ...Option) *Source {
	t.Helper()

	s, err := New(cfg, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { s.Close() })

	return s
}

// readPages returns the pages one Read from cursor hands over.
func readPages(t *testing.T, s *Source, cursor string) []connectors.Page {
	t.Helper()

	var pages []connectors.Page
	err := s.Read(context.Background(), cursor, func(p connectors.Page) error {
		pages = append(pages, p)
		return nil
	})
	if err != nil {
		t.Fatalf("Read from %q: %v", cursor, err)
	}

	return pages
}

// refs returns the Ref of each row of each page, a slice per page.
func refs(pages []connectors.Page) [][]string {
	out := make([][]string, len(pages))
	for i, p := range pages {
		for _, r := range p.Rows {
			out[i] = append(out[i], r.Ref)
		}
	}

	return out
}

// lastCursor returns the cursor of the last page, or from when there is
// none.
func lastCursor(pages []connectors.Page, from string) string {
	if len(pages) == 0 {
		return from
	}

	return pages[len(pages)-1].Cursor
}
