package postgres

import (
	"context"

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
	w.scope(s, "pb.region_code", "")
	w.linkedDirections(s, "pb.project_id", "pb.allocation_id", "")

	return findPage[fundhub.Problem](ctx, d, problemList, &w, p)
}
