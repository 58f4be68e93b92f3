package graph_test

import (
	"encoding/csv"
	"os"
	"testing"

	"github.com/shopspring/decimal"

	"fundhub/postgres/pgtest"
)

// regionRows reads the shipped region list.
func regionRows(t *testing.T) [][]string {
	t.Helper()
	f, err := os.Open("../refdata/regions.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}

	return recs[1:]
}

func TestQuery_ProvinceCountMatchesList(t *testing.T) {
	srv := server(t, pgtest.New(t))
	want := 0
	for _, r := range regionRows(t) {
		if r[2] == "province" {
			want++
		}
	}

	var got struct {
		Regions struct{ TotalCount int }
	}
	query(t, srv, `{ regions(level: PROVINCE) { totalCount } }`, nil, &got)
	if got.Regions.TotalCount != want {
		t.Errorf("provinces: got %d, want %d", got.Regions.TotalCount, want)
	}
}

func TestQuery_CountiesOfHangzhou(t *testing.T) {
	srv := server(t, pgtest.New(t))
	want := map[string]string{}
	for _, r := range regionRows(t) {
		if r[3] == "330100" {
			want[r[0]] = r[1]
		}
	}

	var got struct {
		Regions struct {
			TotalCount int
			Nodes      []struct{ Code, Name, FullName string }
		}
	}
	query(t, srv, `{ regions(parentCode: "330100", level: COUNTY) {
		totalCount nodes { code name fullName } } }`, nil, &got)
	if got.Regions.TotalCount != len(want) || len(got.Regions.Nodes) != len(want) {
		t.Fatalf("counties: got %d (%d listed), want %d",
			got.Regions.TotalCount, len(got.Regions.Nodes), len(want))
	}
	for _, n := range got.Regions.Nodes {
		if want[n.Code] != n.Name || n.FullName != "浙江省杭州市"+n.Name {
			t.Errorf("%s: got %s (%s), want %s", n.Code, n.Name, n.FullName, want[n.Code])
		}
	}
}

func TestQuery_PaginationWalksEveryRowOnce(t *testing.T) {
	srv := server(t, pgtest.New(t))
	seen := map[string]bool{}
	after, total, pages := "", -1, 0

	for {
		var got struct {
			Regions struct {
				TotalCount int
				Nodes      []struct{ Code string }
				PageInfo   struct {
					HasNextPage bool
					EndCursor   string
				}
			}
		}
		query(t, srv, `query($after: String) { regions(level: CITY, first: 100, after: $after) {
			totalCount nodes { code } pageInfo { hasNextPage endCursor } } }`,
			map[string]any{"after": after}, &got)
		if total >= 0 && got.Regions.TotalCount != total {
			t.Fatalf("totalCount changed between pages: got %d, want %d", got.Regions.TotalCount, total)
		}
		total = got.Regions.TotalCount
		for _, n := range got.Regions.Nodes {
			if seen[n.Code] {
				t.Fatalf("region %s listed twice", n.Code)
			}
			seen[n.Code] = true
		}
		pages++
		if !got.Regions.PageInfo.HasNextPage {
			break
		}
		after = got.Regions.PageInfo.EndCursor
	}

	if len(seen) != total || pages != (total+99)/100 {
		t.Errorf("got %d regions in %d pages, want %d in %d", len(seen), pages, total, (total+99)/100)
	}
}

func TestQuery_AllocationTotalsMatchPublishedFigures(t *testing.T) {
	db := pgtest.New(t)
	loadDemo(t, db)
	srv := server(t, db)

	var got struct {
		AllocationTotals []struct {
			Fund   struct{ Name string }
			Year   int
			Region struct{ Code string }
			Amount string
		}
	}
	// At CITY level a province's own allocation stays with the province and a
	// 计划单列市's with the city, so each group is one published recipient.
	query(t, srv, `{ allocationTotals(groupBy: [FUND, YEAR, REGION], regionLevel: CITY,
		filter: { fromLevel: NATIONAL }) { fund { name } year region { code } amount } }`, nil, &got)

	want := publishedTotals(t)
	if len(got.AllocationTotals) != len(want) {
		t.Errorf("groups: got %d, want %d", len(got.AllocationTotals), len(want))
	}
	for _, g := range got.AllocationTotals {
		key := g.Fund.Name + "|" + itoa(g.Year) + "|" + g.Region.Code
		if w, ok := want[key]; !ok || !w.Equal(decimal.RequireFromString(g.Amount)) {
			t.Errorf("%s: got %s yuan, want %s", key, g.Amount, w)
		}
	}
}

func TestQuery_ProvinceTotalSaysWhatSeparatelyPlannedCitiesAdd(t *testing.T) {
	db := pgtest.New(t)
	loadDemo(t, db)
	srv := server(t, db)

	var got struct {
		AllocationTotals []struct {
			Region                  struct{ Code string }
			Amount                  string
			SeparatelyPlannedAmount string
		}
	}
	query(t, srv, `{ allocationTotals(groupBy: [REGION], filter: { year: 2020,
		fromLevel: NATIONAL, regionUnder: "210000" }) {
		region { code } amount separatelyPlannedAmount } }`, nil, &got)

	// 辽宁 53300 万元 itself plus 大连 1600 万元 funded past the province.
	if len(got.AllocationTotals) != 1 {
		t.Fatalf("groups: got %d, want 1", len(got.AllocationTotals))
	}
	g := got.AllocationTotals[0]
	if g.Region.Code != "210000" || g.Amount != "549000000" ||
		g.SeparatelyPlannedAmount != "16000000" {
		t.Errorf("辽宁 2020: got %+v, want 549000000 of which 16000000 to 大连", g)
	}
}

// publishedTotals sums allocations.csv in yuan by fund, year and recipient.
func publishedTotals(t *testing.T) map[string]decimal.Decimal {
	t.Helper()
	f, err := os.Open("../demo/funds/allocations.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}

	out := map[string]decimal.Decimal{}
	for _, r := range recs[1:] {
		key := r[0] + "|" + r[1] + "|" + r[4]
		out[key] = out[key].Add(decimal.RequireFromString(r[5]).Shift(4))
	}

	return out
}

func itoa(i int) string { return decimal.NewFromInt(int64(i)).String() }

func TestQuery_TotalAmountCoversEveryPage(t *testing.T) {
	db := pgtest.New(t)
	loadDemo(t, db)
	srv := server(t, db)

	var first struct {
		Allocations struct {
			TotalCount  int
			TotalAmount string
			Nodes       []struct{ Amount string }
		}
	}
	query(t, srv, `{ allocations(first: 5, filter: { year: 2020 }) {
		totalCount totalAmount nodes { amount } } }`, nil, &first)
	var all struct {
		Allocations struct{ Nodes []struct{ Amount string } }
	}
	query(t, srv, `{ allocations(first: 1000, filter: { year: 2020 }) {
		nodes { amount } } }`, nil, &all)

	sum := decimal.Zero
	for _, n := range all.Allocations.Nodes {
		sum = sum.Add(decimal.RequireFromString(n.Amount))
	}
	a := first.Allocations
	if len(a.Nodes) != 5 || a.TotalCount != len(all.Allocations.Nodes) ||
		!sum.Equal(decimal.RequireFromString(a.TotalAmount)) {
		t.Errorf("got %d nodes, totalCount %d, totalAmount %s; want 5, %d, %s",
			len(a.Nodes), a.TotalCount, a.TotalAmount, len(all.Allocations.Nodes), sum)
	}
}
