package postgres

import (
	"context"
	"fmt"

	"fundhub"
)

const reportCols = `er.id, er.region_code, er.year, er.quarter, er.status,
	er.submitted_at, er.reviewed_at, er.transmitted_at, er.return_reason,
	er.source_system, er.external_id, er.last_synced_at`

// reportList is the FROM clause and order of the report list; the join to
// regions serves RegionUnder.
var reportList = listQuery{what: "reports", cols: reportCols,
	from:  `execution_reports er JOIN regions rg ON rg.code = er.region_code`,
	order: `er.year DESC, er.quarter DESC, er.region_code`, key: `er.id`}

// FindReports returns one page of the execution reports that match f, latest
// quarter first and then by region code, and the count of all that match.
// The scope hides reports of regions outside its subtrees; a report covers
// every direction of its region, so the scope's directions narrow its
// lines (LinesByReport), not the report.
func (d *DB) FindReports(ctx context.Context, s fundhub.Scope, f fundhub.ReportFilter,
	p fundhub.Page) ([]*fundhub.ExecutionReport, int, error) {
	var w where
	if f.RegionUnder != nil {
		w.under("rg.path", *f.RegionUnder)
	}
	if f.Year != nil {
		w.add("er.year = %s", *f.Year)
	}
	if f.Quarter != nil {
		w.add("er.quarter = %s", *f.Quarter)
	}
	if f.Status != nil {
		w.add("er.status = %s", string(*f.Status))
	}
	w.scope(s, "er.region_code", "")

	return findPage[fundhub.ExecutionReport](ctx, d, reportList, &w, p)
}

// LinesByReport returns the lines of each report among ids that the scope
// sees, ordered by id, for dataloaders; a report without visible lines has
// no entry. Pass only the ids of reports the caller was allowed to load:
// the scope's regions are checked on the report, its directions here, on
// the project, allocation and target of each line.
func (d *DB) LinesByReport(ctx context.Context, s fundhub.Scope,
	ids []int64) (map[int64][]*fundhub.ReportLine, error) {
	var w where
	w.add("rl.report_id = ANY(%s)", int64s(ids))
	w.linkedDirections(s, "rl.project_id", "rl.allocation_id", "rl.target_id")

	var rows []*fundhub.ReportLine
	err := d.db.SelectContext(ctx, &rows, `SELECT rl.id, rl.report_id, rl.allocation_id,
		rl.project_id, rl.source, rl.paid_amount, rl.target_id, rl.actual_value, rl.unit,
		rl.note
		FROM report_lines rl `+w.sql()+` ORDER BY rl.id`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("loading report lines: %w", err)
	}

	return groupBy(rows, func(l *fundhub.ReportLine) int64 { return l.ReportID }), nil
}
