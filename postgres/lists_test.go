package postgres_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"fundhub"
	"fundhub/postgres"
	"fundhub/postgres/pgtest"
)

// Scopes shared by the list tests. Hangzhou is 330100 with the counties
// 330105 and 330106; Ningbo is 330200 with the county 330203.
var (
	hzScope    = fundhub.Scope{RegionCodes: []string{"330100"}}
	nbScope    = fundhub.Scope{RegionCodes: []string{"330200"}}
	hzGeoScope = fundhub.Scope{RegionCodes: []string{"330100"},
		Directions: []fundhub.Direction{fundhub.DirectionGeohazard}}
	hzEcoScope = fundhub.Scope{RegionCodes: []string{"330100"},
		Directions: []fundhub.Direction{fundhub.DirectionEcoRestoration}}
	zjGeoScope = fundhub.Scope{RegionCodes: []string{"330000"},
		Directions: []fundhub.Direction{fundhub.DirectionGeohazard}}
	dirOnlyScope = fundhub.Scope{
		Directions: []fundhub.Direction{fundhub.DirectionGeohazard}}
)

func TestFunds_List(t *testing.T) {
	db := pgtest.New(t)
	seedFunds(t, db)
	year, local, geo := 2024, fundhub.CategoryLocal, fundhub.DirectionGeohazard
	eco, pct := "eco", "%"

	tests := []struct {
		name   string
		scope  fundhub.Scope
		filter fundhub.FundFilter
		page   fundhub.Page
		want   []string
		total  int
	}{
		{name: "all, year desc then name", scope: fundhub.FullScope(),
			want: []string{"central eco", "central geohazard", "hangzhou eco",
				"ningbo geohazard", "zhejiang eco", "zhejiang social", "beijing eco"},
			total: 7},
		{name: "year", scope: fundhub.FullScope(), filter: fundhub.FundFilter{Year: &year},
			want: []string{"central eco", "central geohazard", "hangzhou eco",
				"ningbo geohazard"}, total: 4},
		{name: "category", scope: fundhub.FullScope(),
			filter: fundhub.FundFilter{Category: &local},
			want: []string{"hangzhou eco", "ningbo geohazard", "zhejiang eco",
				"beijing eco"}, total: 4},
		{name: "direction", scope: fundhub.FullScope(),
			filter: fundhub.FundFilter{Direction: &geo},
			want:   []string{"central geohazard", "ningbo geohazard"}, total: 2},
		{name: "name substring", scope: fundhub.FullScope(),
			filter: fundhub.FundFilter{NameLike: &eco},
			want: []string{"central eco", "hangzhou eco", "zhejiang eco",
				"beijing eco"}, total: 4},
		{name: "name has no wildcards", scope: fundhub.FullScope(),
			filter: fundhub.FundFilter{NameLike: &pct}},
		{name: "page 2 of 3", scope: fundhub.FullScope(),
			page:  fundhub.Page{First: 3, Offset: 3},
			want:  []string{"ningbo geohazard", "zhejiang eco", "zhejiang social"},
			total: 7},
		{name: "hangzhou: central, own and allocated to it", scope: hzScope,
			want: []string{"central eco", "central geohazard", "hangzhou eco",
				"zhejiang social"}, total: 4},
		{name: "ningbo", scope: nbScope,
			want: []string{"central eco", "central geohazard", "ningbo geohazard",
				"zhejiang eco"}, total: 4},
		{name: "hangzhou geohazard", scope: hzGeoScope,
			want: []string{"central geohazard"}, total: 1},
		{name: "scope and filter", scope: hzScope,
			filter: fundhub.FundFilter{Category: &local},
			want:   []string{"hangzhou eco"}, total: 1},
		{name: "scoped page counts only visible", scope: hzScope,
			page: fundhub.Page{First: 2, Offset: 2},
			want: []string{"hangzhou eco", "zhejiang social"}, total: 4},
		{name: "zero scope", scope: fundhub.Scope{}},
		{name: "directions without regions", scope: dirOnlyScope},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, total, err := db.FindFunds(context.Background(), tc.scope,
				tc.filter, tc.page)
			checkList(t, got, total, err, fundName, tc.want, tc.total)
		})
	}
}

