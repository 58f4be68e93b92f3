package graph

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vikstrous/dataloadgen"

	"fundhub"
)

// projectProgressArgs are the arguments of the projectProgress field.
type projectProgressArgs struct {
	year   int
	asOf   *time.Time
	filter *ProjectProgressFilter
	first  *int
	after  *string
}

// projectProgress lists the 序时进度 of the projects the caller sees for
// money of a fund year, as of a day (today in China when left out), graded
// with the monitor's thresholds, largest gap first.
func (r *Resolver) projectProgress(ctx context.Context,
	a projectProgressArgs) (*ProjectProgressConnection, error) {
	p, err := pageArgs(a.first, a.after)
	if err != nil {
		return nil, err
	}
	q, err := r.progressQuery(a, p)
	if err != nil {
		return nil, err
	}

	nodes, total, err := r.Store.ProjectProgress(ctx, ScopeFrom(ctx), q)
	if err != nil {
		return nil, err
	}
	e, info := edges(nodes, p, total,
		func(c string, n *fundhub.ProjectProgress) *ProjectProgressEdge {
			return &ProjectProgressEdge{Cursor: c, Node: n}
		})

	return &ProjectProgressConnection{Edges: e, Nodes: trim(nodes, p), PageInfo: info,
		TotalCount: total}, nil
}

// progressQuery checks the arguments of projectProgress and turns them
// into the store's query.
func (r *Resolver) progressQuery(a projectProgressArgs,
	p fundhub.Page) (fundhub.ProjectProgressQuery, error) {
	f := derefOr(a.filter)
	var errs fundhub.Errors
	errs = appendFault(errs, checkYear("year", a.year))
	errs = appendFault(errs, checkRegionCode("filter.region", f.Region))

	q := fundhub.ProjectProgressQuery{Year: a.year, AsOf: today(), Region: f.Region,
		Directions: f.Directions, Warnings: f.Warnings, Thresholds: r.thresholds(), Page: p}
	if a.asOf != nil {
		y, m, d := a.asOf.Date()
		q.AsOf = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}

	return q, errs.Err()
}

// unitCostArgs are the arguments of the unitCosts field.
type unitCostArgs struct {
	direction   fundhub.Direction
	indicator   *string
	unit        *string
	basis       *fundhub.UnitCostBasis
	regionLevel *fundhub.RegionLevel
	region      *string
	years       []int
}

// unitCosts groups the unit costs of the caller's projects of a direction
// by region at a level (the province when left out) and fund year.
func (r *Resolver) unitCosts(ctx context.Context,
	a unitCostArgs) ([]*fundhub.UnitCostGroup, error) {
	q, err := unitCostQuery(a)
	if err != nil {
		return nil, err
	}

	return r.Store.UnitCosts(ctx, ScopeFrom(ctx), q)
}

// unitCostQuery checks the arguments of unitCosts and fills the defaults
// the schema gives: paid per achieved, by province. NATIONAL is a level
// like the others: every project of a year in one group.
func unitCostQuery(a unitCostArgs) (fundhub.UnitCostQuery, error) {
	q := fundhub.UnitCostQuery{Direction: a.direction, Indicator: a.indicator, Unit: a.unit,
		Basis: fundhub.PaidPerAchieved, RegionLevel: fundhub.LevelProvince, Region: a.region,
		Years: a.years}
	if a.basis != nil {
		q.Basis = *a.basis
	}
	if a.regionLevel != nil {
		q.RegionLevel = *a.regionLevel
	}

	var errs fundhub.Errors
	errs = appendFault(errs, checkText("indicator", a.indicator))
	errs = appendFault(errs, checkText("unit", a.unit))
	errs = appendFault(errs, checkRegionCode("region", a.region))
	for i, y := range a.years {
		errs = appendFault(errs, checkYear(fmt.Sprintf("years[%d]", i), y))
	}

	return q, errs.Err()
}

// checkYear refuses a fund year outside the years a fund may have.
func checkYear(field string, year int) *fundhub.Error {
	if year < 1949 || year > 2200 {
		return fundhub.Invalid(field, "%s must be a year from 1949 to 2200, got %d", field,
			year)
	}

	return nil
}

// checkRegionCode refuses a region that is not a six-digit code, which
// would otherwise match nothing and read as an empty answer.
func checkRegionCode(field string, code *string) *fundhub.Error {
	if code == nil {
		return nil
	}

	return fundhub.CheckRegionCode(field, *code)
}

// checkText refuses an empty or overlong name to match, which could only
// match nothing.
func checkText(field string, s *string) *fundhub.Error {
	switch {
	case s == nil:
		return nil
	case *s == "":
		return fundhub.Invalid(field, "%s must not be empty; leave it out to take all", field)
	case len([]rune(*s)) > fundhub.MaxNameLength:
		return fundhub.Invalid(field, "%s is longer than %d characters", field,
			fundhub.MaxNameLength)
	}

	return nil
}

// appendFault adds e to errs when there is one.
func appendFault(errs fundhub.Errors, e *fundhub.Error) fundhub.Errors {
	if e == nil {
		return errs
	}

	return append(errs, e)
}

// progressProjects loads the project of each row of a projectProgress
// page in one batch.
func progressProjects(ctx context.Context,
	objs []*fundhub.ProjectProgress) ([]*fundhub.Project, error) {
	return one(ctx, loadersFrom(ctx).projectByID, objs,
		always(func(p *fundhub.ProjectProgress) int64 { return p.ProjectID }))
}

// unitCostProjects loads the project of each outlier in one batch.
func unitCostProjects(ctx context.Context,
	objs []*fundhub.UnitCostItem) ([]*fundhub.Project, error) {
	return one(ctx, loadersFrom(ctx).projectByID, objs,
		always(func(i *fundhub.UnitCostItem) int64 { return i.ProjectID }))
}

// unitCostRegion is the region a group stands for. Regions are public
// reference data, so a county's officials see their province here.
func unitCostRegion(ctx context.Context, g *fundhub.UnitCostGroup) (*fundhub.Region, error) {
	if g.Region == nil {
		return nil, nil
	}
	reg, err := loadersFrom(ctx).regionByCode.Load(ctx, *g.Region)
	if errors.Is(err, dataloadgen.ErrNotFound) {
		return nil, nil
	}

	return reg, err
}

// timeProgress is a project's 序时进度 as the store graded it.
func timeProgress(p *fundhub.ProjectProgress) *fundhub.TimeProgress {
	return &p.Progress
}
