package sqlsrc

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"fundhub/connectors"
)

// itemsTable holds rows keyed by id, changed at updated_at.
const itemsTable = `CREATE TABLE items (
	id int PRIMARY KEY,
	updated_at timestamptz NOT NULL,
	amount numeric(20, 2)
)`

// insertItems adds n items, item i changed i minutes after midnight.
func insertItems(t *testing.T, n int) string {
	t.Helper()

	return fmt.Sprintf(`INSERT INTO items (id, updated_at, amount)
		SELECT i, timestamptz '2024-01-01 00:00:00+00' + i * interval '1 minute', i
		FROM generate_series(1, %d) i`, n)
}

// itemRefs returns the refs of items from, ..., to.
func itemRefs(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, fmt.Sprintf("sql:%d", i))
	}

	return out
}

func TestSource_ReadsInBatches(t *testing.T) {
	tests := []struct {
		name  string
		rows  int
		batch int
		want  [][]string
	}{
		{"short last batch", 7, 3,
			[][]string{itemRefs(1, 3), itemRefs(4, 6), itemRefs(7, 7)}},
		{"full last batch", 6, 3, [][]string{itemRefs(1, 3), itemRefs(4, 6)}},
		{"default batch size", 5, 0, [][]string{itemRefs(1, 5)}},
		{"no rows", 0, 3, [][]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setup(t, itemsTable, insertItems(t, tt.rows))
			cfg := config(`SELECT id, updated_at FROM items -- every item`,
				"updated_at", "id", tt.batch)
			s := newSource(t, cfg)

			pages := readPages(t, s, "")

			if got := refs(pages); !slices.EqualFunc(got, tt.want, slices.Equal) {
				t.Errorf("got pages %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSource_PageCursorIsLastRow(t *testing.T) {
	setup(t, itemsTable, insertItems(t, 4))
	s := newSource(t, config(`SELECT * FROM items`, "updated_at", "id", 3))

	pages := readPages(t, s, "")

	want := []string{
		`{"time":"2024-01-01T00:03:00Z","key":"3"}`,
		`{"time":"2024-01-01T00:04:00Z","key":"4"}`,
	}
	var got []string
	for _, p := range pages {
		got = append(got, p.Cursor)
	}
	if !slices.Equal(got, want) {
		t.Errorf("got cursors %q, want %q", got, want)
	}
}

func TestSource_SharedTimestampAcrossBatches(t *testing.T) {
	for _, typ := range []string{"timestamptz", "timestamp"} {
		t.Run(typ, func(t *testing.T) {
			// Items 2 to 6 share a time; 7 and 8 follow it by a microsecond.
			setup(t, `CREATE TABLE events (id text, at `+typ+`)`,
				`INSERT INTO events VALUES
					('1', '2024-05-01 10:00:00.123455'),
					('4', '2024-05-01 10:00:00.123456'),
					('2', '2024-05-01 10:00:00.123456'),
					('6', '2024-05-01 10:00:00.123456'),
					('3', '2024-05-01 10:00:00.123456'),
					('5', '2024-05-01 10:00:00.123456'),
					('8', '2024-05-01 10:00:00.123457'),
					('7', '2024-05-01 10:00:00.123457')`)
			s := newSource(t, config(`SELECT * FROM events`, "at", "id", 2))

			checkEveryResume(t, s, itemRefs(1, 8))
		})
	}
}

// checkEveryResume reads everything, then reads again from each page's
// cursor as a restarted run would, and checks that each read returns the
// rows after that cursor, in order, each once.
func checkEveryResume(t *testing.T, s *Source, want []string) {
	t.Helper()

	pages := readPages(t, s, "")
	if got := slices.Concat(refs(pages)...); !slices.Equal(got, want) {
		t.Fatalf("got rows %v, want %v", got, want)
	}

	read := 0
	for _, p := range pages {
		read += len(p.Rows)
		rest := readPages(t, s, p.Cursor)
		got := slices.Concat(refs(rest)...)
		if !slices.Equal(got, want[read:]) {
			t.Errorf("after cursor %s: got rows %v, want %v", p.Cursor, got, want[read:])
		}
	}
}

func TestSource_ReadFromLastCursorReturnsNothing(t *testing.T) {
	setup(t, itemsTable, insertItems(t, 5))
	s := newSource(t, config(`SELECT * FROM items`, "updated_at", "id", 2))
	cursor := lastCursor(readPages(t, s, ""), "")

	pages := readPages(t, s, cursor)

	if len(pages) != 0 {
		t.Errorf("got pages %v, want none", refs(pages))
	}
}

func TestSource_UpdatedRowComesBackOnce(t *testing.T) {
	db := setup(t, itemsTable, insertItems(t, 5))
	s := newSource(t, config(`SELECT * FROM items`, "updated_at", "id", 2))
	cursor := lastCursor(readPages(t, s, ""), "")

	exec(t, db, `UPDATE items SET amount = 99, updated_at = updated_at + interval '1 hour'
		WHERE id = 2`)
	pages := readPages(t, s, cursor)

	want := [][]string{{"sql:2"}}
	if got := refs(pages); !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("got pages %v, want %v", got, want)
	}
	if got := pages[0].Rows[0].Values["amount"]; got != "99.00" {
		t.Errorf("got amount %q, want %q", got, "99.00")
	}
	if again := readPages(t, s, pages[0].Cursor); len(again) != 0 {
		t.Errorf("got pages %v after the update's cursor, want none", refs(again))
	}
}

func TestSource_CancelBetweenBatches(t *testing.T) {
	setup(t, itemsTable, insertItems(t, 5))
	s := newSource(t, config(`SELECT * FROM items`, "updated_at", "id", 2))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	calls := 0
	err := s.Read(ctx, "", func(connectors.Page) error {
		calls++
		cancel()
		return nil
	})

	if !errors.Is(err, context.Canceled) {
		t.Errorf("got error %v, want context.Canceled", err)
	}
	if calls != 1 {
		t.Errorf("got %d pages, want 1", calls)
	}
}

func TestSource_ReturnsFnErrorAsIs(t *testing.T) {
	setup(t, itemsTable, insertItems(t, 5))
	s := newSource(t, config(`SELECT * FROM items`, "updated_at", "id", 2))
	stop := errors.New("stop")

	err := s.Read(context.Background(), "", func(connectors.Page) error { return stop })

	if err != stop {
		t.Errorf("got error %v, want %v", err, stop)
	}
}

func TestSource_WithDBNeedsNoEnvironment(t *testing.T) {
	_, db := newDatabase(t)
	exec(t, db, itemsTable)
	exec(t, db, insertItems(t, 3))
	cfg := config(`SELECT * FROM items`, "updated_at", "id", 0)
	cfg.Driver, cfg.DSNEnv = "", ""
	s := newSource(t, cfg, WithDB(db))

	pages := readPages(t, s, "")

	want := [][]string{itemRefs(1, 3)}
	if got := refs(pages); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("got pages %v, want %v", got, want)
	}
	if err := db.Ping(); err != nil {
		t.Errorf("got ping error %v after Read, want the given database open", err)
	}
}

func TestSource_ReadAfterCloseFails(t *testing.T) {
	s := newSource(t, config(`SELECT * FROM items`, "updated_at", "id", 0))

	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	err := s.Read(context.Background(), "", func(connectors.Page) error { return nil })

	if !errors.Is(err, ErrClosed) {
		t.Errorf("got error %v, want ErrClosed", err)
	}
}

func TestSource_ReadErrors(t *testing.T) {
	tests := []struct {
		name    string
		query   string
		timeCol string
		cursor  string
		want    string
	}{
		{"time column not a timestamp", `SELECT 1 AS id, current_date AS at`, "at", "",
			`time column "at" is date, want timestamptz or timestamp`},
		{"no such time column", `SELECT 1 AS id, now() AS at`, "changed", "",
			`column q.changed does not exist`},
		{"query writes", `SELECT 1 AS id, now() AS at, nextval('seq')`, "at", "",
			`read-only transaction`},
		{"cursor not json", `SELECT 1 AS id, now() AS at`, "at", "2024-01-01", "sql cursor"},
		{"cursor without key", `SELECT 1 AS id, now() AS at`, "at",
			`{"time":"2024-01-01T00:00:00Z"}`, "want a time and a key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setup(t, `CREATE SEQUENCE seq`)
			s := newSource(t, config(tt.query, tt.timeCol, "id", 0))

			err := s.Read(context.Background(), tt.cursor,
				func(connectors.Page) error { return nil })

			if err == nil || !strings.Contains(strings.ToLower(err.Error()), tt.want) {
				t.Errorf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestSource_RowsWithoutTimeOrKeyAreReported(t *testing.T) {
	setup(t)
	s := newSource(t, config(`SELECT * FROM (VALUES (1, now()), (2, NULL::timestamptz),
		(NULL::int, now())) v(id, at)`, "at", "id", 0))

	var errs, rows int
	err := s.Read(context.Background(), "", func(p connectors.Page) error {
		for _, r := range p.Rows {
			if r.Err != nil {
				errs++
			} else {
				rows++
			}
		}
		return nil
	})
	if err != nil || errs != 2 || rows != 1 {
		t.Errorf("got %d rows, %d reported without time or key (%v); want 1 and 2",
			rows, errs, err)
	}
}