func TestFunds_Find(t *testing.T) {
	db := pgtest.New(t)
	ids := seedFunds(t, db)

	tests := []struct {
		name  string
		scope fundhub.Scope
		id    int64
		want  string // "" for ENOTFOUND
	}{
		{"full", fundhub.FullScope(), ids["central eco"], "central eco"},
		{"central fund seen by a city", hzScope, ids["central eco"], "central eco"},
		{"allocated to the scope", hzScope, ids["zhejiang social"], "zhejiang social"},
		{"other city's fund", hzScope, ids["ningbo geohazard"], ""},
		{"province fund not allocated here", hzScope, ids["zhejiang eco"], ""},
		{"other direction", hzGeoScope, ids["central eco"], ""},
		{"zero scope", fundhub.Scope{}, ids["central eco"], ""},
		{"missing", fundhub.FullScope(), 999999, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := db.FindFund(context.Background(), tc.scope, tc.id)
			if tc.want == "" {
				checkNotFound(t, err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if f.Name != tc.want {
				t.Errorf("name: got %q, want %q", f.Name, tc.want)
			}
		})
	}
}

func TestFunds_FindLoadsEveryColumn(t *testing.T) {
	db := pgtest.New(t)
	ids := seedFunds(t, db)

	f, err := db.FindFund(context.Background(), fundhub.FullScope(), ids["hangzhou eco"])
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("%s %d %s %s %s %v %v", f.Name, f.Year, f.Category, f.Direction,
		f.OwnerRegion, deref(f.LocalLevel), deref(f.Code))
	want := "hangzhou eco 2024 LOCAL ECO_RESTORATION 330100 CITY HZ-ECO"
	if got != want {
		t.Errorf("fund: got %q, want %q", got, want)
	}
	prov := fmt.Sprintf("%v %v %v", deref(f.SourceSystem), deref(f.ExternalID),
		f.LastSyncedAt != nil)
	if prov != "finance F-7 true" {
		t.Errorf("provenance: got %q, want %q", prov, "finance F-7 true")
	}
}

func TestFunds_ByIDs(t *testing.T) {
	db := pgtest.New(t)
	ids := seedFunds(t, db)
	all := append(slices.Collect(maps.Values(ids)), 999999)

	tests := []struct {
		name  string
		scope fundhub.Scope
		want  []string
	}{
		{"full, by id", fundhub.FullScope(), []string{"central eco", "central geohazard",
			"hangzhou eco", "ningbo geohazard", "zhejiang eco", "zhejiang social",
			"beijing eco"}},
		{"hangzhou", hzScope, []string{"central eco", "central geohazard",
			"hangzhou eco", "zhejiang social"}},
		{"hangzhou geohazard", hzGeoScope, []string{"central geohazard"}},
		{"zero scope", fundhub.Scope{}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := db.FundsByIDs(context.Background(), tc.scope, all)
			checkList(t, got, len(tc.want), err, fundName, tc.want, len(tc.want))
		})
	}
}

