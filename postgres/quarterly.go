package postgres

import (
	"context"
	"fmt"
	"sort"
	"time"

	"fundhub"
)

// QuarterlyReportData reads what a region's quarterly progress report
// states, within the scope: the figures of the analytical query (so that
// the report and the analysis agree to the fen), the lagging projects and
// regions below, and the open problems. A region outside the scope answers
// ENOTFOUND, as one that does not exist. The figures, projects and
// problems are read by separate statements, not in one snapshot: a sync
// committing meanwhile may show in some and not others.
func (d *DB) QuarterlyReportData(ctx context.Context, s fundhub.Scope,
	q fundhub.QuarterlyQuery) (*fundhub.QuarterlyReport, error) {
	region, err := d.ReportRegion(ctx, s, q.Region)
	if err != nil {
		return nil, err
	}

	rep := &fundhub.QuarterlyReport{Region: region, Quarter: q.Quarter, Day: q.Day()}
	if err := d.quarterlyTotals(ctx, s, q, rep); err != nil {
		return nil, err
	}
	if rep.ByDirection, err = d.linesByDirection(ctx, s, q); err != nil {
		return nil, err
	}
	if rep.ByRegion, err = d.linesByRegion(ctx, s, q, region); err != nil {
		return nil, err
	}
	if err := d.laggingProjects(ctx, s, q, rep); err != nil {
		return nil, err
	}
	for _, l := range rep.ByRegion {
		if !l.Own && l.Lagging() {
			rep.Lagging = append(rep.Lagging, &fundhub.LaggingItem{
				Kind: fundhub.LaggingRegion, Code: l.Code, Name: l.Name, RegionName: l.Name,
				Allocated: l.Allocated, Paid: l.Paid, Progress: l.Progress})
		}
	}
	sortLagging(rep.Lagging)
	if rep.Problems, err = d.quarterlyProblems(ctx, s, q); err != nil {
		return nil, err
	}

	return rep, nil
}

// ReportRegion returns the region when it lies in the scope, ENOTFOUND
// otherwise: regions are public, but a report on one is not.
func (d *DB) ReportRegion(ctx context.Context, s fundhub.Scope,
	code string) (*fundhub.Region, error) {
	w := &where{}
	w.add("r.code = %s", code)
	w.scope(s, "r.code", "")

	var r fundhub.Region
	err := d.db.GetContext(ctx, &r, `SELECT `+regionCols+` FROM regions r `+w.sql(),
		w.args...)
	if err != nil {
		return nil, notFound(err, "region", code)
	}

	return &r, nil
}

// quarterlyAnalysis runs the analytical query over the report's money (the
// region's subtree, the quarter's fund year) as at asOf, grouped by dims.
func (d *DB) quarterlyAnalysis(ctx context.Context, s fundhub.Scope, q fundhub.QuarterlyQuery,
	asOf fundhub.Quarter, level fundhub.RegionLevel,
	dims ...fundhub.AnalysisDimension) ([]*fundhub.AnalysisRow, error) {
	region := q.Region
	aq := fundhub.AnalysisQuery{GroupBy: dims, RegionLevel: level, AsOf: asOf, All: true,
		Filter: fundhub.AnalysisFilter{Region: &region, Years: []int{q.Quarter.Year}}}
	if err := aq.Validate(q.Day()); err != nil {
		return nil, err
	}

	res, err := d.Analyze(ctx, s, aq)
	if err != nil {
		return nil, fmt.Errorf("reporting on %s for %s: %w", q.Region, q.Quarter, err)
	}

	return res.Rows, nil
}

// quarterlyTotals fills the region's figures as at the quarter's end and
// the end of the quarter before.
func (d *DB) quarterlyTotals(ctx context.Context, s fundhub.Scope, q fundhub.QuarterlyQuery,
	rep *fundhub.QuarterlyReport) error {
	for _, at := range []struct {
		line *fundhub.QuarterlyLine
		asOf fundhub.Quarter
		day  time.Time
	}{
		{&rep.Current, q.Quarter, q.Day()},
		{&rep.Previous, q.Quarter.Prev(), q.PreviousDay()},
	} {
		rows, err := d.quarterlyAnalysis(ctx, s, q, at.asOf, "")
		if err != nil {
			return err
		}
		// With no grouping there is one row, zero figures when nothing moved.
		row := &fundhub.AnalysisRow{}
		if len(rows) > 0 {
			row = rows[0]
		}
		*at.line = *quarterlyLine(q, at.day, row, q.Region, rep.Region.Name)
	}

	return nil
}

