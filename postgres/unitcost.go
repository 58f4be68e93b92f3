package postgres

import (
	"context"
	"fmt"

	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"fundhub"
)

// unitCostRow is a row of the unit cost statement: a group and, when the
// group has outliers, one of them; a group without any comes once, with
// the item columns NULL.
type unitCostRow struct {
	fundhub.UnitCostGroup
	ProjectID *int64           `db:"project_id"`
	Amount    *decimal.Decimal `db:"amount"`
	Quantity  *decimal.Decimal `db:"quantity"`
	UnitCost  *decimal.Decimal `db:"unit_cost"`
}

// UnitCosts returns the unit costs of the projects of q.Direction that the
// scope sees, grouped by the project's region at q.RegionLevel (the
// province when empty), fund year, indicator and unit, ordered by those
// keys. An empty Basis is PaidPerAchieved.
//
// Each project and fund year yields one unit cost per indicator and unit
// of its live leaf targets of that year that set a value to reach: the
// amount (allocated as ProjectProgress counts it, or everything paid on
// the project's allocations of the year to date) over the quantity
// (the targets' values, or the latest values reported against them),
// rounded to fen, when both are positive. Quartiles interpolate as
// percentile_cont does, in numeric; the outliers lie beyond Tukey's fences
// drawn from the quartiles before rounding. Every figure is computed in
// SQL over visible projects only.
func (d *DB) UnitCosts(ctx context.Context, s fundhub.Scope,
	q fundhub.UnitCostQuery) ([]*fundhub.UnitCostGroup, error) {
	if q.Basis == "" {
		q.Basis = fundhub.PaidPerAchieved
	}
	if q.RegionLevel == "" {
		q.RegionLevel = fundhub.LevelProvince
	}

	query, args := unitCostSQL(s, q)
	var rows []*unitCostRow
	if err := d.db.SelectContext(ctx, &rows, query, args...); err != nil {
		return nil, fmt.Errorf("reading unit costs of %s by %s: %w", q.Direction, q.Basis,
			inputError(err))
	}

	return unitCostGroups(rows), nil
}

// unitCostGroups folds the rows, ordered by group, into groups with their
// outliers.
func unitCostGroups(rows []*unitCostRow) []*fundhub.UnitCostGroup {
	out := []*fundhub.UnitCostGroup{}
	var g *fundhub.UnitCostGroup
	for _, r := range rows {
		if g == nil || !sameUnitCostGroup(g, &r.UnitCostGroup) {
			next := r.UnitCostGroup
			next.Outliers = []*fundhub.UnitCostItem{}
			g = &next
			out = append(out, g)
		}
		if r.ProjectID != nil {
			g.Outliers = append(g.Outliers, &fundhub.UnitCostItem{ProjectID: *r.ProjectID,
				Year: g.Year, Amount: *r.Amount, Quantity: *r.Quantity, UnitCost: *r.UnitCost,
				Outlier: true})
		}
	}

	return out
}

func sameUnitCostGroup(a, b *fundhub.UnitCostGroup) bool {
	return deref(a.Region) == deref(b.Region) && a.Year == b.Year &&
		a.Indicator == b.Indicator && a.Unit == b.Unit
}

// unitCostSQL writes the statement of UnitCosts: the money of each
// project and year, the quantities of its targets, the unit costs, their
// quartiles per group, and each group joined to its outliers.
func unitCostSQL(s fundhub.Scope, q fundhub.UnitCostQuery) (string, []any) {
	w := &where{}
	w.add("p.direction = %s", string(q.Direction))
	w.scope(s, "p.region_code", "p.direction")
	if q.Region != nil {
		w.under("pr.path", *q.Region)
	}
	if len(q.Years) > 0 {
		w.add("f.year = ANY(%s)", pq.Array(q.Years))
	}
	money := projectMoney(w, "")
	w.preds = nil
	quantities := unitQuantities(w, q)

	return fmt.Sprintf(`WITH money AS (%s),
quantities AS (%s),
items AS (%s),
ranked AS (SELECT *, row_number() OVER (g ORDER BY unit_cost, project_id) AS rn,
	count(*) OVER g AS n
	FROM items WINDOW g AS (PARTITION BY region_code, year, indicator, unit)),
groups AS (SELECT region_code, year, indicator, unit, n,
	min(unit_cost) AS min, max(unit_cost) AS max,
	%s AS q1, %s AS median, %s AS q3
	FROM ranked GROUP BY region_code, year, indicator, unit, n)
SELECT g.region_code, g.year, g.indicator, g.unit, g.n::integer AS count, g.min,
	round(g.q1, 2) AS q1, round(g.median, 2) AS median, round(g.q3, 2) AS q3, g.max,
	o.project_id, o.amount, o.quantity, o.unit_cost
FROM groups g LEFT JOIN items o ON o.region_code = g.region_code AND o.year = g.year
	AND o.indicator = g.indicator AND o.unit = g.unit
	AND (o.unit_cost < g.q1 - 1.5 * (g.q3 - g.q1) OR o.unit_cost > g.q3 + 1.5 * (g.q3 - g.q1))
ORDER BY g.region_code, g.year, g.indicator, g.unit, o.unit_cost, o.project_id`,
		money, quantities, unitCostItems(q), quartile("0.25"), quartile("0.5"),
		quartile("0.75")), w.args
}