func TestProjects_List(t *testing.T) {
	db := pgtest.New(t)
	seedProjects(t, db)
	hz, zj := "330100", "330000"
	geo, applied := fundhub.DirectionGeohazard, fundhub.ReserveApplied
	slope, underscore := "slope", "_"
	hzAll := []string{"hangzhou slope", "gongshu mine", "west lake wetland"}

	tests := []struct {
		name   string
		scope  fundhub.Scope
		filter fundhub.ProjectFilter
		page   fundhub.Page
		want   []string
		total  int
	}{
		{name: "all, by region code", scope: fundhub.FullScope(),
			want: []string{"dongcheng park", "hangzhou slope", "gongshu mine",
				"west lake wetland", "ningbo coast", "haishu slope"}, total: 6},
		{name: "region under, itself included", scope: fundhub.FullScope(),
			filter: fundhub.ProjectFilter{RegionUnder: &hz}, want: hzAll, total: 3},
		{name: "direction", scope: fundhub.FullScope(),
			filter: fundhub.ProjectFilter{Direction: &geo},
			want:   []string{"hangzhou slope", "haishu slope"}, total: 2},
		{name: "reserve status", scope: fundhub.FullScope(),
			filter: fundhub.ProjectFilter{ReserveStatus: &applied},
			want:   []string{"west lake wetland", "ningbo coast", "haishu slope"},
			total:  3},
		{name: "name contains", scope: fundhub.FullScope(),
			filter: fundhub.ProjectFilter{NameContains: &slope},
			want:   []string{"hangzhou slope", "haishu slope"}, total: 2},
		{name: "name has no wildcards", scope: fundhub.FullScope(),
			filter: fundhub.ProjectFilter{NameContains: &underscore}},
		{name: "page 2 of 3", scope: fundhub.FullScope(),
			page: fundhub.Page{First: 2, Offset: 2},
			want: []string{"gongshu mine", "west lake wetland"}, total: 6},
		{name: "hangzhou", scope: hzScope, want: hzAll, total: 3},
		{name: "hangzhou asking for the province", scope: hzScope,
			filter: fundhub.ProjectFilter{RegionUnder: &zj}, want: hzAll, total: 3},
		{name: "ningbo", scope: nbScope,
			want: []string{"ningbo coast", "haishu slope"}, total: 2},
		{name: "geohazard sees no eco restoration", scope: zjGeoScope,
			want: []string{"hangzhou slope", "haishu slope"}, total: 2},
		{name: "hangzhou geohazard", scope: hzGeoScope,
			want: []string{"hangzhou slope"}, total: 1},
		{name: "two subtrees", scope: fundhub.Scope{RegionCodes: []string{"110000", "330100"}},
			want: append([]string{"dongcheng park"}, hzAll...), total: 4},
		{name: "scoped page counts only visible", scope: hzScope,
			page: fundhub.Page{First: 2, Offset: 2},
			want: []string{"west lake wetland"}, total: 3},
		{name: "zero scope", scope: fundhub.Scope{}},
		{name: "directions without regions", scope: dirOnlyScope},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, total, err := db.FindProjects(context.Background(), tc.scope,
				tc.filter, tc.page)
			checkList(t, got, total, err, projectName, tc.want, tc.total)
		})
	}
}

func TestProjects_Find(t *testing.T) {
	db := pgtest.New(t)
	ids := seedProjects(t, db)

	tests := []struct {
		name  string
		scope fundhub.Scope
		id    int64
		want  string // "" for ENOTFOUND
	}{
		{"full", fundhub.FullScope(), ids["ningbo coast"], "ningbo coast"},
		{"hangzhou county", hzScope, ids["west lake wetland"], "west lake wetland"},
		{"other city", hzScope, ids["ningbo coast"], ""},
		{"other direction", hzGeoScope, ids["west lake wetland"], ""},
		{"zero scope", fundhub.Scope{}, ids["west lake wetland"], ""},
		{"missing", fundhub.FullScope(), 999999, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := db.FindProject(context.Background(), tc.scope, tc.id)
			if tc.want == "" {
				checkNotFound(t, err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Name != tc.want {
				t.Errorf("name: got %q, want %q", p.Name, tc.want)
			}
		})
	}
}

func TestProjects_FindLoadsEveryColumn(t *testing.T) {
	db := pgtest.New(t)
	ids := seedProjects(t, db)

	p, err := db.FindProject(context.Background(), hzScope, ids["west lake wetland"])
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("%s %s %s %s %s %s %s %s", p.Name, p.RegionCode, p.Direction,
		p.ReserveStatus, p.PlannedInvestment, p.StartOn.Format(time.DateOnly),
		deref(p.SourceSystem), deref(p.ExternalID))
	want := "west lake wetland 330106 ECO_RESTORATION APPLIED 1250000.5 2024-03-01 " +
		"reserve P-1"
	if got != want {
		t.Errorf("project: got %q, want %q", got, want)
	}
}

func TestProjects_ByIDs(t *testing.T) {
	db := pgtest.New(t)
	ids := seedProjects(t, db)
	all := append(slices.Collect(maps.Values(ids)), 999999)

	tests := []struct {
		name  string
		scope fundhub.Scope
		want  []string
	}{
		{"hangzhou, by id", hzScope, []string{"west lake wetland", "hangzhou slope",
			"gongshu mine"}},
		{"hangzhou geohazard", hzGeoScope, []string{"hangzhou slope"}},
		{"zero scope", fundhub.Scope{}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := db.ProjectsByIDs(context.Background(), tc.scope, all)
			checkList(t, got, len(tc.want), err, projectName, tc.want, len(tc.want))
		})
	}
}

