package postgres

import (
	"context"
	"fmt"

	"fundhub"
)

// analysisRow is a row of the analysis statement: a group and the number
// of groups in all.
type analysisRow struct {
	fundhub.AnalysisRow
	TotalCount int `db:"total_count"`
}

// Analyze answers an analytical query over the caller's scope: one page of
// groups with their figures and ranks, and the number of groups. Every
// figure is summed in SQL over visible rows only.
func (d *DB) Analyze(ctx context.Context, s fundhub.Scope,
	q fundhub.AnalysisQuery) (*fundhub.AnalysisResult, error) {
	rows, err := d.analysisRows(ctx, s, q)
	if err != nil {
		return nil, err
	}

	out := &fundhub.AnalysisResult{Rows: make([]*fundhub.AnalysisRow, len(rows))}
	for i, r := range rows {
		out.Rows[i] = &r.AnalysisRow
		out.TotalCount = r.TotalCount
	}
	if len(rows) == 0 && q.Page.Offset > 0 {
		if out.TotalCount, err = d.analysisCount(ctx, s, q); err != nil {
			return nil, err
		}
	}

	return out, nil
}

// AnalysisTotal returns the figures of everything q covers taken together.
// They are not the sum of the groups' figures: money passed from one group
// to another enters both, but the whole only once.
func (d *DB) AnalysisTotal(ctx context.Context, s fundhub.Scope,
	q fundhub.AnalysisQuery) (*fundhub.Figures, error) {
	q.GroupBy, q.Sort, q.Page, q.All = nil, nil, fundhub.Page{First: 1}, false
	rows, err := d.analysisRows(ctx, s, q)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return &fundhub.Figures{}, nil
	}

	return &rows[0].Figures, nil
}

func (d *DB) analysisRows(ctx context.Context, s fundhub.Scope,
	q fundhub.AnalysisQuery) ([]*analysisRow, error) {
	query, args := AnalysisSQL(s, q)
	var rows []*analysisRow
	if err := d.db.SelectContext(ctx, &rows, query, args...); err != nil {
		return nil, fmt.Errorf("analysing %v as of %s: %w", q.GroupBy, q.AsOf, inputError(err))
	}

	return rows, nil
}

// analysisCount counts the groups when the page asked for lies past the
// last one.
func (d *DB) analysisCount(ctx context.Context, s fundhub.Scope,
	q fundhub.AnalysisQuery) (int, error) {
	q.Page = fundhub.Page{First: 1}
	rows, err := d.analysisRows(ctx, s, q)
	if err != nil || len(rows) == 0 {
		return 0, err
	}

	return rows[0].TotalCount, nil
}
