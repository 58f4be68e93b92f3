package reservesim

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/lib/pq"
)

// scratchDB returns a connection to a new, empty database on the server of
// DATABASE_URL, dropped when the test ends.
func scratchDB(t testing.TB) *sql.DB {
	t.Helper()
	base := os.Getenv("DATABASE_URL")
	if base == "" {
		t.Fatal("DATABASE_URL is not set: run DATABASE_URL=\"$(scripts/pg.sh)\" go test, " +
			"or make test")
	}

	admin, err := sql.Open("postgres", base)
	if err != nil {
		t.Fatalf("opening %s: %v", base, err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "reservesim_test_" + hex.EncodeToString(b)
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(name)); err != nil {
		t.Fatalf("creating scratch database: %v", err)
	}

	db, err := sql.Open("postgres", withDatabase(t, base, name))
	if err != nil {
		t.Fatalf("opening scratch database: %v", err)
	}
	t.Cleanup(func() {
		db.Close()
		admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+pq.QuoteIdentifier(name)+
			" WITH (FORCE)")
		admin.Close()
	})

	return db
}

func withDatabase(t testing.TB, base, name string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parsing DATABASE_URL: %v", err)
	}
	u.Path = "/" + name

	return u.String()
}

// queryInt runs a query of one integer.
func queryInt(t testing.TB, db *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("querying %q: %v", query, err)
	}

	return n
}

func seed(t testing.TB, db *sql.DB, o Options) {
	t.Helper()
	if err := Seed(context.Background(), db, o); err != nil {
		t.Fatalf("seeding: %v", err)
	}
}