func TestTargets_List(t *testing.T) {
	db := pgtest.New(t)
	ids := seedTargets(t, db)
	hz, y2023 := "330100", 2023
	alloc, project, fund := ids["allocation"], ids["project"], ids["hangzhou eco"]
	hzAll := []string{"slopes fixed", "wetland area", "survey done", "mine restored"}

	tests := []struct {
		name   string
		scope  fundhub.Scope
		filter fundhub.TargetFilter
		page   fundhub.Page
		want   []string
		total  int
	}{
		{name: "all, year desc then region", scope: fundhub.FullScope(),
			want: []string{"slopes fixed", "wetland area", "ningbo slopes",
				"survey done", "mine restored"}, total: 5},
		{name: "region under", scope: fundhub.FullScope(),
			filter: fundhub.TargetFilter{RegionUnder: &hz}, want: hzAll, total: 4},
		{name: "year", scope: fundhub.FullScope(),
			filter: fundhub.TargetFilter{Year: &y2023},
			want:   []string{"survey done", "mine restored"}, total: 2},
		{name: "allocation", scope: fundhub.FullScope(),
			filter: fundhub.TargetFilter{AllocationID: &alloc},
			want:   []string{"wetland area"}, total: 1},
		{name: "project", scope: fundhub.FullScope(),
			filter: fundhub.TargetFilter{ProjectID: &project},
			want:   []string{"mine restored"}, total: 1},
		{name: "fund", scope: fundhub.FullScope(),
			filter: fundhub.TargetFilter{FundID: &fund},
			want:   []string{"wetland area", "mine restored"}, total: 2},
		{name: "page 2 of 3", scope: fundhub.FullScope(),
			page: fundhub.Page{First: 2, Offset: 2},
			want: []string{"ningbo slopes", "survey done"}, total: 5},
		{name: "hangzhou, fundless included", scope: hzScope, want: hzAll, total: 4},
		{name: "ningbo", scope: nbScope, want: []string{"ningbo slopes"}, total: 1},
		{name: "direction by fund, fundless hidden", scope: zjGeoScope,
			want: []string{"slopes fixed", "ningbo slopes"}, total: 2},
		{name: "hangzhou eco restoration", scope: hzEcoScope,
			want: []string{"wetland area", "mine restored"}, total: 2},
		{name: "scoped page counts only visible", scope: hzScope,
			page: fundhub.Page{First: 3, Offset: 3},
			want: []string{"mine restored"}, total: 4},
		{name: "zero scope", scope: fundhub.Scope{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, total, err := db.FindTargets(context.Background(), tc.scope,
				tc.filter, tc.page)
			checkList(t, got, total, err, indicator, tc.want, tc.total)
		})
	}
}

func TestTargets_ByIDs(t *testing.T) {
	db := pgtest.New(t)
	ids := seedTargets(t, db)
	var all []int64
	for _, k := range []string{"wetland area", "slopes fixed", "ningbo slopes",
		"survey done", "mine restored"} {
		all = append(all, ids[k])
	}
	all = append(all, 999999)

	tests := []struct {
		name  string
		scope fundhub.Scope
		want  []string
	}{
		{"hangzhou, by id", hzScope, []string{"wetland area", "slopes fixed",
			"survey done", "mine restored"}},
		{"hangzhou eco restoration", hzEcoScope, []string{"wetland area",
			"mine restored"}},
		{"hangzhou geohazard", hzGeoScope, []string{"slopes fixed"}},
		{"zero scope", fundhub.Scope{}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := db.TargetsByIDs(context.Background(), tc.scope, all)
			checkList(t, got, len(tc.want), err, indicator, tc.want, len(tc.want))
		})
	}
}

