package postgres

import (
	"context"
	"fmt"

	"github.com/lib/pq"

	"fundhub"
)

const fundCols = `f.id, f.code, f.name, f.year, f.category, f.direction, f.local_level,
	f.owner_region, f.source_system, f.external_id, f.last_synced_at`

// subtreeCodes selects the codes of the regions in the subtrees rooted at the
// codes of its one placeholder, the roots included.
const subtreeCodes = `SELECT d.code FROM regions d
	JOIN regions sr ON d.path LIKE sr.path || '%%'
	WHERE sr.code = ANY(%s)`

// fundList is the FROM clause and order shared by the fund lists.
var fundList = listQuery{what: "funds", cols: fundCols, from: `funds f`,
	order: `f.year DESC, f.name, f.id`, key: `f.id`}

// FindFund returns the fund, or ENOTFOUND when it does not exist or the scope
// hides it (see FindFunds for what a scope sees).
func (d *DB) FindFund(ctx context.Context, s fundhub.Scope, id int64) (*fundhub.Fund, error) {
	var w where
	w.add("f.id = %s", id)
	fundScope(&w, s)

	return getOne[fundhub.Fund](ctx, d, fundList, &w, "fund", id)
}

// FindFunds returns one page of the funds that match f, ordered by year
// descending, then name and id, and the count of all that match.
//
// A scope sees a fund of one of its directions (any, when it names none) that
// the nation owns, that a region of its subtrees owns, or that has an
// allocation to such a region. Central funds are thus visible to every region
// in their direction, whether or not it has received money from them yet.
func (d *DB) FindFunds(ctx context.Context, s fundhub.Scope, f fundhub.FundFilter,
	p fundhub.Page) ([]*fundhub.Fund, int, error) {
	var w where
	if f.Year != nil {
		w.add("f.year = %s", *f.Year)
	}
	if f.Category != nil {
		w.add("f.category = %s", string(*f.Category))
	}
	if f.Direction != nil {
		w.add("f.direction = %s", string(*f.Direction))
	}
	if f.NameLike != nil {
		w.add("strpos(f.name, %s) > 0", *f.NameLike)
	}
	fundScope(&w, s)

	return findPage[fundhub.Fund](ctx, d, fundList, &w, p)
}

// FundsByIDs returns the funds among ids that the scope sees, ordered by id,
// for dataloaders. Hidden and missing ids are left out without error.
func (d *DB) FundsByIDs(ctx context.Context, s fundhub.Scope,
	ids []int64) ([]*fundhub.Fund, error) {
	var w where
	w.add("f.id = ANY(%s)", int64s(ids))
	fundScope(&w, s)

	return findAll[fundhub.Fund](ctx, d, fundList, &w)
}

// fundScope adds the caller's scope on funds f, as FindFunds describes it.
func fundScope(w *where, s fundhub.Scope) {
	if s.All {
		return
	}
	if len(s.RegionCodes) == 0 {
		w.add("false")
		return
	}

	codes := pq.Array(s.RegionCodes)
	w.add(`(f.owner_region = %s
		OR f.owner_region IN (`+subtreeCodes+`)
		OR EXISTS (SELECT 1 FROM allocations a WHERE a.fund_id = f.id
			AND a.to_region IN (`+subtreeCodes+`)))`,
		fundhub.NationalCode, codes, codes)
	if len(s.Directions) > 0 {
		w.add("f.direction = ANY(%s)", directionArray(s.Directions))
	}
}

// directionArray wraps directions for an = ANY($n) placeholder.
func directionArray(ds []fundhub.Direction) any {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = string(d)
	}

	return pq.Array(out)
}

// listQuery describes one kind of list: a plural noun for errors, the columns
// selected, the FROM clause that the count and the page share, the ORDER BY
// of a page and the id column that loaders order by.
type listQuery struct {
	what  string
	cols  string
	from  string
	order string
	key   string
}

// findPage counts the rows of l that match w and returns page p of them.
func findPage[T any](ctx context.Context, d *DB, l listQuery, w *where,
	p fundhub.Page) ([]*T, int, error) {
	var total int
	err := d.db.GetContext(ctx, &total, `SELECT count(*) FROM `+l.from+` `+w.sql(),
		w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("counting %s: %w", l.what, err)
	}

	var out []*T
	q := `SELECT ` + l.cols + ` FROM ` + l.from + ` ` + w.sql() +
		` ORDER BY ` + l.order + w.page(p)
	if err := d.db.SelectContext(ctx, &out, q, w.args...); err != nil {
		return nil, 0, fmt.Errorf("listing %s: %w", l.what, err)
	}

	return out, total, nil
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
