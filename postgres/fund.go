package postgres

import (
	"context"

	"github.com/lib/pq"

	"fundhub"
)

const fundCols = `f.id, f.code, f.name, f.year, f.category, f.direction, f.local_level,
	f.owner_region, f.source_system, f.external_id, f.last_synced_at`

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
	opt(&w, "f.year = %s", f.Year)
	opt(&w, "f.category = %s", f.Category)
	opt(&w, "f.direction = %s", f.Direction)
	opt(&w, "strpos(f.name, %s) > 0", f.NameLike)
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
			AND NOT a.withdrawn AND a.to_region IN (`+subtreeCodes+`)))`,
		fundhub.NationalCode, codes, codes)
	if len(s.Directions) > 0 {
		w.add("f.direction = ANY(%s)", directionArray(s.Directions))
	}
}