func TestReports_List(t *testing.T) {
	db := pgtest.New(t)
	seedReports(t, db)
	wl, y2023, q2 := "330106", 2023, 2
	submitted := fundhub.ReportSubmitted
	hzAll := []string{"330100 2024Q2", "330106 2024Q2", "330100 2024Q1",
		"330100 2023Q4", "330106 2023Q4"}

	tests := []struct {
		name   string
		scope  fundhub.Scope
		filter fundhub.ReportFilter
		page   fundhub.Page
		want   []string
		total  int
	}{
		{name: "all, latest quarter first", scope: fundhub.FullScope(),
			want: []string{"330100 2024Q2", "330106 2024Q2", "330200 2024Q2",
				"330100 2024Q1", "330100 2023Q4", "330106 2023Q4"}, total: 6},
		{name: "region under", scope: fundhub.FullScope(),
			filter: fundhub.ReportFilter{RegionUnder: &wl},
			want:   []string{"330106 2024Q2", "330106 2023Q4"}, total: 2},
		{name: "year", scope: fundhub.FullScope(),
			filter: fundhub.ReportFilter{Year: &y2023},
			want:   []string{"330100 2023Q4", "330106 2023Q4"}, total: 2},
		{name: "quarter", scope: fundhub.FullScope(),
			filter: fundhub.ReportFilter{Quarter: &q2},
			want:   []string{"330100 2024Q2", "330106 2024Q2", "330200 2024Q2"},
			total:  3},
		{name: "status", scope: fundhub.FullScope(),
			filter: fundhub.ReportFilter{Status: &submitted},
			want:   []string{"330106 2024Q2", "330200 2024Q2", "330106 2023Q4"},
			total:  3},
		{name: "page 2 of 3", scope: fundhub.FullScope(),
			page: fundhub.Page{First: 2, Offset: 2},
			want: []string{"330200 2024Q2", "330100 2024Q1"}, total: 6},
		{name: "hangzhou", scope: hzScope, want: hzAll, total: 5},
		{name: "directions do not narrow reports", scope: hzGeoScope,
			want: hzAll, total: 5},
		{name: "ningbo", scope: nbScope, want: []string{"330200 2024Q2"}, total: 1},
		{name: "scope and filter", scope: hzScope,
			filter: fundhub.ReportFilter{Status: &submitted},
			want:   []string{"330106 2024Q2", "330106 2023Q4"}, total: 2},
		{name: "zero scope", scope: fundhub.Scope{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, total, err := db.FindReports(context.Background(), tc.scope,
				tc.filter, tc.page)
			checkList(t, got, total, err, reportKey, tc.want, tc.total)
		})
	}
}

func TestReports_LinesByReport(t *testing.T) {
	db := pgtest.New(t)
	ids := seedReports(t, db)
	r1, r2, r3 := ids["330100 2024Q2"], ids["330100 2024Q1"], ids["330106 2024Q2"]
	l1 := seedID(t, db, `INSERT INTO report_lines (report_id, source, paid_amount)
		VALUES ($1, 'CENTRAL_TRANSFER', 100.25) RETURNING id`, r1)
	l2 := seedID(t, db, `INSERT INTO report_lines (report_id, actual_value, note)
		VALUES ($1, 3.5, 'hectares') RETURNING id`, r1)
	l3 := seedID(t, db, `INSERT INTO report_lines (report_id, paid_amount)
		VALUES ($1, 50) RETURNING id`, r3)

	got, err := db.LinesByReport(context.Background(), fundhub.FullScope(),
		[]int64{r1, r2, r3, 999999})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Errorf("reports with lines: got %d, want 2", len(got))
	}
	if ids := lineIDs(got[r1]); !slices.Equal(ids, []int64{l1, l2}) {
		t.Errorf("lines of report 1: got %v, want %v", ids, []int64{l1, l2})
	}
	if ids := lineIDs(got[r3]); !slices.Equal(ids, []int64{l3}) {
		t.Errorf("lines of report 3: got %v, want %v", ids, []int64{l3})
	}
	if len(got[r1]) == 2 {
		checkLines(t, got[r1][0], got[r1][1])
	}
}

