package postgres

import (
	"fmt"
	"strings"

	"github.com/lib/pq"

	"fundhub"
)

// analysisKeys are the key columns of every part of an analysis, in order.
var analysisKeys = []struct {
	dim  fundhub.AnalysisDimension
	col  string
	null string
}{
	{fundhub.AnalyzeCategory, "category", "NULL::text"},
	{fundhub.AnalyzeFund, "fund_id", "NULL::bigint"},
	{fundhub.AnalyzeSource, "source", "NULL::text"},
	{fundhub.AnalyzeDirection, "direction", "NULL::text"},
	{fundhub.AnalyzeRegion, "region_code", "NULL::text"},
	{fundhub.AnalyzeYear, "year", "NULL::integer"},
	{fundhub.AnalyzeQuarter, "quarter_index", "NULL::integer"},
}

// analysisPart is one of the three sources of figures: its FROM clause and
// the expression of each dimension over it ("" when it has none).
type analysisPart struct {
	from     string
	exprs    map[fundhub.AnalysisDimension]string
	measures string
}

// analysisBuilder writes the SQL of one analysis. All parts share one
// argument list.
type analysisBuilder struct {
	s fundhub.Scope
	q fundhub.AnalysisQuery
	w *where
}

// AnalysisSQL returns the statement and arguments Analyze runs for q over
// the scope s, so that a benchmark can run the very same SQL directly.
func AnalysisSQL(s fundhub.Scope, q fundhub.AnalysisQuery) (string, []any) {
	b := &analysisBuilder{s: s, q: q, w: &where{}}
	parts := []string{b.allocationPart(), b.paymentPart()}
	if b.measuresTargets() {
		parts = append(parts, b.targetPart())
	}

	return b.final(strings.Join(parts, "\nUNION ALL\n")), b.w.args
}

// measuresTargets reports whether target completion applies: targets have
// no source and are measured at the cut-off, not per quarter.
func (b *analysisBuilder) measuresTargets() bool {
	return !b.q.Grouped(fundhub.AnalyzeQuarter) && !b.q.Grouped(fundhub.AnalyzeSource) &&
		len(b.q.Filter.Sources) == 0
}

// ancestor is the code of the region at the query's level above the region
// aliased r; a region above that level stands for itself.
func (b *analysisBuilder) ancestor(r string) string {
	return ancestorAt(b.q.RegionLevel, r)
}

// preds returns the WHERE clause of the predicates added since the last
// call, leaving the arguments in place for the next part.
func (b *analysisBuilder) preds() string {
	out := b.w.sql()
	b.w.preds = nil

	return out
}

// keys returns the key columns of a part, grouped dimensions from exprs and
// the rest NULL, and the GROUP BY clause.
func (b *analysisBuilder) keys(exprs map[fundhub.AnalysisDimension]string) (string, string) {
	var cols, group []string
	for i, k := range analysisKeys {
		e, ok := exprs[k.dim]
		if !b.q.Grouped(k.dim) || !ok || e == "" {
			cols = append(cols, k.null+" AS "+k.col)
			continue
		}
		cols = append(cols, e+" AS "+k.col)
		group = append(group, fmt.Sprint(i+1))
	}
	if len(group) == 0 {
		return strings.Join(cols, ", "), ""
	}

	return strings.Join(cols, ", "), " GROUP BY " + strings.Join(group, ", ")
}

// filters adds the query's filter over the columns a part names; an empty
// column means the part has no such dimension and the filter excludes it.
func (b *analysisBuilder) filters(category, fund, source, direction, path, year string) {
	f := b.q.Filter
	anyOf := func(col string, n int, v any) {
		if n == 0 {
			return
		}
		if col == "" {
			b.w.preds = append(b.w.preds, "false")
			return
		}
		b.w.add(col+" = ANY(%s)", v)
	}
	anyOf(category, len(f.Categories), stringArray(f.Categories))
	anyOf(fund, len(f.FundIDs), pq.Array(f.FundIDs))
	anyOf(source, len(f.Sources), stringArray(f.Sources))
	anyOf(direction, len(f.Directions), stringArray(f.Directions))
	anyOf(year, len(f.Years), pq.Array(f.Years))
	if f.Region != nil {
		b.w.under(path, *f.Region)
	}
}

