package graph_test

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"fundhub"
	"fundhub/authz"
	"fundhub/graph"
	"fundhub/postgres/pgtest"
)

const comparisonQuery = `query($level: RegionLevel, $region: String) {
	analysis(groupBy: [REGION], regionLevel: $level, asOf: {year: 2024, quarter: 2},
		filter: { years: [2024], region: $region }, sort: [{ dimension: REGION }]) {
	totalCount asOf { label end }
	total { allocated paid executionRate }
	nodes { regionCode allocated paid executionRate rank
		timeProgress { asOf elapsed gap warning }
		previousYear { allocated paid executionRate }
		yearOnYear { allocated allocatedPercent paid paidPercent executionRatePoints
			targetCompletionPoints }
		previousQuarter { allocated paid executionRate targetCompletionRate }
		quarterOnQuarter { allocated paid paidPercent executionRatePoints
			targetCompletionPoints }
		siblings { count rank executionRateAbove figures { allocated paid executionRate } }
		national { allocated paid executionRate } } } }`

// TestAnalysis_ComparisonsAreWorkedOutOnTheServer checks every comparison
// field of a row against figures worked out by hand on the seed (see
// pgtest.SeedAnalysis), for the ministry and for a county.
func TestAnalysis_ComparisonsAreWorkedOutOnTheServer(t *testing.T) {
	db := pgtest.New(t)
	pgtest.SeedAnalysis(t, db)
	d := newDeps(t, db, db, nil)
	srv := httptest.NewServer(graph.Handler(d))
	t.Cleanup(srv.Close)
	ministry := signIn(t, d, "ministry", fundhub.NationalCode, fundhub.DepartmentFinance,
		authz.RoleFinance)
	county := signIn(t, d, "xihu", "330106", fundhub.DepartmentFinance, authz.RoleFinance)

	tests := []struct {
		name, token string
		vars        map[string]any
		want        string
	}{{
		name: "the ministry's provinces", token: ministry, vars: map[string]any{},
		// 辽宁 had nothing a year before: it compares with zero.
		// 浙江: 1250 in, 200 paid (16%). A year before, 2023 money as of
		// 2023 Q2: 500 in, 250 paid (50%). A quarter before: the same 1250
		// in, nothing paid, no target value reported. Beside 辽宁 (800 in,
		// 200 paid, 25%) the two provinces take 2050 and pay 400 (19.51%).
		// 30 June 2024 is day 182 of 366: 49.73% of the year gone, 33.73
		// points ahead of 16%: red.
		want: `{"totalCount":2,"asOf":{"label":"2024Q2","end":"2024-06-30"},` +
			`"total":{"allocated":"2050","paid":"400","executionRate":"19.51"},"nodes":[` +
			`{"regionCode":"210000","allocated":"800","paid":"200","executionRate":"25",` +
			`"rank":1,"timeProgress":{"asOf":"2024-06-30","elapsed":"49.73","gap":"24.73",` +
			`"warning":"RED"},"previousYear":{"allocated":"0","paid":"0",` +
			`"executionRate":null},"yearOnYear":{"allocated":"800",` +
			`"allocatedPercent":null,"paid":"200","paidPercent":null,` +
			`"executionRatePoints":null,"targetCompletionPoints":null},` +
			`"previousQuarter":{"allocated":"800","paid":"200","executionRate":"25",` +
			`"targetCompletionRate":null},"quarterOnQuarter":{"allocated":"0",` +
			`"paid":"0","paidPercent":"0","executionRatePoints":"0",` +
			`"targetCompletionPoints":null},"siblings":{"count":2,"rank":1,` +
			`"executionRateAbove":"5.49","figures":{"allocated":"2050","paid":"400",` +
			`"executionRate":"19.51"}},"national":{"allocated":"2050","paid":"400",` +
			`"executionRate":"19.51"}},` +
			`{"regionCode":"330000","allocated":"1250","paid":"200","executionRate":"16",` +
			`"rank":2,"timeProgress":{"asOf":"2024-06-30","elapsed":"49.73","gap":"33.73",` +
			`"warning":"RED"},"previousYear":{"allocated":"500","paid":"250",` +
			`"executionRate":"50"},"yearOnYear":{"allocated":"750",` +
			`"allocatedPercent":"150","paid":"-50","paidPercent":"-20",` +
			`"executionRatePoints":"-34","targetCompletionPoints":null},` +
			`"previousQuarter":{"allocated":"1250","paid":"0","executionRate":"0",` +
			`"targetCompletionRate":"0"},"quarterOnQuarter":{"allocated":"0",` +
			`"paid":"200","paidPercent":null,"executionRatePoints":"16",` +
			`"targetCompletionPoints":"41.67"},"siblings":{"count":2,"rank":2,` +
			`"executionRateAbove":"-3.51","figures":{"allocated":"2050","paid":"400",` +
			`"executionRate":"19.51"}},"national":{"allocated":"2050","paid":"400",` +
			`"executionRate":"19.51"}}]}`,
	}, {
		name: "a county among what it sees", token: county,
		vars: map[string]any{"level": "COUNTY"},
		// 西湖 sees only itself: 400 from the city and 250 from the
		// province by June, 200 paid; no national figure for a county.
		want: `{"totalCount":1,"asOf":{"label":"2024Q2","end":"2024-06-30"},` +
			`"total":{"allocated":"650","paid":"200","executionRate":"30.77"},"nodes":[` +
			`{"regionCode":"330106","allocated":"650","paid":"200","executionRate":"30.77",` +
			`"rank":1,"timeProgress":{"asOf":"2024-06-30","elapsed":"49.73","gap":"18.96",` +
			`"warning":"YELLOW"},"previousYear":{"allocated":"500","paid":"250",` +
			`"executionRate":"50"},"yearOnYear":{"allocated":"150",` +
			`"allocatedPercent":"30","paid":"-50","paidPercent":"-20",` +
			`"executionRatePoints":"-19.23","targetCompletionPoints":null},` +
			`"previousQuarter":{"allocated":"250","paid":"0","executionRate":"0",` +
			`"targetCompletionRate":"0"},"quarterOnQuarter":{"allocated":"400",` +
			`"paid":"200","paidPercent":null,"executionRatePoints":"30.77",` +
			`"targetCompletionPoints":"50"},"siblings":{"count":1,"rank":1,` +
			`"executionRateAbove":"0","figures":{"allocated":"650","paid":"200",` +
			`"executionRate":"30.77"}},"national":null}]}`,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, resp := postAs(t, srv.URL, tc.token, comparisonQuery, tc.vars)
			if len(resp.Errors) > 0 {
				t.Fatalf("errors: %+v", resp.Errors)
			}
			var got struct{ Analysis json.RawMessage }
			if err := json.Unmarshal(resp.Data, &got); err != nil {
				t.Fatal(err)
			}
			if string(got.Analysis) != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got.Analysis, tc.want)
			}
		})
	}
}