func checkLines(t *testing.T, paid, actual *fundhub.ReportLine) {
	t.Helper()
	if paid.PaidAmount == nil || !paid.PaidAmount.Equal(decimal.RequireFromString("100.25")) {
		t.Errorf("paid amount: got %v, want 100.25", paid.PaidAmount)
	}
	if paid.Source == nil || *paid.Source != fundhub.SourceCentralTransfer {
		t.Errorf("source: got %v, want CENTRAL_TRANSFER", paid.Source)
	}
	if actual.ActualValue == nil || !actual.ActualValue.Equal(decimal.RequireFromString("3.5")) {
		t.Errorf("actual value: got %v, want 3.5", actual.ActualValue)
	}
}

func TestProblems_List(t *testing.T) {
	db := pgtest.New(t)
	seedProblems(t, db)
	hz, late, open, rule := "330100", "LATE", "OPEN", "late-report"

	tests := []struct {
		name   string
		scope  fundhub.Scope
		filter fundhub.ProblemFilter
		page   fundhub.Page
		want   []string
		total  int
	}{
		{name: "all, newest first, ties by id desc", scope: fundhub.FullScope(),
			want: []string{"late report nb", "slow payment wl", "misuse nb",
				"late report hz", "other gs"}, total: 5},
		{name: "region under", scope: fundhub.FullScope(),
			filter: fundhub.ProblemFilter{RegionUnder: &hz},
			want:   []string{"slow payment wl", "late report hz", "other gs"},
			total:  3},
		{name: "kind", scope: fundhub.FullScope(),
			filter: fundhub.ProblemFilter{Kind: &late},
			want:   []string{"late report nb", "late report hz"}, total: 2},
		{name: "status", scope: fundhub.FullScope(),
			filter: fundhub.ProblemFilter{Status: &open},
			want:   []string{"slow payment wl", "late report hz"}, total: 2},
		{name: "rule", scope: fundhub.FullScope(),
			filter: fundhub.ProblemFilter{Rule: &rule},
			want:   []string{"late report nb", "late report hz"}, total: 2},
		{name: "page 2 of 3", scope: fundhub.FullScope(),
			page: fundhub.Page{First: 2, Offset: 2},
			want: []string{"misuse nb", "late report hz"}, total: 5},
		{name: "hangzhou", scope: hzScope,
			want:  []string{"slow payment wl", "late report hz", "other gs"},
			total: 3},
		{name: "ningbo", scope: nbScope,
			want: []string{"late report nb", "misuse nb"}, total: 2},
		{name: "scope and filter", scope: nbScope,
			filter: fundhub.ProblemFilter{Kind: &late},
			want:   []string{"late report nb"}, total: 1},
		{name: "zero scope", scope: fundhub.Scope{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, total, err := db.FindProblems(context.Background(), tc.scope,
				tc.filter, tc.page)
			checkList(t, got, total, err, problemTitle, tc.want, tc.total)
		})
	}
}

