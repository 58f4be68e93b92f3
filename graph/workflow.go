package graph

import (
	"context"
	"fmt"

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
