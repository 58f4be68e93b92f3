package connectors

import (
	"context"
	"encoding/json"
	"fmt"

	"fundhub"
)

// RejectedStore is what reprocessing needs beside the sync store: the rows a
// connector rejected that no later run has dealt with, and a way to mark
// them dealt with.
type RejectedStore interface {
	PendingRejected(ctx context.Context, connectorID int64) ([]*fundhub.RejectedRow, error)
	ResolveRejected(ctx context.Context, ids []int64) error
}

// rejectedSource reads a connector's pending rejected rows back as rows,
// in one page, and marks them resolved once the page is loaded.
type rejectedSource struct {
	store       fundhub.SyncStore
	connectorID int64
}

func (s *rejectedSource) Read(ctx context.Context, _ string, fn func(Page) error) error {
	rs, ok := s.store.(RejectedStore)
	if !ok {
		return fmt.Errorf("the store cannot list rejected rows")
	}
	pending, err := rs.PendingRejected(ctx, s.connectorID)
	if err != nil {
		return err
	}

	rows := make([]Row, 0, len(pending))
	ids := make([]int64, 0, len(pending))
	for _, p := range pending {
		var values map[string]string
		if err := json.Unmarshal(p.Data, &values); err != nil {
			return fmt.Errorf("decoding rejected row %d: %w", p.ID, err)
		}
		rows = append(rows, Row{Ref: p.Ref, Values: values})
		ids = append(ids, p.ID)
	}
	if err := fn(Page{Rows: rows}); err != nil {
		return err
	}

	return rs.ResolveRejected(ctx, ids)
}
