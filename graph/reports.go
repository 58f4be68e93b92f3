package graph

import (
	"context"
	"errors"
	"fmt"

	"github.com/99designs/gqlgen/graphql"

	"fundhub"
)

// reportStep runs one mutation of the review path through do, with a guard
// describing it as what, and reports each fault it finds as its own error.
func reportStep[T any](ctx context.Context, r *Resolver, what string,
	do func(g *guard) (*T, error)) (*T, error) {
	g, err := r.guardFor(ctx, what)
	if err != nil {
		return nil, err
	}
	v, err := do(g)

	return v, spread(ctx, err)
}

// spread sends every fault of a fundhub.Errors but the last to the client
// as an error of its own, through the presenter, and returns the last, so
// each carries its own code and field; other errors pass unchanged.
func spread(ctx context.Context, err error) error {
	var errs fundhub.Errors
	if !errors.As(err, &errs) || len(errs) == 0 {
		return err
	}
	for _, e := range errs[:len(errs)-1] {
		graphql.AddError(ctx, e)
	}

	return errs[len(errs)-1]
}

// saveReport saves the region's report of the quarter.
func (r *Resolver) saveReport(ctx context.Context, region string, year, quarter int,
	lines []*fundhub.ReportLineInput) (*fundhub.ExecutionReport, error) {
	what := fmt.Sprintf("save the report of %s for %dQ%d", region, year, quarter)
	return reportStep(ctx, r, what, func(g *guard) (*fundhub.ExecutionReport, error) {
		return r.Store.SaveReport(ctx, g, region, year, quarter, lines)
	})
}

// submitReport submits the report with id.
func (r *Resolver) submitReport(ctx context.Context, id int64) (*fundhub.ExecutionReport,
	error) {
	return reportStep(ctx, r, fmt.Sprintf("submit report %d", id),
		func(g *guard) (*fundhub.ExecutionReport, error) {
			return r.Store.SubmitReport(ctx, g, id)
		})
}

// reviewReport accepts or returns the report with id.
func (r *Resolver) reviewReport(ctx context.Context, id int64, accept bool,
	reason *string) (*fundhub.ExecutionReport, error) {
	return reportStep(ctx, r, fmt.Sprintf("review report %d", id),
		func(g *guard) (*fundhub.ExecutionReport, error) {
			return r.Store.ReviewReport(ctx, g, id, accept, reason)
		})
}

// transmitReport transmits the report with id to the ministry.
func (r *Resolver) transmitReport(ctx context.Context,
	id int64) (*fundhub.ExecutionReport, error) {
	return reportStep(ctx, r, fmt.Sprintf("transmit report %d", id),
		func(g *guard) (*fundhub.ExecutionReport, error) {
			return r.Store.TransmitReport(ctx, g, id)
		})
}

// requestChange asks for a change of the transmitted report with id.
func (r *Resolver) requestChange(ctx context.Context, id int64,
	changes []*fundhub.LineChange, reason string) (*fundhub.ChangeRequest, error) {
	return reportStep(ctx, r, fmt.Sprintf("request a change of report %d", id),
		func(g *guard) (*fundhub.ChangeRequest, error) {
			return r.Store.RequestChange(ctx, g, id, changes, reason)
		})
}

// decideChange approves or rejects the change request with id.
func (r *Resolver) decideChange(ctx context.Context, id int64, approve bool,
	note string) (*fundhub.ChangeRequest, error) {
	return reportStep(ctx, r, fmt.Sprintf("decide change request %d", id),
		func(g *guard) (*fundhub.ChangeRequest, error) {
			return r.Store.DecideChange(ctx, g, id, approve, note)
		})
}

// applyChange applies the approved change request with id.
func (r *Resolver) applyChange(ctx context.Context, id int64) (*fundhub.ChangeRequest,
	error) {
	return reportStep(ctx, r, fmt.Sprintf("apply change request %d", id),
		func(g *guard) (*fundhub.ChangeRequest, error) {
			return r.Store.ApplyChange(ctx, g, id)
		})
}

// changeRequests returns one page of the change requests the caller sees.
func (r *Resolver) changeRequests(ctx context.Context, f *fundhub.ChangeRequestFilter,
	first *int, after *string) (*ChangeRequestConnection, error) {
	p, err := pageArgs(first, after)
	if err != nil {
		return nil, err
	}

	nodes, total, err := r.Store.FindChangeRequests(ctx, ScopeFrom(ctx), derefOr(f), p)
	if err != nil {
		return nil, err
	}
	e, info := edges(nodes, p, total,
		func(c string, n *fundhub.ChangeRequest) *ChangeRequestEdge {
			return &ChangeRequestEdge{Cursor: c, Node: n}
		})

	return &ChangeRequestConnection{Edges: e, Nodes: trim(nodes, p), PageInfo: info,
		TotalCount: total}, nil
}
