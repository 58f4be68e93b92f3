package sqlsrc

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"fundhub/connectors"
)

// batch reads the rows after the position after (nil for the start) and
// returns them as a page, with the position of the last row (nil for none).
func (s *Source) batch(ctx context.Context, db *sql.DB,
	after *position) (connectors.Page, *position, error) {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return connectors.Page{}, nil, fmt.Errorf("starting read-only transaction: %w", err)
	}
	// The transaction only reads: ending it by rollback loses nothing.
	defer tx.Rollback()

	query, args := s.first, []any(nil)
	if after != nil {
		query, args = s.next, []any{after.Time, after.Key}
	}
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return connectors.Page{}, nil, fmt.Errorf("querying rows after %s: %w", after, err)
	}
	defer rows.Close()

	page, last, err := s.scan(rows)
	if err != nil {
		return connectors.Page{}, nil, fmt.Errorf("reading rows after %s: %w", after, err)
	}

	return page, last, nil
}

// scan turns the rows of one batch into a page.
func (s *Source) scan(rows *sql.Rows) (connectors.Page, *position, error) {
	l, err := s.layoutOf(rows)
	if err != nil {
		return connectors.Page{}, nil, err
	}

	vals := make([]any, len(l.names)+1)
	dest := make([]any, len(vals))
	for i := range vals {
		dest[i] = &vals[i]
	}

	var page connectors.Page
	var last position
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return connectors.Page{}, nil, err
		}
		row, pos, err := l.row(vals)
		if err != nil {
			return connectors.Page{}, nil, err
		}
		page.Rows = append(page.Rows, row)
		last = pos
	}
	if err := rows.Err(); err != nil {
		return connectors.Page{}, nil, err
	}

	if len(page.Rows) == 0 {
		return page, nil, nil
	}
	page.Cursor = last.encode()

	return page, &last, nil
}

// layout says how to read the columns of a batch: the query's columns, then
// the key's text that wrapQuery adds.
type layout struct {
	names   []string // the keys of Row.Values, one per column of the query
	types   []string // the database type names of those columns
	time    int      // the index of the time column
	timeCol string
	keyCol  string
}

// layoutOf reads the columns of rows, checking that the time column is a
// timestamp and that no two columns share a name.
func (s *Source) layoutOf(rows *sql.Rows) (*layout, error) {
	cols, err := rows.ColumnTypes()
	if err != nil {
		return nil, fmt.Errorf("reading columns: %w", err)
	}
	cols = cols[:len(cols)-1]

	l := &layout{time: -1, timeCol: s.cfg.TimeColumn, keyCol: s.cfg.KeyColumn}
	seen := map[string]bool{}
	for i, c := range cols {
		name := connectors.NormalizeText(c.Name())
		if seen[name] {
			return nil, fmt.Errorf("the query has two columns named %q", name)
		}
		seen[name] = true
		l.names = append(l.names, name)
		l.types = append(l.types, c.DatabaseTypeName())
		if c.Name() == s.cfg.TimeColumn && l.time < 0 {
			l.time = i
		}
	}

	if l.time < 0 {
		return nil, fmt.Errorf("the query has no time column %q", s.cfg.TimeColumn)
	}
	if t := l.types[l.time]; t != "TIMESTAMPTZ" && t != "TIMESTAMP" {
		return nil, fmt.Errorf("time column %q is %s, want timestamptz or timestamp",
			s.cfg.TimeColumn, strings.ToLower(t))
	}

	return l, nil
}

// row turns the values of one scanned row into a Row and its position. A
// row without a time or key has no place after a cursor: the batch queries
// leave such rows out (reportNulls reports them), so one here fails the read.
func (l *layout) row(vals []any) (connectors.Row, position, error) {
	keyVal := vals[len(vals)-1]
	if keyVal == nil {
		return connectors.Row{}, position{}, fmt.Errorf("a row has no key: "+
			"key column %q is null", l.keyCol)
	}
	key := text(keyVal, "TEXT")

	values := make(map[string]string, len(l.names))
	for i, name := range l.names {
		values[name] = text(vals[i], l.types[i])
	}
	if vals[l.time] == nil {
		return connectors.Row{}, position{}, fmt.Errorf("the row of key %q has no time: "+
			"time column %q is null", key, l.timeCol)
	}

	row := connectors.Row{Ref: "sql:" + key, Values: values}

	return row, position{Time: values[l.names[l.time]], Key: key}, nil
}
