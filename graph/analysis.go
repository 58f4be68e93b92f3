package graph

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/shopspring/decimal"
	"github.com/vektah/gqlparser/v2/ast"

	"fundhub"
	"fundhub/monitor"
)

// AnalysisRow is one group of an analysis, with the shared state its
// comparison fields are read from: each comparison runs once per query,
// not once per row.
type AnalysisRow struct {
	*fundhub.AnalysisRow
	set *analysisSet
}

// AnalysisConnection is one page of an analysis. Its total is read only
// when asked for.
type AnalysisConnection struct {
	Edges      []*AnalysisEdge
	Nodes      []*AnalysisRow
	PageInfo   *PageInfo
	TotalCount int
	AsOf       *fundhub.Quarter
	set        *analysisSet
}

// analysisSet is one analysis as asked, and its comparison cuts, each read
// at most once, when a row first asks for it.
type analysisSet struct {
	r     *Resolver
	scope fundhub.Scope
	q     fundhub.AnalysisQuery
	today time.Time

	yoy, qoq, siblingCut, nationCut lazyCut
	parents                         lazyParents

	totalOnce    sync.Once
	totalFigures *fundhub.Figures
	totalErr     error
}

// lazyCut is a whole cut of an analysis keyed by analysisKey, read once.
type lazyCut struct {
	once sync.Once
	rows map[string]*fundhub.AnalysisRow
	err  error
}

type lazyParents struct {
	once sync.Once
	of   map[string]string
	err  error
}

// analysisKey writes a group's key as text, for matching rows across cuts.
func analysisKey(k fundhub.AnalysisKey) string {
	s := func(p *string) string {
		if p == nil {
			return "-"
		}
		return *p
	}
	i := func(p *int) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprint(*p)
	}
	var fund string = "-"
	if k.FundID != nil {
		fund = fmt.Sprint(*k.FundID)
	}

	return fmt.Sprintf("%v|%s|%v|%v|%s|%s|%s", deref(k.Category), fund, deref(k.Source),
		deref(k.Direction), s(k.Region), i(k.Year), i(k.QuarterIndex))
}

func deref[T any](p *T) any {
	if p == nil {
		return "-"
	}

	return *p
}

// cut reads a whole variant of the query, once.
func (a *analysisSet) cut(ctx context.Context, l *lazyCut,
	vary func(q *fundhub.AnalysisQuery)) (map[string]*fundhub.AnalysisRow, error) {
	l.once.Do(func() {
		q := a.q
		q.Filter.Years = append([]int(nil), q.Filter.Years...)
		q.Sort, q.All = nil, true
		vary(&q)
		res, err := a.r.Store.Analyze(ctx, a.scope, q)
		if err != nil {
			l.err = err
			return
		}
		l.rows = make(map[string]*fundhub.AnalysisRow, len(res.Rows))
		for _, row := range res.Rows {
			l.rows[analysisKey(row.AnalysisKey)] = row
		}
	})

	return l.rows, l.err
}

// shifted returns k moved back by years and quarters, as the earlier cut
// keys the same group.
func shifted(k fundhub.AnalysisKey, years, quarters int) fundhub.AnalysisKey {
	if k.Year != nil {
		y := *k.Year - years
		k.Year = &y
	}
	if k.QuarterIndex != nil {
		q := *k.QuarterIndex - quarters
		k.QuarterIndex = &q
	}

	return k
}

// previousYear is the group a year earlier: fund years one less, as at the
// same quarter of the year before.
func (a *analysisSet) previousYear(ctx context.Context,
	k fundhub.AnalysisKey) (*fundhub.Figures, error) {
	rows, err := a.cut(ctx, &a.yoy, func(q *fundhub.AnalysisQuery) {
		q.AsOf = q.AsOf.YearBefore()
		for i := range q.Filter.Years {
			q.Filter.Years[i]--
		}
	})

	if k.FundID != nil {
		// A fund is one year's: a year before, it is another fund.
		return nil, err
	}

	return figuresOf(rows, shifted(k, 1, 4)), err
}

