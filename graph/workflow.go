package graph

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"fundhub"
)

// moveProject runs one step of the reserve on the project with id.
func (r *Resolver) moveProject(ctx context.Context, id int64, step fundhub.ReserveStep,
	approvalRef *string, adj *fundhub.ProjectAdjustment) (*fundhub.Project, error) {
	g, err := r.guardFor(ctx, fmt.Sprintf("%s project %d", step, id))
	if err != nil {
		return nil, err
	}

	return r.Store.MoveProject(ctx, g, id, step, approvalRef, adj)
}

// recordDate records a date of the allocation with id.
func (r *Resolver) recordDate(ctx context.Context, id int64, which fundhub.AllocationDate,
	on time.Time) (*fundhub.Allocation, error) {
	g, err := r.guardFor(ctx, fmt.Sprintf("record %s date of allocation %d", which, id))
	if err != nil {
		return nil, err
	}

	return r.Store.RecordAllocationDate(ctx, g, id, which, on)
}

// unallocated returns, per allocation, its amount less its children's.
func unallocated(objs []*fundhub.Allocation,
	children [][]*fundhub.Allocation) []*decimal.Decimal {
	out := make([]*decimal.Decimal, len(objs))
	for i, a := range objs {
		left := a.Amount
		for _, c := range children[i] {
			left = left.Sub(c.Amount)
		}
		out[i] = &left
	}

	return out
}

// handleProblem runs one step of handling the problem with id.
func (r *Resolver) handleProblem(ctx context.Context, id int64, step fundhub.ProblemStep,
	text string) (*fundhub.Problem, error) {
	g, err := r.guardFor(ctx, fmt.Sprintf("%s problem %d", step, id))
	if err != nil {
		return nil, err
	}

	return r.Store.HandleProblem(ctx, g, id, step, text)
}

// checkProblemFilter refuses filter values no problem can have, so a
// dashboard with a typo hears so instead of showing no problems.
func checkProblemFilter(f fundhub.ProblemFilter) error {
	severities := []string{"INFO", "MINOR", "MAJOR", "CRITICAL"}
	statuses := []string{"OPEN", "ACKNOWLEDGED", "RESOLVED", "CLOSED"}
	kinds := []string{"SLOW_PAYMENT", "SLOW_PROGRESS", "UNAPPROVED_CHANGE", "MISUSE",
		"DATA_INCONSISTENCY", "OUT_OF_RESERVE", "LATE", "OTHER"}
	switch {
	case f.Kind != nil && !slices.Contains(kinds, *f.Kind):
		return fundhub.Invalid("filter.kind", "must be one of %v", kinds)
	case f.Severity != nil && !slices.Contains(severities, *f.Severity):
		return fundhub.Invalid("filter.severity", "must be one of %v", severities)
	case f.Status != nil && !slices.Contains(statuses, *f.Status):
		return fundhub.Invalid("filter.status", "must be one of %v", statuses)
	case f.MinAgeDays != nil && (*f.MinAgeDays < 0 || *f.MinAgeDays > 36500):
		return fundhub.Invalid("filter.minAgeDays", "must lie between 0 and 36500")
	}

	return nil
}

// checkSummaryLevel refuses a level above regionUnder: its rows would be
// labelled with a region wider than what they count.
func (r *Resolver) checkSummaryLevel(regionUnder *string, level fundhub.RegionLevel) error {
	if regionUnder == nil {
		return nil
	}
	depth := r.Policy.Depth(*regionUnder)
	if depth < 0 {
		return fundhub.Invalid("regionUnder", "no region with code %q", *regionUnder)
	}
	if level == "" {
		level = fundhub.LevelProvince
	}
	if level.Depth() < depth {
		return fundhub.Invalid("level", "%s lies above %s; ask for its level or below",
			level, *regionUnder)
	}

	return nil
}
