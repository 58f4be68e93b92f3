package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"fundhub"
)

// progressRow is a row of the project progress statement: a project's
// money, its grading in SQL (which ordered and filtered the rows; the
// tests compare it with fundhub.Progress, which grades what is returned)
// and the number of projects in all.
type progressRow struct {
	fundhub.ProjectProgress
	ByMonths      bool                 `db:"by_months"`
	ExecutionRate *decimal.Decimal     `db:"execution_rate"`
	Elapsed       decimal.Decimal      `db:"elapsed"`
	Gap           *decimal.Decimal     `db:"gap"`
	Warning       fundhub.WarningLevel `db:"warning"`
	TotalCount    int                  `db:"total_count"`
}

// ProjectProgress returns one page of the time progress of the projects
// the scope sees (their region in its subtrees, their direction among its
// directions) that money of fund year q.Year was allocated for, largest
// gap first, then by project id, and the number of such projects.
//
// Allocated counts each yuan issued by q.AsOf once, on the last live
// allocation that had carried it to the project by then; Paid sums the live payments made on any of
// the project's allocations of the year by q.AsOf, refunds included. The
// warning filter and the order are applied in SQL, with the grading of
// fundhub.Progress, so pages and the count agree with the grades shown.
func (d *DB) ProjectProgress(ctx context.Context, s fundhub.Scope,
	q fundhub.ProjectProgressQuery) ([]*fundhub.ProjectProgress, int, error) {
	rows, err := d.progressRows(ctx, s, q)
	if err != nil {
		return nil, 0, err
	}

	out := make([]*fundhub.ProjectProgress, len(rows))
	total := 0
	for i, r := range rows {
		p := r.ProjectProgress
		p.Progress = fundhub.Progress(q.Year, q.AsOf, r.ByMonths, r.ExecutionRate,
			q.Thresholds)
		out[i], total = &p, r.TotalCount
	}
	if len(rows) == 0 && q.Page.Offset > 0 {
		// A page past the last row carries no count: read the first.
		q.Page = fundhub.Page{First: 1}
		first, err := d.progressRows(ctx, s, q)
		if err != nil {
			return nil, 0, err
		}
		if len(first) > 0 {
			total = first[0].TotalCount
		}
	}

	return out, total, nil
}

func (d *DB) progressRows(ctx context.Context, s fundhub.Scope,
	q fundhub.ProjectProgressQuery) ([]*progressRow, error) {
	query, args := ProjectProgressSQL(s, q)
	var rows []*progressRow
	if err := d.db.SelectContext(ctx, &rows, query, args...); err != nil {
		return nil, fmt.Errorf("reading project progress of %d as of %s: %w", q.Year,
			q.AsOf.Format(time.DateOnly), inputError(err))
	}

	return rows, nil
}

// ProjectProgressSQL returns the statement and arguments ProjectProgress
// runs for q over the scope s, so that a benchmark or a test can run the
// very same SQL. Its rows carry, besides the figures, the execution rate,
// the elapsed share, the gap and the warning as graded in SQL, and the
// count of every row that matches.
//
// The elapsed share depends only on the day and on how a project's funds
// count time, so both shares are worked out here by fundhub.ElapsedShare
// and passed in; the gap and the warning are derived in SQL with the
// rounding and thresholds of fundhub.Progress.
func ProjectProgressSQL(s fundhub.Scope, q fundhub.ProjectProgressQuery) (string, []any) {
	w := &where{}
	days := w.arg(fundhub.ElapsedShare(q.Year, q.AsOf, false).Round(2))
	months := w.arg(fundhub.ElapsedShare(q.Year, q.AsOf, true).Round(2))
	yellow, red := w.arg(q.Thresholds.Yellow), w.arg(q.Thresholds.Red)
	paidBy := w.arg(q.AsOf.Format(time.DateOnly)) + "::date"

	w.add("f.year = %s", q.Year)
	w.scope(s, "p.region_code", "p.direction")
	if q.Region != nil {
		w.under("pr.path", *q.Region)
	}
	if len(q.Directions) > 0 {
		w.add("p.direction = ANY(%s)", directionArray(q.Directions))
	}
	money := projectMoney(w, paidBy)
	warned := ""
	if len(q.Warnings) > 0 {
		warned = "WHERE warning = ANY(" + w.arg(stringArray(q.Warnings)) + "::text[])"
	}

	return fmt.Sprintf(`WITH money AS (%s),
rated AS (SELECT *, round(paid * 100 / NULLIF(allocated, 0), 2) AS execution_rate,
	CASE WHEN by_months THEN %s::numeric ELSE %s::numeric END AS elapsed
	FROM money),
graded AS (SELECT *, round(elapsed - execution_rate, 2) AS gap FROM rated),
warned AS (SELECT *, CASE WHEN gap >= %s::numeric THEN 'RED'
	WHEN gap >= %s::numeric THEN 'YELLOW' ELSE 'NONE' END AS warning
	FROM graded)
SELECT project_id, year, allocated, paid, by_months, execution_rate, elapsed, gap, warning,
	count(*) OVER ()::integer AS total_count
FROM warned %s
ORDER BY gap DESC NULLS LAST, project_id%s`,
		money, months, days, red, yellow, warned, w.page(q.Page)), w.args
}

// projectMoney selects, per project and fund year, the money allocated for
// the project and what was paid from it, for the allocations that match
// the predicates of w over a (allocations), f (funds), p (projects) and pr
// (the project's region). A yuan passed down several steps for the same
// project counts once, on the last live step: an allocation counts only
// when no live child carries it on to the same project. Paid sums the live
// payments on any of the project's allocations, by the date expression
// paidBy, or every one when it is empty; with paidBy, money issued after
// that day (issued, else received, else the fund year's first day) does
// not count yet, nor does a step after it. by_months is true when every
// fund of the project's money counts time progress by whole months.
func projectMoney(w *where, paidBy string) string {
	by, issued := "", ""
	if paidBy != "" {
		by = " AND y.paid_on <= " + paidBy
		issued = " AND COALESCE(c.issued_on, c.received_on, make_date(cf.year, 1, 1)) <= " +
			paidBy
		w.add("COALESCE(a.issued_on, a.received_on, make_date(f.year, 1, 1)) <= " + paidBy)
	}
	w.add("NOT a.withdrawn")

	return `SELECT a.project_id, f.year,
	COALESCE(sum(a.amount) FILTER (WHERE m.counted), 0) AS allocated,
	COALESCE(sum(m.paid), 0) AS paid, bool_and(f.progress_by = 'MONTHS') AS by_months
FROM allocations a JOIN funds f ON f.id = a.fund_id
	JOIN projects p ON p.id = a.project_id JOIN regions pr ON pr.code = p.region_code
	CROSS JOIN LATERAL (SELECT
		NOT EXISTS (SELECT 1 FROM allocations c JOIN funds cf ON cf.id = c.fund_id
			WHERE c.parent_id = a.id AND c.project_id = a.project_id
			AND NOT c.withdrawn` + issued + `) AS counted,
		(SELECT sum(y.amount) FROM payments y
			WHERE y.allocation_id = a.id AND NOT y.withdrawn` + by + `) AS paid) m
` + w.sql() + `
GROUP BY a.project_id, f.year`
}
