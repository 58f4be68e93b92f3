package postgres

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"fundhub"
	"fundhub/authz"
)

// lineRef is what a report line names: an allocation, project or target of
// the report's region, with its direction and what it is tied to.
type lineRef struct {
	ID           int64             `db:"id"`
	Direction    fundhub.Direction `db:"direction"`
	ProjectID    *int64            `db:"project_id"`
	AllocationID *int64            `db:"allocation_id"`
}

// lineRefSet holds the allocations, projects and targets new lines name.
type lineRefSet struct {
	alloc, project, target map[int64]lineRef
}

// of returns the direction of a line: its allocation's fund's, else its
// project's, else its target's fund's. A line with none of them is every
// direction's, so only a department covering all of them answers for it.
func (r lineRefSet) of(l *fundhub.ReportLineInput) fundhub.Direction {
	switch {
	case l.AllocationID != nil:
		return r.alloc[*l.AllocationID].Direction
	case l.ProjectID != nil:
		return r.project[*l.ProjectID].Direction
	case l.TargetID != nil && r.target[*l.TargetID].Direction != "":
		return r.target[*l.TargetID].Direction
	}

	return authz.AnyDirection
}

// lineRefs loads what lines name, only where it belongs to region: money
// allocated to the region, its projects and its targets. Anything else
// answers like an id that does not exist, one BAD_USER_INPUT per line and
// field, so a save tells nothing of other regions. A line must also hold
// together: one direction, and the project and allocation its target or
// allocation is tied to.
func lineRefs(ctx context.Context, tx *sqlx.Tx, g fundhub.Guard, region string,
	lines []*fundhub.ReportLineInput) (lineRefSet, error) {
	var allocs, projects, targets []int64
	for _, l := range lines {
		allocs = appendID(allocs, l.AllocationID)
		projects = appendID(projects, l.ProjectID)
		targets = appendID(targets, l.TargetID)
	}

	var r lineRefSet
	var err error
	if r.alloc, err = refsOf(ctx, tx, allocs, region, `SELECT a.id, f.direction,
		a.project_id, NULL::bigint AS allocation_id FROM allocations a
		JOIN funds f ON f.id = a.fund_id
		WHERE a.id = ANY($1) AND a.to_region = $2 AND NOT a.withdrawn`); err != nil {
		return r, err
	}
	if r.project, err = refsOf(ctx, tx, projects, region, `SELECT id, direction,
		NULL::bigint AS project_id, NULL::bigint AS allocation_id FROM projects
		WHERE id = ANY($1) AND region_code = $2`); err != nil {
		return r, err
	}
	if r.target, err = refsOf(ctx, tx, targets, region, `SELECT t.id,
		COALESCE(f.direction, '') AS direction, t.project_id, t.allocation_id
		FROM performance_targets t LEFT JOIN funds f ON f.id = t.fund_id
		WHERE t.id = ANY($1) AND t.region_code = $2`); err != nil {
		return r, err
	}

	// What the caller may not read is treated as missing, before anything
	// about it is checked or told.
	for _, m := range []map[int64]lineRef{r.alloc, r.project, r.target} {
		for id, ref := range m {
			if !g.Permits(authz.ActionRead, region, ref.Direction) {
				delete(m, id)
			}
		}
	}
	errs := missingRefs(lines, r, region)
	for i, l := range lines {
		errs = append(errs, r.incoherent(i, l)...)
	}

	return r, errs.Err()
}

func appendID(ids []int64, id *int64) []int64 {
	if id == nil {
		return ids
	}

	return append(ids, *id)
}

// refsOf runs q, which selects lineRef columns for the ids of its first
// placeholder within the region of its second, into a map.
func refsOf(ctx context.Context, tx *sqlx.Tx, ids []int64, region,
	q string) (map[int64]lineRef, error) {
	out := make(map[int64]lineRef, len(ids))
	if len(ids) == 0 {
		return out, nil
	}

	var rows []lineRef
	if err := tx.SelectContext(ctx, &rows, q, int64s(ids), region); err != nil {
		return nil, fmt.Errorf("loading what report lines name: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r
	}

	return out, nil
}

// missingRefs names every id of lines that r does not hold.
func missingRefs(lines []*fundhub.ReportLineInput, r lineRefSet,
	region string) fundhub.Errors {
	var errs fundhub.Errors
	check := func(i int, field, what string, id *int64, m map[int64]lineRef) {
		if id == nil {
			return
		}
		if _, ok := m[*id]; !ok {
			errs = append(errs, fundhub.Invalid(lineField(i, field), "no %s %d of region %s",
				what, *id, region))
		}
	}
	for i, l := range lines {
		check(i, "allocationId", "allocation in force", l.AllocationID, r.alloc)
		check(i, "projectId", "project", l.ProjectID, r.project)
		check(i, "targetId", "performance target", l.TargetID, r.target)
	}

	return errs
}

// incoherent names what does not hold together in line i: records of
// different directions, or a project or allocation other than the one the
// allocation or target is tied to. Missing records are missingRefs' to name.
func (r lineRefSet) incoherent(i int, l *fundhub.ReportLineInput) fundhub.Errors {
	a, aok := lookupRef(r.alloc, l.AllocationID)
	p, pok := lookupRef(r.project, l.ProjectID)
	t, tok := lookupRef(r.target, l.TargetID)
	var errs fundhub.Errors
	tied := func(field string, want *int64, got *int64, what string) {
		if want != nil && got != nil && *want != *got {
			errs = append(errs, fundhub.Invalid(lineField(i, field), "%s is tied to %d, not %d",
				what, *want, *got))
		}
	}

	if aok && pok {
		tied("projectId", a.ProjectID, l.ProjectID, "the allocation")
	}
	if tok {
		tied("allocationId", t.AllocationID, l.AllocationID, "the target")
		tied("projectId", t.ProjectID, l.ProjectID, "the target")
	}
	dirs := map[fundhub.Direction]bool{}
	for _, ref := range []struct {
		ok  bool
		dir fundhub.Direction
	}{{aok, a.Direction}, {pok, p.Direction}, {tok, t.Direction}} {
		if ref.ok && ref.dir != "" {
			dirs[ref.dir] = true
		}
	}
	if len(dirs) > 1 {
		errs = append(errs, fundhub.Invalid(lineField(i, "targetId"),
			"the line names records of different directions; one line, one direction"))
	}

	return errs
}

func lookupRef(m map[int64]lineRef, id *int64) (lineRef, bool) {
	if id == nil {
		return lineRef{}, false
	}
	r, ok := m[*id]

	return r, ok
}
