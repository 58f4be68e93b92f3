package postgres

import (
	"context"

	"fundhub"
)

const targetCols = `t.id, t.allocation_id, t.project_id, t.region_code, t.fund_id,
	t.year, t.parent_id, t.level1, t.level2, t.indicator, t.unit, t.comparator,
	t.target_value, t.target_text, t.source_system, t.external_id,
	t.last_synced_at`

// targetList is the FROM clause and order shared by the target lists: the
// join to regions serves RegionUnder, the one to funds the scope's directions.
var targetList = listQuery{what: "targets", cols: targetCols,
	from: `performance_targets t JOIN regions rg ON rg.code = t.region_code
		LEFT JOIN funds f ON f.id = t.fund_id`,
	order: `t.year DESC, t.region_code, t.id`, key: `t.id`}

// FindTargets returns one page of the targets that match f, ordered by year
// descending, then region code and id, and the count of all that match.
// The scope hides targets outside its region subtrees and, when it names
// directions, those whose fund is of another direction or that have no fund.
func (d *DB) FindTargets(ctx context.Context, s fundhub.Scope, f fundhub.TargetFilter,
	p fundhub.Page) ([]*fundhub.PerformanceTarget, int, error) {
	var w where
	if f.RegionUnder != nil {
		w.under("rg.path", *f.RegionUnder)
	}
	if f.Year != nil {
		w.add("t.year = %s", *f.Year)
	}
	if f.AllocationID != nil {
		w.add("t.allocation_id = %s", *f.AllocationID)
	}
	if f.ProjectID != nil {
		w.add("t.project_id = %s", *f.ProjectID)
	}
	if f.FundID != nil {
		w.add("t.fund_id = %s", *f.FundID)
	}
	w.scope(s, "t.region_code", "f.direction")

	return findPage[fundhub.PerformanceTarget](ctx, d, targetList, &w, p)
}

// TargetsByIDs returns the targets among ids that the scope sees, as
// FindTargets applies it, ordered by id, for dataloaders. Hidden and missing
// ids are left out without error.
func (d *DB) TargetsByIDs(ctx context.Context, s fundhub.Scope,
	ids []int64) ([]*fundhub.PerformanceTarget, error) {
	var w where
	w.add("t.id = ANY(%s)", int64s(ids))
	w.scope(s, "t.region_code", "f.direction")

	return findAll[fundhub.PerformanceTarget](ctx, d, targetList, &w)
}

// TargetsByAllocation returns the visible targets that travel with each
// allocation among ids, by id, for dataloaders.
func (d *DB) TargetsByAllocation(ctx context.Context, s fundhub.Scope,
	ids []int64) (map[int64][]*fundhub.PerformanceTarget, error) {
	var w where
	w.add("t.allocation_id = ANY(%s)", int64s(ids))
	w.scope(s, "t.region_code", "f.direction")

	rows, err := findAll[fundhub.PerformanceTarget](ctx, d, targetList, &w)
	if err != nil {
		return nil, err
	}

	return groupBy(rows, func(t *fundhub.PerformanceTarget) int64 {
		return *t.AllocationID
	}), nil
}