// seedFunds inserts seven funds and the allocations that make two provincial
// funds visible to one city each, and returns their ids by name.
func seedFunds(t *testing.T, db *postgres.DB) map[string]int64 {
	t.Helper()
	ids := map[string]int64{}
	add := func(name string, year int, cat, level, dir, owner string) {
		ids[name] = seedID(t, db, `INSERT INTO funds
			(name, year, category, local_level, direction, owner_region)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			name, year, cat, nullable(level), dir, owner)
	}
	add("central eco", 2024, "CENTRAL", "", "ECO_RESTORATION", "100000")
	add("central geohazard", 2024, "CENTRAL", "", "GEOHAZARD", "100000")
	add("hangzhou eco", 2024, "LOCAL", "CITY", "ECO_RESTORATION", "330100")
	add("ningbo geohazard", 2024, "LOCAL", "CITY", "GEOHAZARD", "330200")
	add("zhejiang eco", 2023, "LOCAL", "PROVINCE", "ECO_RESTORATION", "330000")
	add("zhejiang social", 2022, "SOCIAL", "", "ECO_RESTORATION", "330000")
	add("beijing eco", 2021, "LOCAL", "PROVINCE", "ECO_RESTORATION", "110000")

	seed(t, db, `UPDATE funds SET code = 'HZ-ECO', source_system = 'finance',
		external_id = 'F-7', last_synced_at = now() WHERE id = $1`, ids["hangzhou eco"])
	allocate(t, db, ids["zhejiang eco"], "330000", "330203")
	allocate(t, db, ids["zhejiang social"], "330000", "330106")
	allocate(t, db, ids["beijing eco"], "110000", "110101")

	return ids
}

// seedProjects inserts six projects in Beijing, Hangzhou and Ningbo and
// returns their ids by name.
func seedProjects(t *testing.T, db *postgres.DB) map[string]int64 {
	t.Helper()
	ids := map[string]int64{}
	add := func(name, region, dir, status string) {
		ids[name] = seedID(t, db, `INSERT INTO projects
			(name, region_code, direction, reserve_status) VALUES ($1, $2, $3, $4)
			RETURNING id`, name, region, dir, status)
	}
	add("west lake wetland", "330106", "ECO_RESTORATION", "APPLIED")
	add("hangzhou slope", "330100", "GEOHAZARD", "FUNDED")
	add("gongshu mine", "330105", "ECO_RESTORATION", "FILED")
	add("ningbo coast", "330200", "ECO_RESTORATION", "APPLIED")
	add("haishu slope", "330203", "GEOHAZARD", "APPLIED")
	add("dongcheng park", "110101", "ECO_RESTORATION", "ADMITTED")

	seed(t, db, `UPDATE projects SET planned_investment = 1250000.50,
		start_on = '2024-03-01', source_system = 'reserve', external_id = 'P-1',
		last_synced_at = now() WHERE id = $1`, ids["west lake wetland"])

	return ids
}

// seedTargets inserts five targets, one without a fund, and returns their
// ids by indicator along with those of the fund, allocation and project they
// refer to.
func seedTargets(t *testing.T, db *postgres.DB) map[string]int64 {
	t.Helper()
	ids := seedFunds(t, db)
	ids["allocation"] = allocate(t, db, ids["hangzhou eco"], "330100", "330106")
	ids["project"] = seedID(t, db, `INSERT INTO projects (name, region_code, direction)
		VALUES ('gongshu mine', '330105', 'ECO_RESTORATION') RETURNING id`)
	add := func(indicator, region string, year int, fund, alloc, project *int64) {
		ids[indicator] = seedID(t, db, `INSERT INTO performance_targets
			(indicator, region_code, year, fund_id, allocation_id, project_id,
			 target_value) VALUES ($1, $2, $3, $4, $5, $6, 12.5) RETURNING id`,
			indicator, region, year, fund, alloc, project)
	}
	id := func(k string) *int64 { v := ids[k]; return &v }
	add("wetland area", "330106", 2024, id("hangzhou eco"), id("allocation"), nil)
	add("slopes fixed", "330100", 2024, id("central geohazard"), nil, nil)
	add("ningbo slopes", "330200", 2024, id("ningbo geohazard"), nil, nil)
	add("survey done", "330100", 2023, nil, nil, nil)
	add("mine restored", "330105", 2023, id("hangzhou eco"), nil, id("project"))

	return ids
}

// seedReports inserts six execution reports and returns their ids by
// "region yearQquarter".
func seedReports(t *testing.T, db *postgres.DB) map[string]int64 {
	t.Helper()
	ids := map[string]int64{}
	add := func(region string, year, quarter int, status string) {
		ids[fmt.Sprintf("%s %dQ%d", region, year, quarter)] = seedID(t, db,
			`INSERT INTO execution_reports (region_code, year, quarter, status)
			VALUES ($1, $2, $3, $4) RETURNING id`, region, year, quarter, status)
	}
	add("330100", 2024, 2, "DRAFT")
	add("330100", 2024, 1, "REVIEWED")
	add("330106", 2024, 2, "SUBMITTED")
	add("330200", 2024, 2, "SUBMITTED")
	add("330100", 2023, 4, "TRANSMITTED")
	add("330106", 2023, 4, "SUBMITTED")

	return ids
}

// seedProblems inserts five problems, two raised at the same instant.
func seedProblems(t *testing.T, db *postgres.DB) {
	t.Helper()
	base := time.Date(2024, 6, 1, 9, 0, 0, 0, time.UTC)
	add := func(title, kind, status, region, rule string, after time.Duration) {
		seed(t, db, `INSERT INTO problems
			(title, kind, status, region_code, rule, raised_by, raised_at)
			VALUES ($1, $2, $3, $4, $5, 'tester', $6)`,
			title, kind, status, region, nullable(rule), base.Add(after))
	}
	add("late report hz", "LATE", "OPEN", "330100", "late-report", time.Hour)
	add("slow payment wl", "SLOW_PAYMENT", "OPEN", "330106", "slow-payment", 3*time.Hour)
	add("misuse nb", "MISUSE", "ACKNOWLEDGED", "330200", "", 2*time.Hour)
	add("late report nb", "LATE", "RESOLVED", "330200", "late-report", 3*time.Hour)
	add("other gs", "OTHER", "CLOSED", "330105", "", 0)
}

// allocate inserts an allocation of 100 of fund from one region to another.
func allocate(t *testing.T, db *postgres.DB, fund int64, from, to string) int64 {
	t.Helper()
	return seedID(t, db, `INSERT INTO allocations
		(fund_id, from_region, to_region, amount, source)
		VALUES ($1, $2, $3, 100, 'PROVINCE_MATCH') RETURNING id`, fund, from, to)
}

func seed(t *testing.T, db *postgres.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.SQL().Exec(q, args...); err != nil {
		t.Fatalf("seeding: %v", err)
	}
}

// seedID runs an INSERT ... RETURNING id and returns the id.
func seedID(t *testing.T, db *postgres.DB, q string, args ...any) int64 {
	t.Helper()
	var id int64
	if err := db.SQL().Get(&id, q, args...); err != nil {
		t.Fatalf("seeding: %v", err)
	}

	return id
}

// checkList compares the keys of rows and the total with the wanted ones.
func checkList[T any](t *testing.T, rows []*T, total int, err error, key func(*T) string,
	want []string, wantTotal int) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, key(r))
	}
	if !slices.Equal(got, want) {
		t.Errorf("rows: got %q, want %q", got, want)
	}
	if total != wantTotal {
		t.Errorf("total: got %d, want %d", total, wantTotal)
	}
}

func checkNotFound(t *testing.T, err error) {
	t.Helper()
	if code := fundhub.ErrorCode(err); code != fundhub.ENOTFOUND {
		t.Errorf("error code: got %q (%v), want %q", code, err, fundhub.ENOTFOUND)
	}
}

func fundName(f *fundhub.Fund) string               { return f.Name }
func projectName(p *fundhub.Project) string         { return p.Name }
func indicator(p *fundhub.PerformanceTarget) string { return p.Indicator }
func problemTitle(p *fundhub.Problem) string        { return p.Title }

func reportKey(r *fundhub.ExecutionReport) string {
	return fmt.Sprintf("%s %dQ%d", r.RegionCode, r.Year, r.Quarter)
}

func lineIDs(lines []*fundhub.ReportLine) []int64 {
	var out []int64
	for _, l := range lines {
		out = append(out, l.ID)
	}

	return out
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}

	return &s
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}

	return *p
}