// previousQuarter is the group as at the end of the quarter before; by
// quarter, the quarter before.
func (a *analysisSet) previousQuarter(ctx context.Context,
	k fundhub.AnalysisKey) (*fundhub.Figures, error) {
	rows, err := a.cut(ctx, &a.qoq, func(q *fundhub.AnalysisQuery) {
		q.AsOf = q.AsOf.Prev()
	})

	return figuresOf(rows, shifted(k, 0, 1)), err
}

// figuresOf returns the figures of group k in rows; a group with nothing
// in that cut has zero figures and no rates.
func figuresOf(rows map[string]*fundhub.AnalysisRow, k fundhub.AnalysisKey) *fundhub.Figures {
	if rows == nil {
		return nil
	}
	if row, ok := rows[analysisKey(k)]; ok {
		return &row.Figures
	}

	return &fundhub.Figures{}
}

// national is the same cut over the whole country, without the regions:
// only for a caller who sees the whole country.
func (a *analysisSet) national(ctx context.Context,
	k fundhub.AnalysisKey) (*fundhub.Figures, error) {
	if !a.scope.All {
		return nil, nil
	}
	rows, err := a.cut(ctx, &a.nationCut, func(q *fundhub.AnalysisQuery) {
		q.Filter.Region = nil
		var dims []fundhub.AnalysisDimension
		for _, d := range q.GroupBy {
			if d != fundhub.AnalyzeRegion {
				dims = append(dims, d)
			}
		}
		q.GroupBy = dims
	})
	k.Region = nil

	return figuresOf(rows, k), err
}

// change is the difference between now and before.
func change(now, before *fundhub.Figures) *Change {
	if before == nil {
		return nil
	}
	hundred := decimal.NewFromInt(100)
	percent := func(n, b decimal.Decimal) *decimal.Decimal {
		if b.IsZero() {
			return nil
		}
		p := n.Sub(b).Mul(hundred).Div(b).Round(2)
		return &p
	}
	points := func(n, b *decimal.Decimal) *decimal.Decimal {
		if n == nil || b == nil {
			return nil
		}
		p := n.Sub(*b)
		return &p
	}

	return &Change{
		Allocated:              now.Allocated.Sub(before.Allocated),
		AllocatedPercent:       percent(now.Allocated, before.Allocated),
		Paid:                   now.Paid.Sub(before.Paid),
		PaidPercent:            percent(now.Paid, before.Paid),
		ExecutionRatePoints:    points(now.ExecutionRate, before.ExecutionRate),
		TargetCompletionPoints: points(now.TargetCompletionRate, before.TargetCompletionRate),
	}
}

// timeProgress is the row's 序时进度, when the row is of one fund year: as
// of the cut-off quarter's end, or today when that is later.
func (a *analysisSet) timeProgress(row *fundhub.AnalysisRow) *fundhub.TimeProgress {
	year := 0
	switch {
	case row.Year != nil:
		year = *row.Year
	case len(a.q.Filter.Years) == 1:
		year = a.q.Filter.Years[0]
	default:
		return nil
	}
	day := a.q.AsOf.End()
	if a.today.Before(day) {
		day = a.today
	}
	p := fundhub.Progress(year, day, row.ByMonths, row.ExecutionRate, a.r.thresholds())

	return &p
}

// thresholds are the yellow and red gaps of time progress: the monitor's,
// so that screens and raised problems agree.
func (r *Resolver) thresholds() fundhub.ProgressThresholds {
	cfg := r.Monitor
	if cfg == nil {
		d := monitor.DefaultConfig()
		cfg = &d
	}

	return fundhub.ProgressThresholds{Yellow: cfg.SlowPayment.YellowGap,
		Red: cfg.SlowPayment.RedGap}
}

// today is the date in China, where the funds' years and quarters run.
func today() time.Time {
	now := time.Now().In(chinaTime)
	return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
}

var chinaTime = time.FixedZone("CST", 8*60*60)

