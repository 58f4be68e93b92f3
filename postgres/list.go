package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"fundhub"
)

// listQuery describes one kind of list: a plural noun for errors, the columns
// selected, the FROM clause that the count and the page share, the ORDER BY
// of a page and the id column that loaders order by.
type listQuery struct {
	what  string
	cols  string
	from  string
	order string
	key   string
	// sum, when set, is the amount column findPageStats sums.
	sum string
}

// findPage counts the rows of l that match w and returns page p of them.
func findPage[T any](ctx context.Context, d *DB, l listQuery, w *where,
	p fundhub.Page) ([]*T, int, error) {
	out, st, err := findPageStats[T](ctx, d, l, w, p)
	return out, st.Total, err
}

// pageStats are what a list reports beside its page: the count of every
// matching row and, for lists that have one, the sum of their amounts.
type pageStats struct {
	Total  int             `db:"total"`
	Amount decimal.Decimal `db:"amount"`
}

// findPageStats is findPage that also sums l.sum over the matching rows.
// The count, the sum and the page are read in one read-only snapshot, so
// they agree even while a sync commits.
func findPageStats[T any](ctx context.Context, d *DB, l listQuery, w *where,
	p fundhub.Page) ([]*T, pageStats, error) {
	sum := "0"
	if l.sum != "" {
		sum = "COALESCE(sum(" + l.sum + "), 0)"
	}
	stats := statement{sql: `SELECT count(*) AS total, ` + sum + ` AS amount FROM ` +
		l.from + ` ` + w.sql(), args: w.args}

	return findPageStatsFrom[T](ctx, d, l, w, p, stats)
}

// statement is one SQL statement with its arguments.
type statement struct {
	sql  string
	args []any
}

// findPageStatsFrom is findPageStats with the count and sum read by stats,
// such as a statement over a summary table that holds the same totals, in
// the same snapshot as the page.
func findPageStatsFrom[T any](ctx context.Context, d *DB, l listQuery, w *where,
	p fundhub.Page, stats statement) ([]*T, pageStats, error) {
	var out []*T
	var st pageStats

	err := d.readTx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &st, stats.sql, stats.args...)
		if err != nil {
			return fmt.Errorf("counting %s: %w", l.what, inputError(err))
		}

		q := `SELECT ` + l.cols + ` FROM ` + l.from + ` ` + w.sql() +
			` ORDER BY ` + l.order + w.page(p)
		if err := tx.SelectContext(ctx, &out, q, w.args...); err != nil {
			return fmt.Errorf("listing %s: %w", l.what, inputError(err))
		}

		return nil
	})

	return out, st, err
}

// readTx runs fn in a read-only REPEATABLE READ transaction: one snapshot
// for all its statements.
func (d *DB) readTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := d.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead,
		ReadOnly: true})
	if err != nil {
		return fmt.Errorf("beginning read transaction: %w", err)
	}
	defer tx.Rollback()

	if err := fn(tx); err != nil {
		return err
	}

	return tx.Commit()
}

// findAll returns every row of l that matches w, ordered by id, for
// dataloaders.
func findAll[T any](ctx context.Context, d *DB, l listQuery, w *where) ([]*T, error) {
	var out []*T
	q := `SELECT ` + l.cols + ` FROM ` + l.from + ` ` + w.sql() + ` ORDER BY ` + l.key
	if err := d.db.SelectContext(ctx, &out, q, w.args...); err != nil {
		return nil, fmt.Errorf("loading %s: %w", l.what, err)
	}

	return out, nil
}

// getOne returns the one row of l that matches w, or ENOTFOUND naming what
// and key.
func getOne[T any](ctx context.Context, d *DB, l listQuery, w *where, what string,
	key any) (*T, error) {
	var out T
	q := `SELECT ` + l.cols + ` FROM ` + l.from + ` ` + w.sql()
	if err := d.db.GetContext(ctx, &out, q, w.args...); err != nil {
		return nil, notFound(err, what, key)
	}

	return &out, nil
}

// inputError turns PostgreSQL's data exceptions (SQLSTATE class 22: a NUL
// byte in a text, a number out of range), which only a caller's values can
// cause in a read, into EINVALID errors, and returns other errors as they are.
func inputError(err error) error {
	var pe *pq.Error
	if errors.As(err, &pe) && pe.Code.Class() == "22" {
		return fundhub.Errorf(fundhub.EINVALID, "a value given is not valid: %s",
			pe.Code.Name())
	}

	return err
}

// groupBy gathers rows by the key of each, keeping their order, for the
// loaders that return a list per parent.
func groupBy[K comparable, V any](rows []V, key func(V) K) map[K][]V {
	out := make(map[K][]V)
	for _, r := range rows {
		out[key(r)] = append(out[key(r)], r)
	}

	return out
}
