package graph

import (
	"context"

	"github.com/shopspring/decimal"

	"fundhub"
)

// siblingGroups is the sibling cut arranged by parent region and the rest
// of the key: the regions each region is compared with.
type siblingGroups map[string][]*fundhub.AnalysisRow

// siblingKey is a row's key with its region replaced by its parent.
func siblingKey(k fundhub.AnalysisKey, parent string) string {
	k.Region = &parent
	return analysisKey(k)
}

// siblings compares a region row with the regions beside it that the caller
// sees: the same cut without the region filter, rows under the same parent
// and otherwise of the same key.
func (a *analysisSet) siblings(ctx context.Context,
	row *fundhub.AnalysisRow) (*SiblingComparison, error) {
	if row.Region == nil {
		return nil, nil
	}
	rows, err := a.siblingRows(ctx)
	if err != nil {
		return nil, err
	}
	parents, err := a.parentsOf(ctx, rows)
	if err != nil {
		return nil, err
	}
	parent, ok := parents[*row.Region]
	if !ok {
		return nil, nil
	}

	var group []*fundhub.AnalysisRow
	want := siblingKey(row.AnalysisKey, parent)
	for _, r := range rows {
		if r.Region != nil && parents[*r.Region] == parent &&
			siblingKey(r.AnalysisKey, parent) == want {
			group = append(group, r)
		}
	}

	return compareSiblings(row, group), nil
}

// siblingRows is the sibling cut: the analysis without its region filter.
func (a *analysisSet) siblingRows(ctx context.Context) (map[string]*fundhub.AnalysisRow,
	error) {
	return a.cut(ctx, &a.siblingCut, func(q *fundhub.AnalysisQuery) {
		q.Filter.Region = nil
	})
}

// parentsOf reads the parent of every region in the sibling cut, once.
func (a *analysisSet) parentsOf(ctx context.Context,
	rows map[string]*fundhub.AnalysisRow) (map[string]string, error) {
	a.parents.once.Do(func() {
		seen := map[string]bool{}
		var codes []string
		for _, r := range rows {
			if r.Region != nil && !seen[*r.Region] {
				seen[*r.Region] = true
				codes = append(codes, *r.Region)
			}
		}
		regions, err := a.r.Store.RegionsByCodes(ctx, fundhub.FullScope(), codes)
		if err != nil {
			a.parents.err = err
			return
		}
		a.parents.of = make(map[string]string, len(regions))
		for _, r := range regions {
			if r.ParentCode != nil {
				a.parents.of[r.Code] = *r.ParentCode
			}
		}
	})

	return a.parents.of, a.parents.err
}

// compareSiblings sums the group and places row in it by execution rate.
func compareSiblings(row *fundhub.AnalysisRow, group []*fundhub.AnalysisRow) *SiblingComparison {
	var f fundhub.Figures
	rank := 1
	for _, r := range group {
		f.Allocated = f.Allocated.Add(r.Allocated)
		f.Received = f.Received.Add(r.Received)
		f.Paid = f.Paid.Add(r.Paid)
		f.ProjectCount += r.ProjectCount
		if row.ExecutionRate != nil && r.ExecutionRate != nil &&
			r.ExecutionRate.GreaterThan(*row.ExecutionRate) {
			rank++
		}
	}
	hundred := decimal.NewFromInt(100)
	if !f.Allocated.IsZero() {
		e := f.Paid.Mul(hundred).Div(f.Allocated).Round(2)
		rc := f.Received.Mul(hundred).Div(f.Allocated).Round(2)
		f.ExecutionRate, f.ReceivedRate = &e, &rc
	}

	out := &SiblingComparison{Count: len(group), Figures: &f}
	if row.ExecutionRate != nil {
		out.Rank = &rank
		if f.ExecutionRate != nil {
			above := row.ExecutionRate.Sub(*f.ExecutionRate)
			out.ExecutionRateAbove = &above
		}
	}

	return out
}
