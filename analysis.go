package fundhub

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// AnalysisDimension is a dimension the analytical query groups by. It adds
// QUARTER, the calendar quarter an amount moved in, to the allocation
// dimensions. YEAR is always the fund's year (资金年度), never the year a
// payment happened in.
type AnalysisDimension string

// The dimensions of an analysis.
const (
	AnalyzeCategory  AnalysisDimension = "CATEGORY"
	AnalyzeFund      AnalysisDimension = "FUND"
	AnalyzeSource    AnalysisDimension = "SOURCE"
	AnalyzeDirection AnalysisDimension = "DIRECTION"
	AnalyzeRegion    AnalysisDimension = "REGION"
	AnalyzeYear      AnalysisDimension = "YEAR"
	AnalyzeQuarter   AnalysisDimension = "QUARTER"
)

// AnalysisMeasure names a figure of an analysis row, for sorting and
// ranking.
type AnalysisMeasure string

// The measures of an analysis.
const (
	MeasureAllocated        AnalysisMeasure = "ALLOCATED"
	MeasureReceived         AnalysisMeasure = "RECEIVED"
	MeasurePaid             AnalysisMeasure = "PAID"
	MeasureExecutionRate    AnalysisMeasure = "EXECUTION_RATE"
	MeasureReceivedRate     AnalysisMeasure = "RECEIVED_RATE"
	MeasureProjectCount     AnalysisMeasure = "PROJECT_COUNT"
	MeasureTargetCompletion AnalysisMeasure = "TARGET_COMPLETION_RATE"
)

// Quarter is one calendar quarter of one year.
type Quarter struct {
	Year    int
	Quarter int
}

// QuarterOf returns the quarter day falls in.
func QuarterOf(day time.Time) Quarter {
	return Quarter{Year: day.Year(), Quarter: (int(day.Month())-1)/3 + 1}
}

// Valid reports whether q names a real quarter of a plausible year.
func (q Quarter) Valid() bool {
	return q.Quarter >= 1 && q.Quarter <= 4 && q.Year >= 1949 && q.Year <= 2200
}

// Prev returns the quarter before q.
func (q Quarter) Prev() Quarter {
	if q.Quarter == 1 {
		return Quarter{q.Year - 1, 4}
	}

	return Quarter{q.Year, q.Quarter - 1}
}

// YearBefore returns the same quarter a year earlier.
func (q Quarter) YearBefore() Quarter { return Quarter{q.Year - 1, q.Quarter} }

// Index is a number that orders quarters: year*4 + quarter - 1.
func (q Quarter) Index() int { return q.Year*4 + q.Quarter - 1 }

// End returns the last day of q.
func (q Quarter) End() time.Time {
	first := time.Date(q.Year, time.Month(3*q.Quarter-2), 1, 0, 0, 0, 0, time.UTC)
	return first.AddDate(0, 3, -1)
}

// String writes q as 2024Q2.
func (q Quarter) String() string { return fmt.Sprintf("%dQ%d", q.Year, q.Quarter) }

// QuarterFromIndex inverts Quarter.Index.
func QuarterFromIndex(i int) Quarter { return Quarter{Year: i / 4, Quarter: i%4 + 1} }

// AnalysisFilter narrows an analysis. Every field combines with AND; a list
// matches any of its values. Region limits to a subtree.
type AnalysisFilter struct {
	Categories []FundCategory
	FundIDs    []int64
	Sources    []FundSource
	Directions []Direction
	Region     *string
	Years      []int
}

// AnalysisSort orders analysis rows by a measure or a dimension.
type AnalysisSort struct {
	Measure    *AnalysisMeasure
	Dimension  *AnalysisDimension
	Descending bool
}

// AnalysisQuery asks for measures grouped by dimensions, as at the end of
// AsOf: money issued, received or paid after that quarter does not count,
// and target progress is the latest reported by then.
type AnalysisQuery struct {
	GroupBy     []AnalysisDimension
	RegionLevel RegionLevel
	Filter      AnalysisFilter
	AsOf        Quarter
	Sort        []AnalysisSort
	// RankBy is the measure Rank orders by, largest first.
	RankBy AnalysisMeasure
	Page   Page
	// All asks for every group, ignoring Page: comparisons read whole
	// cuts to match rows of any page.
	All bool
}

