package graph

import (
	"time"

	"fundhub"
)

// Estimated sizes of lists that take no page size, for complexity: how many
// children a region has, how many totals a grouping returns, and so on.
const (
	childrenEstimate = 15
	listEstimate     = 10
	totalsEstimate   = 100
)

// complexity prices an operation by the rows it may return: a list field
// costs its page size (or an estimate) times what each item costs, so one
// request cannot ask for a million nested rows within the limit.
func complexity() ComplexityRoot {
	var c ComplexityRoot
	q := &c.Query
	q.Regions = func(child int, _ *fundhub.RegionLevel, _, _, _ *string, _ *bool,
		first *int, _ *string) int {
		return pageCost(child, first)
	}
	q.Funds = func(child int, _ *fundhub.FundFilter, first *int, _ *string) int {
		return pageCost(child, first)
	}
	q.Allocations = func(child int, _ *fundhub.AllocationFilter, first *int, _ *string) int {
		return pageCost(child, first)
	}
	q.Projects = func(child int, _ *fundhub.ProjectFilter, first *int, _ *string) int {
		return pageCost(child, first)
	}
	q.PerformanceTargets = func(child int, _ *fundhub.TargetFilter, first *int, _ *string) int {
		return pageCost(child, first)
	}
	q.ExecutionReports = func(child int, _ *fundhub.ReportFilter, first *int, _ *string) int {
		return pageCost(child, first)
	}
	q.Problems = func(child int, _ *fundhub.ProblemFilter, first *int, _ *string) int {
		return pageCost(child, first)
	}
	q.SyncRuns = func(child int, _ *string, first *int, _ *string) int {
		return pageCost(child, first)
	}
	q.Payments = func(child int, _ *fundhub.PaymentFilter, first *int, _ *string) int {
		return pageCost(child, first)
	}
	q.AllocationTotals = func(child int, _ *fundhub.AllocationFilter,
		_ []fundhub.AllocationDimension, _ *fundhub.RegionLevel) int {
		return 1 + child*totalsEstimate
	}
	q.Analysis = func(child int, _ []fundhub.AnalysisDimension, _ *fundhub.RegionLevel,
		_ *fundhub.AnalysisFilter, _ *QuarterInput, _ []*fundhub.AnalysisSort,
		_ *fundhub.AnalysisMeasure, first *int, _ *string) int {
		return pageCost(child, first)
	}
	q.ProjectProgress = func(child int, _ int, _ *time.Time, _ *ProjectProgressFilter,
		first *int, _ *string) int {
		return pageCost(child, first)
	}
	q.UnitCosts = func(child int, _ fundhub.Direction, _, _ *string, _ *fundhub.UnitCostBasis,
		_ *fundhub.RegionLevel, _ *string, _ []int) int {
		return 1 + child*totalsEstimate
	}
	c.UnitCostGroup.Outliers = estimate(listEstimate)
	q.Connectors = estimate(listEstimate)

	c.Connector.Runs = func(child int, first *int, _ *string) int { return pageCost(child, first) }
	c.SyncRun.RejectedRows = func(child int, first *int, _ *string) int {
		return pageCost(child, first)
	}
	c.Region.Children = estimate(childrenEstimate)
	c.Region.Ancestors = estimate(4)
	c.Region.FormerNames = estimate(listEstimate)
	c.Allocation.SourceRecords = estimate(listEstimate)
	c.ExecutionReport.Lines = estimate(listEstimate)

	return c
}

// pageCost is the cost of a page of first items (the default page when nil).
// A first beyond the largest page costs as one item more than it, so that
// the resolver, not the complexity limit, refuses it and names the field.
func pageCost(child int, first *int) int {
	n := fundhub.DefaultPageSize
	if first != nil && *first >= 0 {
		n = min(*first, fundhub.MaxPageSize+1)
	}

	return 1 + child*max(n, 1)
}

// estimate prices a list without a page size as n items.
func estimate(n int) func(int) int {
	return func(child int) int { return 1 + child*n }
}