// TestAnalysis_AllocatedMatchesPublishedFigures reads the demo's published
// central allocations back through the analysis: per recipient (a
// 计划单列市 is its own at CITY level) and per fund and year for the
// country, each yuan counted once without any filter on the sender.
func TestAnalysis_AllocatedMatchesPublishedFigures(t *testing.T) {
	db := pgtest.New(t)
	loadDemo(t, db)
	srv := server(t, db)

	type row struct {
		Fund       struct{ Name string }
		Year       int
		RegionCode *string
		Allocated  string
	}
	var got struct {
		Recipients, Funds struct {
			TotalCount int
			Nodes      []row
		}
	}
	query(t, srv, `{
		recipients: analysis(groupBy: [FUND, YEAR, REGION], regionLevel: CITY,
			asOf: {year: 2100, quarter: 4}, first: 1000) {
			totalCount nodes { fund { name } year regionCode allocated } }
		funds: analysis(groupBy: [FUND, YEAR], asOf: {year: 2100, quarter: 4}, first: 1000) {
			totalCount nodes { fund { name } year allocated } } }`, nil, &got)

	want := publishedTotals(t)
	perFund := map[string]decimal.Decimal{}
	for k, v := range want {
		fy := k[:strings.LastIndex(k, "|")]
		perFund[fy] = perFund[fy].Add(v)
	}
	for _, c := range []struct {
		name  string
		rows  []row
		count int
		want  map[string]decimal.Decimal
	}{
		{"recipients", got.Recipients.Nodes, got.Recipients.TotalCount, want},
		{"funds", got.Funds.Nodes, got.Funds.TotalCount, perFund},
	} {
		if c.count != len(c.rows) {
			t.Errorf("%s: totalCount %d over %d rows", c.name, c.count, len(c.rows))
		}
		// Groups of published targets without money stand beside the
		// money with nothing allocated.
		seen := 0
		for _, g := range c.rows {
			key := g.Fund.Name + "|" + itoa(g.Year)
			if g.RegionCode != nil {
				key += "|" + *g.RegionCode
			}
			w, ok := c.want[key]
			if ok {
				seen++
			}
			if !w.Equal(decimal.RequireFromString(g.Allocated)) {
				t.Errorf("%s: %s: got %s yuan, want %s", c.name, key, g.Allocated, w)
			}
		}
		if seen != len(c.want) {
			t.Errorf("%s: %d of %d published groups answered", c.name, seen, len(c.want))
		}
	}
}

func TestAnalysis_BadInputNamesTheField(t *testing.T) {
	db := pgtest.New(t)
	srv := server(t, db)

	for _, c := range []struct{ query, field string }{
		{`{ analysis(filter: {region: "abc"}) { totalCount } }`, "filter.region"},
		{`{ analysis(filter: {region: "33%"}) { totalCount } }`, "filter.region"},
		{`{ analysis(filter: {years: [2024, -5]}) { totalCount } }`, "filter.years[1]"},
		{`{ analysis(asOf: {year: 0, quarter: 1}) { totalCount } }`, "asOf"},
		{`{ analysis(groupBy: [YEAR, YEAR]) { totalCount } }`, "groupBy[1]"},
		{`{ analysis(sort: [{dimension: REGION}]) { totalCount } }`, "sort[0].dimension"},
		{`{ analysis(first: 100000000) { totalCount } }`, "first"},
		{`{ analysis(after: "bm90IGEgY3Vyc29y") { totalCount } }`, "after"},
		{`{ quarterlyReport(region: "abc", year: 2024, quarter: 2) { workbookUrl } }`,
			"region"},
	} {
		r := post(t, srv, c.query, nil)
		if len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != fundhub.EINVALID ||
			r.Errors[0].Extensions["field"] != c.field {
			t.Errorf("%s: got %s %+v, want BAD_USER_INPUT on %s", c.query, r.Data, r.Errors,
				c.field)
		}
	}
}
