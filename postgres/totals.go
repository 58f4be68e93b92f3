package postgres

import (
	"context"
	"fmt"
	"strings"

	"fundhub"
)

// totalsDims maps each dimension to the expression it groups by and the
// column of fundhub.AllocationTotal it fills. The REGION expression is built
// per query from the rollup level.
var totalsDims = map[fundhub.AllocationDimension]struct{ expr, col string }{
	fundhub.DimCategory:  {"f.category", "category"},
	fundhub.DimSource:    {"a.source", "source"},
	fundhub.DimDirection: {"f.direction", "direction"},
	fundhub.DimYear:      {"f.year", "year"},
	fundhub.DimFund:      {"f.id", "fund_id"},
}

// regionAtLevel is the code of a recipient's ancestor at a level: the path
// "/100000/330000/330100/330106/" holds the ancestor of depth d in its
// (d+2)th slash-separated part. A recipient above the level stands for
// itself.
func regionAtLevel(l fundhub.RegionLevel) string {
	return fmt.Sprintf("COALESCE(NULLIF(split_part(tr.path, '/', %d), ''), a.to_region)",
		l.Depth()+2)
}

// AllocationTotals sums the visible allocations matching q's filter, grouped
// by q's dimensions. Sums are exact NUMERIC sums computed in SQL over the
// caller's scope only. SeparatelyPlannedAmount is the part received inside
// a 计划单列市's subtree.
func (d *DB) AllocationTotals(ctx context.Context, s fundhub.Scope,
	q fundhub.TotalsQuery) ([]*fundhub.AllocationTotal, error) {
	w := allocationWhere(s, q.Filter)
	level := fundhub.LevelProvince
	if q.RegionLevel != nil {
		level = *q.RegionLevel
	}

	var sel, group []string
	for _, dim := range q.GroupBy {
		expr, col := "", ""
		if dim == fundhub.DimRegion {
			expr, col = regionAtLevel(level), "region_code"
		} else if spec, ok := totalsDims[dim]; ok {
			expr, col = spec.expr, spec.col
		} else {
			return nil, fundhub.Invalid("groupBy", "unknown dimension %q", dim)
		}
		sel = append(sel, expr+" AS "+col)
		group = append(group, expr)
	}

	query := totalsSQL(sel, group, w)
	var out []*fundhub.AllocationTotal
	if err := d.db.SelectContext(ctx, &out, query, w.args...); err != nil {
		return nil, fmt.Errorf("summing allocations: %w", inputError(err))
	}

	return out, nil
}

// totalsFrom joins what allocation filters and the scope read, as
// allocationFrom does, but the regions by their key alone: PostgreSQL then
// leaves out a join that no key or filter reads, and a total needs no
// document.
const totalsFrom = `allocations a
	JOIN funds f ON f.id = a.fund_id
	LEFT JOIN regions tr ON tr.code = a.to_region
	LEFT JOIN regions fr ON fr.code = a.from_region`

func totalsSQL(sel, group []string, w *where) string {
	cols := strings.Join(append(sel, `COALESCE(sum(a.amount), 0) AS amount,
		COALESCE(sum(a.amount) FILTER (WHERE tr.path LIKE ANY (ARRAY(
			SELECT sp.path || '%' FROM regions sp WHERE sp.separately_planned))), 0)
			AS separately_planned_amount,
		count(*) AS count`), ", ")
	q := `SELECT ` + cols + ` FROM ` + totalsFrom + ` ` + w.sql()
	if len(group) == 0 {
		return q
	}
	order := make([]string, len(group))
	for i := range group {
		order[i] = fmt.Sprint(i + 1)
	}

	return q + ` GROUP BY ` + strings.Join(group, ", ") +
		` ORDER BY ` + strings.Join(order, ", ")
}
