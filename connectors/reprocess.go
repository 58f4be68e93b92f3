package connectors

import (
	"context"
	"encoding/json"
	"fmt"

	"fundhub"
)

// RejectedStore is what reprocessing needs beside the sync store: the rows a
// connector rejected that no later run has dealt with. The store marks a
// replayed row resolved in the transaction that processes it again.
type RejectedStore interface {
	PendingRejected(ctx context.Context, connectorID int64) ([]*fundhub.RejectedRow, error)
}

// rejectedSource reads a connector's pending rejected rows back as rows, in
// one page.
type rejectedSource struct {
	store       fundhub.SyncStore
	connectorID int64
}

func (s *rejectedSource) Read(ctx context.Context, _ string, fn func(Page) error) error {
	rs, ok := s.store.(RejectedStore)
	if !ok {
		return &loadError{err: fmt.Errorf("the store cannot list rejected rows")}
	}
	pending, err := rs.PendingRejected(ctx, s.connectorID)
	if err != nil {
		return &loadError{err: err}
	}

	rows := make([]Row, 0, len(pending))
	for _, p := range pending {
		var values map[string]string
		if err := json.Unmarshal(p.Data, &values); err != nil {
			return &loadError{err: fmt.Errorf("decoding rejected row %d: %w", p.ID, err)}
		}
		rows = append(rows, Row{Ref: p.Ref, Values: values, RejectedID: p.ID})
	}

	return fn(Page{Rows: rows})
}
