package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"fundhub"
)

// lookup turns NOT_FOUND into a null result: a record outside the caller's
// scope answers exactly like one that does not exist.
func lookup[T any](v *T, err error) (*T, error) {
	if fundhub.ErrorCode(err) == fundhub.ENOTFOUND {
		return nil, nil
	}

	return v, err
}

// derefOr returns *p, or the zero value when p is nil.
func derefOr[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}

	return *p
}

// trim drops the nodes of a page that asked for none (first: 0).
func trim[N any](nodes []N, p fundhub.Page) []N {
	if p.First == 0 || nodes == nil {
		return []N{}
	}

	return nodes
}

// fullNames joins each region's names from the province down, leaving out
// the nation and the grouping rows (市辖区, 省直辖县级行政区划).
func fullNames(ctx context.Context, objs []*fundhub.Region) ([]string, error) {
	above, err := regionsAbove(ctx, objs)
	if err != nil {
		return nil, err
	}

	out := make([]string, len(objs))
	for i, reg := range objs {
		var b strings.Builder
		for _, a := range above[i] {
			if a.Level != fundhub.LevelNational && !a.Grouping {
				b.WriteString(a.Name)
			}
		}
		b.WriteString(reg.Name)
		out[i] = b.String()
	}

	return out, nil
}

// cells decodes a rejected row's data into cells sorted by column.
func cells(data []byte) ([]*Cell, error) {
	var m map[string]string
	if len(data) > 0 {
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("decoding rejected row: %w", err)
		}
	}

	out := make([]*Cell, 0, len(m))
	for k, v := range m {
		out = append(out, &Cell{Column: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Column < out[j].Column })

	return out, nil
}

func (r *Resolver) runs(ctx context.Context, connectorID *int64,
	p fundhub.Page) (*SyncRunConnection, error) {
	nodes, total, err := r.Store.FindRuns(ctx, connectorID, p)
	if err != nil {
		return nil, err
	}
	e, info := edges(nodes, p, total, func(c string, n *fundhub.SyncRun) *SyncRunEdge {
		return &SyncRunEdge{Cursor: c, Node: n}
	})

	return &SyncRunConnection{Edges: e, Nodes: trim(nodes, p), PageInfo: info,
		TotalCount: total}, nil
}
