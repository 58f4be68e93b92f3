package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"fundhub"
	"fundhub/postgres"
	"fundhub/postgres/pgtest"
)

// seedAnalysis builds a small year of money whose figures are worked out by
// hand in the tests below: a central fund passed 100000→330000→330100→
// 330106→project, a provincial fund of Zhejiang, Liaoning's share, and the
// year before for comparison.
func seedAnalysis(t *testing.T, db *postgres.DB) {
	t.Helper()
	_, err := db.SQL().Exec(`
	INSERT INTO funds (id, name, year, category, local_level, direction, owner_region) VALUES
		(1, '生态修复 2024', 2024, 'CENTRAL', NULL, 'ECO_RESTORATION', '100000'),
		(2, '浙江地灾 2024', 2024, 'LOCAL', 'PROVINCE', 'GEOHAZARD', '330000'),
		(3, '生态修复 2023', 2023, 'CENTRAL', NULL, 'ECO_RESTORATION', '100000');
	INSERT INTO projects (id, name, region_code, direction, planned_investment) VALUES
		(1, '西湖区矿山修复', '330106', 'ECO_RESTORATION', 300);
	INSERT INTO allocations (id, fund_id, from_region, to_region, project_id, amount,
		source, issued_on, received_on, parent_id) VALUES
		(1, 1, '100000', '330000', NULL, 1000, 'CENTRAL_TRANSFER',
			'2024-02-10', '2024-02-20', NULL),
		(2, 1, '330000', '330100', NULL, 600, 'CENTRAL_TRANSFER',
			'2024-03-01', '2024-03-05', 1),
		(3, 1, '330100', '330106', NULL, 400, 'CENTRAL_TRANSFER',
			'2024-04-10', '2024-04-15', 2),
		(4, 1, '330000', '330500', NULL, 300, 'CENTRAL_TRANSFER', '2024-05-01', NULL, 1),
		(5, 2, '330000', '330106', NULL, 250, 'PROVINCE_MATCH',
			'2024-03-15', '2024-03-20', NULL),
		(6, 1, '100000', '210000', NULL, 800, 'CENTRAL_TRANSFER',
			'2024-02-10', '2024-02-25', NULL),
		(7, 3, '100000', '330000', NULL, 500, 'CENTRAL_TRANSFER',
			'2023-03-01', '2023-03-10', NULL),
		(8, 3, '330000', '330106', NULL, 500, 'CENTRAL_TRANSFER',
			'2023-04-01', '2023-04-05', 7),
		(9, 1, '330106', '330106', 1, 300, 'CENTRAL_TRANSFER',
			'2024-04-20', '2024-04-20', 3);
	INSERT INTO payments (id, allocation_id, project_id, region_code, amount, paid_on,
		reverses_id, withdrawn) VALUES
		(1, 9, 1, '330106', 100, '2024-05-10', NULL, false),
		(2, 9, 1, '330106', 50, '2024-07-01', NULL, false),
		(3, 5, NULL, '330106', 125, '2024-06-30', NULL, false),
		(4, 6, NULL, '210000', 200, '2024-03-31', NULL, false),
		(5, 8, NULL, '330106', 250, '2023-06-15', NULL, false),
		(6, 4, NULL, '330500', 30, '2024-06-01', NULL, true),
		(7, 5, NULL, '330106', -25, '2024-06-30', 3, false);
	INSERT INTO performance_targets (id, fund_id, region_code, year, parent_id, indicator,
		unit, comparator, target_value) VALUES
		(1, 1, '330000', 2024, NULL, '治理面积', '公顷', '>=', 100),
		(2, 1, '330106', 2024, 1, '治理面积', '公顷', '>=', 60),
		(3, 1, '330500', 2024, 1, '治理面积', '公顷', '>=', 40),
		(4, 2, '330106', 2024, NULL, '治理隐患点', '处', '>=', 10);
	INSERT INTO execution_reports (id, region_code, year, quarter) VALUES
		(1, '330106', 2024, 2), (2, '330106', 2024, 3), (3, '330500', 2024, 2);
	INSERT INTO report_lines (report_id, target_id, actual_value) VALUES
		(1, 2, 30), (2, 2, 90), (1, 4, 5), (3, 3, 10);`)
	if err != nil {
		t.Fatal(err)
	}
}

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
	seedAnalysis(t, db)
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
			total := figuresText(&fundhub.AnalysisRow{Figures: res.Total, Rank: 1})
			if total != c.total {
				t.Errorf("total:\n%s\nwant:\n%s", total, c.total)
			}
			if res.TotalCount != len(c.rows) {
				t.Errorf("total count %d, want %d", res.TotalCount, len(c.rows))
			}
		})
	}
}
