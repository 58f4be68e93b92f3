package postgres

import (
	"context"
	"fmt"

	"fundhub"
)

const problemCols = `pb.id, pb.kind, pb.severity, pb.status, pb.region_code,
	pb.project_id, pb.allocation_id, pb.rule, pb.title, pb.detail, pb.raised_by,
	pb.raised_at, pb.resolved_at, pb.resolution_note, pb.escalated`

// problemList is the FROM clause and order of the problem list; the join to
// regions serves RegionUnder.
var problemList = listQuery{what: "problems", cols: problemCols,
	from:  `problems pb JOIN regions rg ON rg.code = pb.region_code`,
	order: `pb.raised_at DESC, pb.id DESC`, key: `pb.id`}

// FindProblems returns one page of the problems that match f, newest first
// (by raised_at, then id), and the count of all that match. The scope hides
// problems of regions outside its subtrees and, when it names directions,
// problems about a project or an allocation of another direction.
func (d *DB) FindProblems(ctx context.Context, s fundhub.Scope, f fundhub.ProblemFilter,
	p fundhub.Page) ([]*fundhub.Problem, int, error) {
	var w where
	if f.RegionUnder != nil {
		w.under("rg.path", *f.RegionUnder)
	}
	if f.Kind != nil {
		w.add("pb.kind = %s", *f.Kind)
	}
	if f.Status != nil {
		w.add("pb.status = %s", *f.Status)
	}
	if f.Rule != nil {
		w.add("pb.rule = %s", *f.Rule)
	}
	opt(&w, "pb.escalated = %s", f.Escalated)
	opt(&w, "pb.severity = %s", f.Severity)
	opt(&w, "pb.raised_at <= now() - make_interval(days => %s)", f.MinAgeDays)
	if f.Open != nil {
		w.add("(pb.status IN ('OPEN', 'ACKNOWLEDGED')) = %s", *f.Open)
	}
	w.scope(s, "pb.region_code", "")
	w.linkedDirections(s, "pb.project_id", "pb.allocation_id", "")

	return findPage[fundhub.Problem](ctx, d, problemList, &w, p)
}

// ProblemSummaries counts the open problems the scope sees per region at
// level (PROVINCE when empty) within the subtree of under (the nation when
// empty), each problem counted in its ancestor at that level.
func (d *DB) ProblemSummaries(ctx context.Context, s fundhub.Scope, under string,
	level fundhub.RegionLevel) ([]*fundhub.ProblemSummary, error) {
	if level == "" {
		level = fundhub.LevelProvince
	}
	if under == "" {
		under = fundhub.NationalCode
	}

	var w where
	w.add("pb.status IN ('OPEN', 'ACKNOWLEDGED')")
	w.scope(s, "pb.region_code", "")
	w.linkedDirections(s, "pb.project_id", "pb.allocation_id", "")
	w.under("rg.path", under)
	w.add("anc.level = %s", string(level))

	var out []*fundhub.ProblemSummary
	err := d.db.SelectContext(ctx, &out, `SELECT anc.code AS region_code,
		count(*) AS open,
		count(*) FILTER (WHERE pb.kind = 'LATE') AS late,
		count(*) FILTER (WHERE pb.kind IN ('SLOW_PAYMENT', 'SLOW_PROGRESS')) AS lagging,
		count(*) FILTER (WHERE pb.kind = 'DATA_INCONSISTENCY') AS inconsistent,
		count(*) FILTER (WHERE pb.severity IN ('MAJOR', 'CRITICAL')) AS major
		FROM problems pb JOIN regions rg ON rg.code = pb.region_code
		JOIN regions anc ON rg.path LIKE anc.path || '%' `+w.sql()+`
		GROUP BY anc.code ORDER BY anc.code`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("summing problems: %w", inputError(err))
	}

	return out, nil
}