// unitCostItems selects each project's unit costs from the money and the
// quantities, as the basis says, where both are positive, with the region
// the project is grouped in.
func unitCostItems(q fundhub.UnitCostQuery) string {
	amount, quantity := "m.paid", "t.achieved"
	if q.Basis == fundhub.AllocatedPerPlanned {
		amount, quantity = "m.allocated", "t.planned"
	}

	return fmt.Sprintf(`SELECT m.project_id, m.year, t.indicator, t.unit,
	%[1]s AS region_code, %[2]s AS amount, %[3]s AS quantity,
	round(%[2]s / %[3]s, 2) AS unit_cost
	FROM money m JOIN quantities t ON t.project_id = m.project_id AND t.year = m.year
	JOIN projects p ON p.id = m.project_id JOIN regions pr ON pr.code = p.region_code
	WHERE %[2]s > 0 AND %[3]s > 0`, ancestorAt(q.RegionLevel, "pr"), amount, quantity)
}

// unitQuantities selects, per project, target year, indicator and unit,
// the quantities the project's live leaf targets plan (a value to reach:
// no comparator, or ≥, >, = or ≈) and the latest values reported against
// them. A target nothing was reported for adds nothing achieved.
func unitQuantities(w *where, q fundhub.UnitCostQuery) string {
	w.add("NOT t.withdrawn AND t.target_value IS NOT NULL")
	w.add("(t.comparator IS NULL OR t.comparator IN ('>=', '>', '=', '~'))")
	w.add(`NOT EXISTS (SELECT 1 FROM performance_targets c
		WHERE c.parent_id = t.id AND NOT c.withdrawn)`)
	// Only narrows the targets read; the join to the money decides.
	w.add(`EXISTS (SELECT 1 FROM projects tp
		WHERE tp.id = t.project_id AND tp.direction = %s)`, string(q.Direction))
	if len(q.Years) > 0 {
		w.add("t.year = ANY(%s)", pq.Array(q.Years))
	}
	opt(w, "t.indicator = %s", q.Indicator)
	opt(w, "t.unit = %s", q.Unit)

	return `SELECT t.project_id, t.year, t.indicator, COALESCE(t.unit, '') AS unit,
	sum(t.target_value) AS planned, sum(act.value) AS achieved
FROM performance_targets t
	LEFT JOIN LATERAL (SELECT rl.actual_value AS value FROM report_lines rl
		JOIN execution_reports er ON er.id = rl.report_id
		WHERE rl.target_id = t.id AND rl.actual_value IS NOT NULL AND NOT rl.withdrawn
		ORDER BY er.year DESC, er.quarter DESC, rl.id DESC LIMIT 1) act ON true
` + w.sql() + `
GROUP BY 1, 2, 3, 4`
}

// quartile is percentile_cont(f) over the unit costs of a group of ranked,
// worked out in numeric: PostgreSQL's own percentile_cont takes double
// precision, which would turn fen into binary fractions. As it does, it
// interpolates between the values ranked floor and ceil of (n-1)·f,
// counting from 0.
func quartile(f string) string {
	h := "((n - 1) * " + f + ")"
	at := func(round string) string {
		return "min(unit_cost) FILTER (WHERE rn = " + round + h + " + 1)"
	}
	lo, hi := at("floor"), at("ceil")

	return fmt.Sprintf("(%s + (%s - floor%s) * (%s - %s))", lo, h, h, hi, lo)
}

// ancestorAt is the code of the region at level above the region aliased
// r; a region above that level stands for itself, and the nation is its
// own ancestor at every level.
func ancestorAt(level fundhub.RegionLevel, r string) string {
	return fmt.Sprintf("COALESCE(NULLIF(split_part(%s.path, '/', %d), ''), %s.code)",
		r, level.Depth()+2, r)
}
