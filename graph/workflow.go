package graph

import (
	"context"
	"fmt"
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