func quarterlyLine(q fundhub.QuarterlyQuery, day time.Time, row *fundhub.AnalysisRow, code,
	name string) *fundhub.QuarterlyLine {
	return &fundhub.QuarterlyLine{Code: code, Name: name, Figures: row.Figures,
		Progress: q.Progress(day, row.ByMonths, row.ExecutionRate)}
}

// linesByDirection breaks the region's figures down by fund direction.
func (d *DB) linesByDirection(ctx context.Context, s fundhub.Scope,
	q fundhub.QuarterlyQuery) ([]*fundhub.QuarterlyLine, error) {
	rows, err := d.quarterlyAnalysis(ctx, s, q, q.Quarter, "", fundhub.AnalyzeDirection)
	if err != nil {
		return nil, err
	}
	var names []struct {
		Code string `db:"code"`
		Name string `db:"name_zh"`
	}
	if err := d.db.SelectContext(ctx, &names,
		`SELECT code, name_zh FROM directions`); err != nil {
		return nil, fmt.Errorf("loading direction names: %w", err)
	}
	nameOf := map[string]string{}
	for _, n := range names {
		nameOf[n.Code] = n.Name
	}

	var out []*fundhub.QuarterlyLine
	for _, row := range rows {
		if row.Direction == nil {
			continue
		}
		code := string(*row.Direction)
		out = append(out, quarterlyLine(q, q.Day(), row, code, nameOf[code]))
	}

	return out, nil
}

// linesByRegion breaks the region's figures down by the regions directly
// below it; money held at the region itself stands on a line of its own.
// A county has nothing below it.
func (d *DB) linesByRegion(ctx context.Context, s fundhub.Scope, q fundhub.QuarterlyQuery,
	region *fundhub.Region) ([]*fundhub.QuarterlyLine, error) {
	below, ok := levelBelow(region.Level)
	if !ok {
		return nil, nil
	}
	rows, err := d.quarterlyAnalysis(ctx, s, q, q.Quarter, below, fundhub.AnalyzeRegion)
	if err != nil {
		return nil, err
	}
	var codes []string
	for _, row := range rows {
		if row.Region != nil {
			codes = append(codes, *row.Region)
		}
	}
	regions, err := d.RegionsByCodes(ctx, s, codes)
	if err != nil {
		return nil, err
	}
	nameOf := map[string]string{}
	for _, r := range regions {
		nameOf[r.Code] = r.Name
	}

	var out []*fundhub.QuarterlyLine
	for _, row := range rows {
		if row.Region == nil {
			continue
		}
		l := quarterlyLine(q, q.Day(), row, *row.Region, nameOf[*row.Region])
		l.Own = *row.Region == region.Code
		out = append(out, l)
	}

	return out, nil
}

// levelBelow is the level of the regions directly below one of level l.
func levelBelow(l fundhub.RegionLevel) (fundhub.RegionLevel, bool) {
	switch l {
	case fundhub.LevelNational:
		return fundhub.LevelProvince, true
	case fundhub.LevelProvince:
		return fundhub.LevelCity, true
	case fundhub.LevelCity:
		return fundhub.LevelCounty, true
	}

	return "", false
}

// laggingProjects reads every project's execution once, counting them and
// keeping only the lagging ones: the rest of a province's thousands of
// projects pass by without being held.
func (d *DB) laggingProjects(ctx context.Context, s fundhub.Scope, q fundhub.QuarterlyQuery,
	rep *fundhub.QuarterlyReport) error {
	return d.EachProjectExecution(ctx, s, q, func(p *fundhub.ProjectExecution) error {
		rep.Projects++
		if !p.Progress.Warning.Lagging() {
			return nil
		}
		code := ""
		if p.Code != nil {
			code = *p.Code
		}
		rep.Lagging = append(rep.Lagging, &fundhub.LaggingItem{Kind: fundhub.LaggingProject,
			Code: code, Name: p.Name, RegionName: p.RegionName, Allocated: p.Allocated,
			Paid: p.Paid, Progress: p.Progress, New: !p.PreviousWarning.Lagging()})
		return nil
	})
}

