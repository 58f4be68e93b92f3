package graph_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// smCut is one grouping of the analysis the matrix checks.
type smCut struct {
	name, groupBy, level string
	// depth is the region level's depth (1 province, 2 city, 3 county) when
	// REGION is grouped, else 0.
	depth int
	dims  []string
}

var smCuts = []smCut{
	{name: "all", groupBy: ""},
	{name: "provinces", groupBy: "REGION", level: "PROVINCE", depth: 1, dims: []string{"REGION"}},
	{name: "cities", groupBy: "REGION", level: "CITY", depth: 2, dims: []string{"REGION"}},
	{name: "counties", groupBy: "REGION", level: "COUNTY", depth: 3, dims: []string{"REGION"}},
	{name: "directionYear", groupBy: "DIRECTION YEAR", dims: []string{"DIRECTION", "YEAR"}},
	{name: "categorySource", groupBy: "CATEGORY SOURCE", dims: []string{"CATEGORY", "SOURCE"}},
	{name: "fundCity", groupBy: "FUND REGION", level: "CITY", depth: 2,
		dims: []string{"FUND", "REGION"}},
}

// smAncestor is the code at depth above code, or code itself when it lies
// above that depth.
func smAncestor(code string, depth int) string {
	p := smPath(code)
	if depth < len(p) {
		return p[depth]
	}
	return code
}

// smFigures are the figures of one group, summed from the seed.
type smFigures struct {
	allocated, paid decimal.Decimal
	projects        map[int64]bool
}

type smAnalysisRow struct {
	Category, Source, Direction *string
	Year                        *int
	Fund                        *struct{ ID string }
	RegionCode                  *string
	Allocated, Paid             string
	ProjectCount                int
}

func (c smCut) has(d string) bool {
	for _, x := range c.dims {
		if x == d {
			return true
		}
	}
	return false
}

// key is a group's key from its parts, blank for dimensions not grouped.
func (c smCut) key(f *smFund, source, region string) string {
	k := make([]string, 6)
	if f != nil {
		if c.has("CATEGORY") {
			k[0] = f.category
		}
		if c.has("FUND") {
			k[1] = fmt.Sprint(f.id)
		}
		if c.has("DIRECTION") {
			k[2] = f.dir
		}
		if c.has("YEAR") {
			k[3] = fmt.Sprint(f.year)
		}
	}
	if c.has("SOURCE") {
		k[4] = source
	}
	if c.depth > 0 {
		k[5] = smAncestor(region, c.depth)
	}
	return strings.Join(k, "|")
}

func (r smAnalysisRow) key() string {
	s := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	k := []string{s(r.Category), "", s(r.Direction), "", s(r.Source), ""}
	if r.Fund != nil {
		k[1] = r.Fund.ID
	}
	if r.Year != nil {
		k[3] = fmt.Sprint(*r.Year)
	}
	if r.RegionCode != nil {
		k[5] = *r.RegionCode
	}
	return strings.Join(k, "|")
}

// entering is the analysis's rule, restated over the seed: an allocation
// counts where its money enters the group, from outside the group or from
// outside what the caller sees, or at its fund's start.
func (c smCut) entering(u *smUser, a *smAlloc) bool {
	if a.from == a.fund.owner {
		return true
	}
	same := c.depth == 0 || smAncestor(a.from, c.depth) == smAncestor(a.to, c.depth)
	return !(same && u.scope.region(a.from))
}

// expected sums the seed's visible allocations and payments per group.
func (m *smMatrix) expectedAnalysis(u *smUser, c smCut) map[string]*smFigures {
	want := map[string]*smFigures{}
	at := func(k string) *smFigures {
		if want[k] == nil {
			want[k] = &smFigures{projects: map[int64]bool{}}
		}
		return want[k]
	}
	if len(c.dims) == 0 {
		at(c.key(nil, "", ""))
	}
	for _, a := range m.w.allocs {
		if !u.scope.alloc(a) {
			continue
		}
		g := at(c.key(a.fund, a.source, a.to))
		if c.entering(u, a) {
			g.allocated = g.allocated.Add(a.amount)
		}
		if a.project != nil {
			g.projects[a.project.id] = true
		}
	}
	for _, p := range m.w.payments {
		if !u.scope.payment(p, true) {
			continue
		}
		var f *smFund
		source := ""
		if p.alloc != nil {
			f, source = p.alloc.fund, p.alloc.source
		}
		g := at(c.key(f, source, p.region))
		g.paid = g.paid.Add(p.amount)
	}
	return want
}

// checkAnalysis compares every cut of the analysis, as u, with the seed's
// visible records summed in Go: no group outside the scope, none missing,
// and every figure equal to what u may see.
func (m *smMatrix) checkAnalysis(t *testing.T, u *smUser) {
	for _, c := range smCuts {
		var q strings.Builder
		fmt.Fprintf(&q, `{ analysis(groupBy: [%s], asOf: {year: 2100, quarter: 4}, first: 1000`,
			c.groupBy)
		if c.level != "" {
			fmt.Fprintf(&q, ", regionLevel: %s", c.level)
		}
		q.WriteString(`) { totalCount nodes { category source direction year fund { id }
			regionCode allocated paid projectCount } } }`)
		var got struct {
			Analysis struct {
				TotalCount int
				Nodes      []smAnalysisRow
			}
		}
		if m.data(t, u, "analysis "+c.name, q.String(), nil, &got) {
			m.compareCut(t, u, c, got.Analysis.Nodes, got.Analysis.TotalCount)
		}
	}
}

func (m *smMatrix) compareCut(t *testing.T, u *smUser, c smCut, rows []smAnalysisRow,
	total int) {
	want := m.expectedAnalysis(u, c)
	what := "analysis " + c.name
	if total != len(rows) {
		t.Errorf("%s: %s: totalCount %d over %d rows", u, what, total, len(rows))
	}
	seen := map[string]bool{}
	for _, r := range rows {
		k := r.key()
		w, ok := want[k]
		if seen[k] || !ok {
			t.Errorf("%s: %s LEAKS or repeats group %s (allocated %s, paid %s)", u, what, k,
				r.Allocated, r.Paid)
			continue
		}
		seen[k] = true
		alloc, _ := decimal.NewFromString(r.Allocated)
		paid, _ := decimal.NewFromString(r.Paid)
		if !alloc.Equal(w.allocated) || !paid.Equal(w.paid) || r.ProjectCount != len(w.projects) {
			t.Errorf("%s: %s: group %s: got allocated %s, paid %s, %d projects; want %s, %s, "+
				"%d, from what the caller sees", u, what, k, r.Allocated, r.Paid,
				r.ProjectCount, w.allocated, w.paid, len(w.projects))
		}
	}
	for k, w := range want {
		if !seen[k] {
			t.Errorf("%s: %s HIDES group %s (allocated %s, paid %s in scope)", u, what, k,
				w.allocated, w.paid)
		}
	}
}