// stringArray wraps string-typed enums for an = ANY($n) placeholder.
func stringArray[T ~string](vs []T) any {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}

	return pq.Array(out)
}

// quarterIndex is the Quarter.Index of a date expression.
func quarterIndex(date string) string {
	return fmt.Sprintf("(extract(year FROM %[1]s)::integer * 4 + "+
		"extract(quarter FROM %[1]s)::integer - 1)", date)
}

// final sums the parts per group, derives the rates, ranks and orders the
// groups and cuts the page, counting every group.
func (b *analysisBuilder) final(facts string) string {
	var cols []string
	for _, k := range analysisKeys {
		cols = append(cols, k.col)
	}
	keyList := strings.Join(cols, ", ")

	return `WITH facts AS (` + facts + `),
groups AS (SELECT ` + keyList + `,
	COALESCE(sum(allocated), 0) AS allocated, COALESCE(sum(received), 0) AS received,
	COALESCE(sum(paid), 0) AS paid, COALESCE(sum(projects), 0)::integer AS project_count,
	COALESCE(sum(targets), 0)::integer AS target_count, sum(completion) AS completion,
	bool_and(by_months) AS by_months
	FROM facts GROUP BY ` + keyList + `),
figures AS (SELECT *,
	round(paid * 100 / NULLIF(allocated, 0), 2) AS execution_rate,
	round(received * 100 / NULLIF(allocated, 0), 2) AS received_rate,
	round(completion * 100 / NULLIF(target_count, 0), 2) AS target_completion_rate
	FROM groups)
SELECT ` + keyList + `, allocated, received, paid, project_count, target_count,
	execution_rate, received_rate, COALESCE(by_months, false) AS by_months,
	CASE WHEN ` + fmt.Sprint(b.measuresTargets()) + ` THEN target_completion_rate END
		AS target_completion_rate,
	rank() OVER (ORDER BY ` + measureColumn(b.q.RankBy) + ` DESC NULLS LAST)::integer AS rank,
	count(*) OVER ()::integer AS total_count
FROM figures ORDER BY ` + b.order(cols) + b.limit()
}

// limit cuts the page, or nothing when every group is wanted.
func (b *analysisBuilder) limit() string {
	if b.q.All {
		return ""
	}

	return b.w.page(b.q.Page)
}

// order is the ORDER BY list: the requested sorts, then the grouped
// dimensions in the order asked, then every key, so that pages never
// overlap.
func (b *analysisBuilder) order(keys []string) string {
	var out []string
	for _, s := range b.q.Sort {
		col := ""
		if s.Measure != nil {
			col = measureColumn(*s.Measure)
		} else {
			col = dimensionColumn(*s.Dimension)
		}
		dir := " ASC NULLS LAST"
		if s.Descending {
			dir = " DESC NULLS LAST"
		}
		out = append(out, col+dir)
	}

	for _, d := range b.q.GroupBy {
		out = append(out, dimensionColumn(d))
	}

	return strings.Join(append(out, keys...), ", ")
}

// measureColumn is the column of a measure in the figures.
func measureColumn(m fundhub.AnalysisMeasure) string {
	switch m {
	case fundhub.MeasureAllocated:
		return "allocated"
	case fundhub.MeasureReceived:
		return "received"
	case fundhub.MeasurePaid:
		return "paid"
	case fundhub.MeasureReceivedRate:
		return "received_rate"
	case fundhub.MeasureProjectCount:
		return "project_count"
	case fundhub.MeasureTargetCompletion:
		return "target_completion_rate"
	}

	return "execution_rate"
}

// dimensionColumn is the key column of a dimension.
func dimensionColumn(d fundhub.AnalysisDimension) string {
	for _, k := range analysisKeys {
		if k.dim == d {
			return k.col
		}
	}

	return "1"
}