// sortLagging puts red before yellow, then the largest gap first.
func sortLagging(items []*fundhub.LaggingItem) {
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i].Progress, items[j].Progress
		if a.Warning != b.Warning {
			return a.Warning == fundhub.WarningRed
		}
		if a.Gap != nil && b.Gap != nil {
			return a.Gap.GreaterThan(*b.Gap)
		}

		return false
	})
}

// EachProjectExecution calls fn with each visible project of the region's
// subtree that money of the quarter's fund year was allocated for by the
// quarter's end, in region and code order, graded against time progress
// now and a quarter before. The figures are ProjectProgress's, cut at the
// quarter's end: Allocated counts each yuan once, on the last live step
// issued by then that carries it to the project; Paid sums the live
// payments made by then on any of the project's allocations. Rows are read
// as they come from the server, never all at once. An error of fn stops
// the read and is returned as it is.
func (d *DB) EachProjectExecution(ctx context.Context, s fundhub.Scope,
	q fundhub.QuarterlyQuery, fn func(*fundhub.ProjectExecution) error) error {
	query, args := projectExecutionSQL(s, q)

	return eachRow(ctx, d, "project execution", query, args,
		func(p *fundhub.ProjectExecution) error {
			p.Year = q.Quarter.Year
			p.Progress = q.Progress(q.Day(), p.ByMonths, p.ExecutionRate)
			p.PreviousWarning = q.Progress(q.PreviousDay(), p.ByMonths, p.PreviousRate).Warning
			return fn(p)
		})
}

// issuedOn is the day an allocation counts from, as the analysis counts it.
const issuedOn = "COALESCE(a.issued_on, a.received_on, make_date(f.year, 1, 1))"

// projectExecutionSQL selects each project's money at two cut-offs, the
// quarter's end and the end of the quarter before: an allocation issued by
// a cut-off counts unless a live child issued by then carries it on to the
// same project, and its payments count by their day. The money is summed
// per project first, once, and the projects are then looked up by key, so
// the cost grows with the allocations, never with their square.
func projectExecutionSQL(s fundhub.Scope, q fundhub.QuarterlyQuery) (string, []any) {
	w := &where{}
	year := w.arg(q.Quarter.Year)
	cut := w.arg(q.Quarter.End().Format(time.DateOnly)) + "::date"
	prev := w.arg(q.Quarter.Prev().End().Format(time.DateOnly)) + "::date"

	w.add("NOT a.withdrawn")
	w.add("f.year = %s::integer", q.Quarter.Year)
	w.add(issuedOn + " <= " + cut)
	w.under("rg.path", q.Region)
	w.scope(s, "pr.region_code", "pr.direction")
	w.scope(s, "a.to_region", "f.direction")

	return fmt.Sprintf(`WITH money AS MATERIALIZED (
	SELECT a.project_id,
		sum(a.amount) FILTER (WHERE NOT COALESCE(c.passed, false)) AS allocated,
		COALESCE(sum(a.amount) FILTER (WHERE %[5]s <= %[3]s
			AND NOT COALESCE(c.passed_before, false)), 0) AS previous_allocated,
		COALESCE(sum(y.paid), 0) AS paid, COALESCE(sum(y.previous_paid), 0) AS previous_paid,
		bool_and(f.progress_by = 'MONTHS') AS by_months
	FROM allocations a JOIN funds f ON f.id = a.fund_id
		JOIN projects pr ON pr.id = a.project_id JOIN regions rg ON rg.code = pr.region_code
		LEFT JOIN LATERAL (SELECT bool_or(%[6]s <= %[2]s) AS passed,
			bool_or(%[6]s <= %[3]s) AS passed_before
			FROM allocations ch WHERE ch.parent_id = a.id
				AND ch.project_id = a.project_id AND NOT ch.withdrawn) c ON true
		LEFT JOIN LATERAL (SELECT sum(pay.amount) AS paid,
			sum(pay.amount) FILTER (WHERE pay.paid_on <= %[3]s) AS previous_paid
			FROM payments pay WHERE pay.allocation_id = a.id AND NOT pay.withdrawn
				AND pay.paid_on <= %[2]s) y ON true
	%[4]s
	GROUP BY a.project_id)
SELECT pr.id AS project_id, %[1]s::integer AS year, pr.code, pr.name, pr.region_code,
	rg.name AS region_name, pr.direction, dr.name_zh AS direction_name, pr.reserve_status,
	m.allocated, m.paid, m.by_months,
	round(m.paid * 100 / NULLIF(m.allocated, 0), 2) AS execution_rate,
	round(m.previous_paid * 100 / NULLIF(m.previous_allocated, 0), 2) AS previous_rate
FROM money m JOIN projects pr ON pr.id = m.project_id
	JOIN regions rg ON rg.code = pr.region_code JOIN directions dr ON dr.code = pr.direction
ORDER BY rg.path, pr.code NULLS LAST, pr.id`,
		year, cut, prev, w.sql(), issuedOn, childIssuedOn), w.args
}