// Grouped reports whether q groups by d.
func (q AnalysisQuery) Grouped(d AnalysisDimension) bool {
	for _, g := range q.GroupBy {
		if g == d {
			return true
		}
	}

	return false
}

// AnalysisKey is the group a row stands for; a nil field is a dimension not
// grouped by, or money the dimension does not apply to (a payment without
// an allocation has no fund).
type AnalysisKey struct {
	Category  *FundCategory `db:"category"`
	FundID    *int64        `db:"fund_id"`
	Source    *FundSource   `db:"source"`
	Direction *Direction    `db:"direction"`
	Region    *string       `db:"region_code"`
	Year      *int          `db:"year"`
	// QuarterIndex is Quarter.Index of the quarter the money moved in.
	QuarterIndex *int `db:"quarter_index"`
}

// Figures are the measures of one group.
//
// Allocated counts money where it enters the group: an allocation whose
// sender is outside the group (or outside what the caller sees), or which
// starts its fund's chain at the fund's owner. Passing money down inside a
// group never counts it twice. Paid counts every payment once, where it was
// paid. ExecutionRate is Paid over Allocated and ReceivedRate Received over
// Allocated, in per cent; TargetCompletionRate is the mean over the group's
// assessable targets of the latest reported value over the target value,
// capped at 100 per cent each (a target nothing was reported for counts 0).
type Figures struct {
	Allocated            decimal.Decimal  `db:"allocated"`
	Received             decimal.Decimal  `db:"received"`
	Paid                 decimal.Decimal  `db:"paid"`
	ExecutionRate        *decimal.Decimal `db:"execution_rate"`
	ReceivedRate         *decimal.Decimal `db:"received_rate"`
	ProjectCount         int              `db:"project_count"`
	TargetCount          int              `db:"target_count"`
	TargetCompletionRate *decimal.Decimal `db:"target_completion_rate"`
}

// AnalysisRow is one group of an analysis with its figures and its rank.
type AnalysisRow struct {
	AnalysisKey
	Figures
	Rank int `db:"rank"`
	// ByMonths is true when every fund of the group counts time progress
	// by whole months.
	ByMonths bool `db:"by_months"`
}

// AnalysisResult is one page of rows and the number of groups in all.
type AnalysisResult struct {
	Rows       []*AnalysisRow
	TotalCount int
}

// Validate checks q and fills its defaults: the current quarter for AsOf,
// the province level, and ranking by execution rate.
func (q *AnalysisQuery) Validate(today time.Time) error {
	var errs Errors
	seen := map[AnalysisDimension]bool{}
	for i, d := range q.GroupBy {
		if seen[d] {
			errs = append(errs, Invalid(fmt.Sprintf("groupBy[%d]", i),
				"%s is named twice", d))
		}
		seen[d] = true
	}
	if q.AsOf == (Quarter{}) {
		q.AsOf = QuarterOf(today)
	} else if !q.AsOf.Valid() {
		errs = append(errs, Invalid("asOf",
			"year %d, quarter %d is not a quarter: give a year from 1949 to 2200 and 1 to 4",
			q.AsOf.Year, q.AsOf.Quarter))
	}
	if r := q.Filter.Region; r != nil {
		if e := CheckRegionCode("filter.region", *r); e != nil {
			errs = append(errs, e)
		}
	}
	for i, y := range q.Filter.Years {
		if y < 1949 || y > 2200 {
			errs = append(errs, Invalid(fmt.Sprintf("filter.years[%d]", i),
				"%d is not a fund year (1949 to 2200)", y))
		}
	}
	if q.RegionLevel == "" {
		q.RegionLevel = LevelProvince
	}
	if q.RankBy == "" {
		q.RankBy = MeasureExecutionRate
	}
	for i, s := range q.Sort {
		if (s.Measure == nil) == (s.Dimension == nil) {
			errs = append(errs, Invalid(fmt.Sprintf("sort[%d]", i),
				"name either a measure or a dimension"))
		} else if s.Dimension != nil && !seen[*s.Dimension] {
			errs = append(errs, Invalid(fmt.Sprintf("sort[%d].dimension", i),
				"%s is not grouped by", *s.Dimension))
		}
	}

	return errs.Err()
}
