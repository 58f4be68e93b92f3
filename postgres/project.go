package postgres

import (
	"context"

	"fundhub"
)

const projectCols = `p.id, p.code, p.name, p.region_code, p.direction, p.reserve_status,
	p.start_on, p.end_on, p.planned_investment, p.implementing_unit_id, p.approval_ref,
	p.source_system, p.external_id, p.last_synced_at`

// projectList is the FROM clause and order shared by the project lists; the
// join to regions serves the RegionUnder filter.
var projectList = listQuery{what: "projects", cols: projectCols,
	from:  `projects p JOIN regions rg ON rg.code = p.region_code`,
	order: `p.region_code, p.id`, key: `p.id`}

// FindProject returns the project, or ENOTFOUND when it does not exist or
// lies outside the scope's regions or directions.
func (d *DB) FindProject(ctx context.Context, s fundhub.Scope,
	id int64) (*fundhub.Project, error) {
	var w where
	w.add("p.id = %s", id)
	w.scope(s, "p.region_code", "p.direction")

	return getOne[fundhub.Project](ctx, d, projectList, &w, "project", id)
}

// FindProjects returns one page of the projects that match f, ordered by
// region code and id, and the count of all that match. The scope hides the
// projects outside its region subtrees and, when it names directions, those
// of other directions. RegionUnder includes the region itself; NameContains
// is a plain substring, with no wildcards.
func (d *DB) FindProjects(ctx context.Context, s fundhub.Scope, f fundhub.ProjectFilter,
	p fundhub.Page) ([]*fundhub.Project, int, error) {
	var w where
	if f.RegionUnder != nil {
		w.under("rg.path", *f.RegionUnder)
	}
	if f.Direction != nil {
		w.add("p.direction = %s", string(*f.Direction))
	}
	if f.ReserveStatus != nil {
		w.add("p.reserve_status = %s", string(*f.ReserveStatus))
	}
	if f.NameContains != nil {
		w.add("strpos(p.name, %s) > 0", *f.NameContains)
	}
	w.scope(s, "p.region_code", "p.direction")

	return findPage[fundhub.Project](ctx, d, projectList, &w, p)
}

// ProjectsByIDs returns the projects among ids that the scope sees, ordered by
// id, for dataloaders. Hidden and missing ids are left out without error.
func (d *DB) ProjectsByIDs(ctx context.Context, s fundhub.Scope,
	ids []int64) ([]*fundhub.Project, error) {
	var w where
	w.add("p.id = ANY(%s)", int64s(ids))
	w.scope(s, "p.region_code", "p.direction")

	return findAll[fundhub.Project](ctx, d, projectList, &w)
}