// childIssuedOn is issuedOn of a child allocation, aliased ch, of the same
// fund.
const childIssuedOn = "COALESCE(ch.issued_on, ch.received_on, make_date(f.year, 1, 1))"

// EachQuarterlyAllocation calls fn with each visible allocation into the
// region's subtree of the quarter's fund year issued by the quarter's end
// (counted from the same day as the analysis counts it), by recipient in
// tree order, then by issue date. Rows are read as they come from the
// server; an error of fn stops the read and is returned as it is.
func (d *DB) EachQuarterlyAllocation(ctx context.Context, s fundhub.Scope,
	q fundhub.QuarterlyQuery, fn func(*fundhub.QuarterlyAllocation) error) error {
	year := q.Quarter.Year
	w := allocationWhere(s, fundhub.AllocationFilter{RegionUnder: &q.Region, Year: &year})
	w.add(issuedOn+" <= %s::date", q.Quarter.End().Format(time.DateOnly))
	query := `SELECT ` + allocationCols + `, f.name AS fund_name, f.category AS fund_category,
		dr.name_zh AS direction_name, fr.name AS from_name, tr.name AS to_name,
		pr.name AS project_name
	FROM ` + allocationFrom + ` JOIN directions dr ON dr.code = f.direction
		LEFT JOIN projects pr ON pr.id = a.project_id ` + w.sql() + `
	ORDER BY tr.path, a.issued_on NULLS LAST, a.id`

	return eachRow(ctx, d, "allocations of the quarter", query, w.args, fn)
}

// quarterlyProblems returns the open problems of the region's subtree the
// scope sees (a problem about a project or an allocation takes its
// direction), the most severe first, then the newest.
func (d *DB) quarterlyProblems(ctx context.Context, s fundhub.Scope,
	q fundhub.QuarterlyQuery) ([]*fundhub.QuarterlyProblem, error) {
	w := &where{}
	w.add("pb.status IN ('OPEN', 'ACKNOWLEDGED')")
	w.under("rg.path", q.Region)
	w.scope(s, "pb.region_code", "")
	w.linkedDirections(s, "pb.project_id", "pb.allocation_id", "")

	var out []*fundhub.QuarterlyProblem
	err := d.db.SelectContext(ctx, &out, `SELECT `+problemCols+`,
		rg.name AS region_name, pr.name AS project_name
	FROM problems pb JOIN regions rg ON rg.code = pb.region_code
		LEFT JOIN projects pr ON pr.id = pb.project_id `+w.sql()+`
	ORDER BY CASE pb.severity WHEN 'CRITICAL' THEN 0 WHEN 'MAJOR' THEN 1
		WHEN 'MINOR' THEN 2 ELSE 3 END, pb.raised_at DESC, pb.id DESC`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("loading open problems of %s: %w", q.Region, inputError(err))
	}

	return out, nil
}

// eachRow runs query and calls fn with each row as it arrives.
func eachRow[T any](ctx context.Context, d *DB, what, query string, args []any,
	fn func(*T) error) error {
	rows, err := d.db.QueryxContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("reading %s: %w", what, inputError(err))
	}
	defer rows.Close()

	for rows.Next() {
		var v T
		if err := rows.StructScan(&v); err != nil {
			return fmt.Errorf("reading %s: %w", what, err)
		}
		if err := fn(&v); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading %s: %w", what, err)
	}

	return nil
}
