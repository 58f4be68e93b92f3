package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"fundhub"
	"fundhub/postgres/pgtest"
)

// figuresText writes a row's key and figures on one line for comparison.
func figuresText(r *fundhub.AnalysisRow) string {
	key := []string{}
	if r.Region != nil {
		key = append(key, *r.Region)
	}
	if r.QuarterIndex != nil {
		key = append(key, fundhub.QuarterFromIndex(*r.QuarterIndex).String())
	}
	if r.Direction != nil {
		key = append(key, string(*r.Direction))
	}

	return fmt.Sprintf("%s alloc=%s recv=%s paid=%s exec=%s proj=%d targets=%d done=%s #%d",
		strings.Join(key, "/"), r.Allocated.StringFixed(2), r.Received.StringFixed(2),
		r.Paid.StringFixed(2), pct(r.ExecutionRate), r.ProjectCount, r.TargetCount,
		pct(r.TargetCompletionRate), r.Rank)
}

// pct writes a rate with two decimals, or "-" when there is none.
func pct(d *decimal.Decimal) string {
	if d == nil {
		return "-"
	}

	return d.StringFixed(2)
}

func TestDB_AnalysisMatchesHandWorkedFigures(t *testing.T) {
	db := pgtest.New(t)
	pgtest.SeedAnalysis(t, db)
	ctx := context.Background()
	county := fundhub.Scope{RegionCodes: []string{"330106"}}
	xihu := "330106"

	for _, c := range []struct {
		name  string
		scope fundhub.Scope
		q     fundhub.AnalysisQuery
		rows  []string
		total string
	}{{
		name:  "provinces of 2024 money by the end of June",
		scope: fundhub.FullScope(),
		q: fundhub.AnalysisQuery{GroupBy: []fundhub.AnalysisDimension{fundhub.AnalyzeRegion},
			Filter: fundhub.AnalysisFilter{Years: []int{2024}},
			AsOf:   fundhub.Quarter{Year: 2024, Quarter: 2}},
		rows: []string{
			// 1000 from the ministry and 250 of Zhejiang's own fund; paid
			// 100 + 125 - 25 by June; targets 30/60, 10/40 and 5/10.
			"210000 alloc=800.00 recv=800.00 paid=200.00 exec=25.00 proj=0 targets=0 done=- #1",
			"330000 alloc=1250.00 recv=1250.00 paid=200.00 exec=16.00 " +
				"proj=1 targets=3 done=41.67 #2",
		},
		// The nation counts each fund where it starts: 1000 + 800 + 250.
		total: " alloc=2050.00 recv=2050.00 paid=400.00 exec=19.51 proj=1 targets=3 done=41.67 #1",
	}, {
		name:  "a county by the end of September",
		scope: fundhub.FullScope(),
		q: fundhub.AnalysisQuery{Filter: fundhub.AnalysisFilter{Years: []int{2024},
			Region: &xihu}, AsOf: fundhub.Quarter{Year: 2024, Quarter: 3}},
		// 400 from the city and 250 from the province; the project's 300
		// is passed on inside the county; 90 of 60 counts as done.
		rows: []string{
			" alloc=650.00 recv=650.00 paid=250.00 exec=38.46 proj=1 targets=2 done=75.00 #1"},
		total: " alloc=650.00 recv=650.00 paid=250.00 exec=38.46 proj=1 targets=2 done=75.00 #1",
	}, {
		name:  "the county's own officials see their province as their county",
		scope: county,
		q: fundhub.AnalysisQuery{GroupBy: []fundhub.AnalysisDimension{fundhub.AnalyzeRegion},
			Filter: fundhub.AnalysisFilter{Years: []int{2024}},
			AsOf:   fundhub.Quarter{Year: 2024, Quarter: 2}},
		rows: []string{
			"330000 alloc=650.00 recv=650.00 paid=200.00 exec=30.77 " +
				"proj=1 targets=2 done=50.00 #1"},
		total: " alloc=650.00 recv=650.00 paid=200.00 exec=30.77 proj=1 targets=2 done=50.00 #1",
	}, {
		name:  "quarters of 2024 money",
		scope: fundhub.FullScope(),
		q: fundhub.AnalysisQuery{GroupBy: []fundhub.AnalysisDimension{fundhub.AnalyzeQuarter},
			Filter: fundhub.AnalysisFilter{Years: []int{2024}},
			AsOf:   fundhub.Quarter{Year: 2024, Quarter: 3}},
		rows: []string{
			"2024Q1 alloc=2050.00 recv=2050.00 paid=200.00 exec=9.76 proj=0 targets=0 done=- #1",
			"2024Q2 alloc=0.00 recv=0.00 paid=200.00 exec=- proj=1 targets=0 done=- #2",
			"2024Q3 alloc=0.00 recv=0.00 paid=50.00 exec=- proj=0 targets=0 done=- #2",
		},
		total: " alloc=2050.00 recv=2050.00 paid=450.00 exec=21.95 proj=1 targets=3 done=58.33 #1",
	}, {
		name:  "directions at the county level of Zhejiang, every year",
		scope: fundhub.Scope{RegionCodes: []string{"330000"}},
		q: fundhub.AnalysisQuery{GroupBy: []fundhub.AnalysisDimension{
			fundhub.AnalyzeRegion, fundhub.AnalyzeDirection},
			RegionLevel: fundhub.LevelCounty,
			AsOf:        fundhub.Quarter{Year: 2024, Quarter: 4}},
		rows: []string{
			// Money held at the province and city stands at their level.
			"330000/ECO_RESTORATION alloc=1500.00 recv=1500.00 paid=0.00 exec=0.00 " +
				"proj=0 targets=0 done=- #3",
			"330100/ECO_RESTORATION alloc=600.00 recv=600.00 paid=0.00 exec=0.00 " +
				"proj=0 targets=0 done=- #3",
			"330106/ECO_RESTORATION alloc=900.00 recv=900.00 paid=400.00 exec=44.44 " +
				"proj=1 targets=1 done=100.00 #1",
			"330106/GEOHAZARD alloc=250.00 recv=250.00 paid=100.00 exec=40.00 " +
				"proj=0 targets=1 done=50.00 #2",
			"330500/ECO_RESTORATION alloc=300.00 recv=0.00 paid=0.00 exec=0.00 " +
				"proj=0 targets=1 done=25.00 #3",
		},
		total: " alloc=1750.00 recv=1750.00 paid=500.00 exec=28.57 proj=1 targets=3 done=58.33 #1",
	}} {
		t.Run(c.name, func(t *testing.T) {
			q := c.q
			if err := q.Validate(q.AsOf.End()); err != nil {
				t.Fatal(err)
			}
			res, err := db.Analyze(ctx, c.scope, q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range res.Rows {
				got = append(got, figuresText(r))
			}
			if strings.Join(got, "\n") != strings.Join(c.rows, "\n") {
				t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"),
					strings.Join(c.rows, "\n"))
			}
			all, err := db.AnalysisTotal(ctx, c.scope, q)
			if err != nil {
				t.Fatal(err)
			}
			total := figuresText(&fundhub.AnalysisRow{Figures: *all, Rank: 1})
			if total != c.total {
				t.Errorf("total:\n%s\nwant:\n%s", total, c.total)
			}
			if res.TotalCount != len(c.rows) {
				t.Errorf("total count %d, want %d", res.TotalCount, len(c.rows))
			}
		})
	}
}