// analysisArgs are the arguments of the analysis field.
type analysisArgs struct {
	groupBy     []fundhub.AnalysisDimension
	regionLevel *fundhub.RegionLevel
	filter      *fundhub.AnalysisFilter
	asOf        *QuarterInput
	sort        []*fundhub.AnalysisSort
	rankBy      *fundhub.AnalysisMeasure
	first       *int
	after       *string
}

// analysis runs the analytical query for the caller and wraps its rows
// with the set their comparisons are read from.
func (r *Resolver) analysis(ctx context.Context, a analysisArgs) (*AnalysisConnection, error) {
	p, err := pageArgs(a.first, a.after)
	if err != nil {
		return nil, err
	}
	q := fundhub.AnalysisQuery{GroupBy: a.groupBy, Filter: derefOr(a.filter), Page: p}
	if a.regionLevel != nil {
		q.RegionLevel = *a.regionLevel
	}
	if a.asOf != nil {
		q.AsOf = fundhub.Quarter{Year: a.asOf.Year, Quarter: a.asOf.Quarter}
	}
	if a.rankBy != nil {
		q.RankBy = *a.rankBy
	}
	for _, s := range a.sort {
		q.Sort = append(q.Sort, *s)
	}
	set := &analysisSet{r: r, scope: ScopeFrom(ctx), today: today()}
	if err := q.Validate(set.today); err != nil {
		return nil, err
	}
	set.q = q

	set.prefetch(ctx, requestedRowFields(ctx))
	res, err := r.Store.Analyze(ctx, set.scope, q)
	if err != nil {
		return nil, err
	}
	rows := make([]*AnalysisRow, len(res.Rows))
	for i, row := range res.Rows {
		rows[i] = &AnalysisRow{AnalysisRow: row, set: set}
	}
	e, info := edges(rows, p, res.TotalCount, func(c string, n *AnalysisRow) *AnalysisEdge {
		return &AnalysisEdge{Cursor: c, Node: n}
	})

	return &AnalysisConnection{Edges: e, Nodes: trim(rows, p), PageInfo: info,
		TotalCount: res.TotalCount, AsOf: &set.q.AsOf, set: set}, nil
}

// requestedRowFields names the fields the operation asks of each row of
// the analysis being resolved, through nodes or edges.
func requestedRowFields(ctx context.Context) map[string]bool {
	oc := graphql.GetOperationContext(ctx)
	out := map[string]bool{}
	add := func(sel ast.SelectionSet) {
		for _, f := range graphql.CollectFields(oc, sel, nil) {
			out[f.Name] = true
		}
	}
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		switch f.Name {
		case "nodes":
			add(f.Selections)
		case "edges":
			for _, e := range graphql.CollectFields(oc, f.Selections, nil) {
				if e.Name == "node" {
					add(e.Selections)
				}
			}
		case "total":
			out["total"] = true
		}
	}

	return out
}

// prefetch starts the comparison cuts and the total the operation asks
// for, so that they run beside the page's own statement rather than after
// it; the rows' fields wait for them as before.
func (a *analysisSet) prefetch(ctx context.Context, fields map[string]bool) {
	var key fundhub.AnalysisKey
	if fields["previousYear"] || fields["yearOnYear"] {
		go func() { _, _ = a.previousYear(ctx, key) }()
	}
	if fields["previousQuarter"] || fields["quarterOnQuarter"] {
		go func() { _, _ = a.previousQuarter(ctx, key) }()
	}
	if fields["national"] {
		go func() { _, _ = a.national(ctx, key) }()
	}
	if fields["siblings"] && a.q.Grouped(fundhub.AnalyzeRegion) {
		go func() { _, _ = a.siblingRows(ctx) }()
	}
	if fields["total"] {
		go func() { _, _ = a.total(ctx) }()
	}
}

// total is the figures of everything the analysis covers, read once.
func (a *analysisSet) total(ctx context.Context) (*fundhub.Figures, error) {
	a.totalOnce.Do(func() {
		a.totalFigures, a.totalErr = a.r.Store.AnalysisTotal(ctx, a.scope, a.q)
	})

	return a.totalFigures, a.totalErr
}
