package postgres_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"fundhub"
	"fundhub/postgres"
	"fundhub/postgres/pgtest"
)

// seedUnitCosts builds projects of 2024 whose unit costs of 治理面积 in
// 公顷 are worked out by hand in TestDB_UnitCosts, and others that must
// not count: a ceiling target, a withdrawn and a qualitative one, a target
// of nothing, a project allocated nothing, and a geohazard project.
func seedUnitCosts(t *testing.T, db *postgres.DB) {
	t.Helper()
	_, err := db.SQL().Exec(`
	INSERT INTO funds (id, name, year, category, direction, owner_region) VALUES
		(1, '生态修复 2024', 2024, 'CENTRAL', 'ECO_RESTORATION', '100000'),
		(2, '生态修复 2023', 2023, 'CENTRAL', 'ECO_RESTORATION', '100000'),
		(3, '地灾防治 2024', 2024, 'CENTRAL', 'GEOHAZARD', '100000');
	INSERT INTO projects (id, name, region_code, direction) VALUES
		(1, 'P1', '330106', 'ECO_RESTORATION'), (2, 'P2', '330106', 'ECO_RESTORATION'),
		(3, 'P3', '330108', 'ECO_RESTORATION'), (4, 'P4', '330108', 'ECO_RESTORATION'),
		(5, 'P5', '330109', 'ECO_RESTORATION'), (6, 'P6', '330110', 'ECO_RESTORATION'),
		(7, 'P7', '330110', 'ECO_RESTORATION'), (8, 'P8', '330106', 'ECO_RESTORATION'),
		(9, 'P9', '330106', 'ECO_RESTORATION'), (10, 'P10', '210102', 'ECO_RESTORATION'),
		(11, 'P11', '330106', 'GEOHAZARD'), (12, 'P12', '330108', 'ECO_RESTORATION'),
		(13, 'P13', '330108', 'ECO_RESTORATION');
	INSERT INTO allocations (id, fund_id, from_region, to_region, project_id, amount,
		source, parent_id, withdrawn) VALUES
		(1, 1, '330100', '330106', 1, 2000, 'CENTRAL_TRANSFER', NULL, false),
		(2, 1, '330106', '330106', 1, 2000, 'CENTRAL_TRANSFER', 1, false),
		(3, 1, '330100', '330106', 2, 4000, 'CENTRAL_TRANSFER', NULL, false),
		(4, 1, '330100', '330108', 3, 2500, 'CENTRAL_TRANSFER', NULL, false),
		(5, 1, '330100', '330108', 4, 4400, 'CENTRAL_TRANSFER', NULL, false),
		(6, 1, '330100', '330109', 5, 1300, 'CENTRAL_TRANSFER', NULL, false),
		(7, 1, '330100', '330110', 6, 4600, 'CENTRAL_TRANSFER', NULL, false),
		(8, 1, '330100', '330110', 7, 1500, 'CENTRAL_TRANSFER', NULL, false),
		(9, 1, '100000', '210102', 10, 2400, 'CENTRAL_TRANSFER', NULL, false),
		(10, 2, '330100', '330106', 1, 900, 'CENTRAL_TRANSFER', NULL, false),
		(11, 3, '330100', '330106', 11, 1000, 'CENTRAL_TRANSFER', NULL, false),
		(12, 1, '330100', '330106', 8, 800, 'CENTRAL_TRANSFER', NULL, false),
		(13, 1, '330100', '330106', 9, 800, 'CENTRAL_TRANSFER', NULL, false),
		(14, 1, '330100', '330108', 12, 0, 'CENTRAL_TRANSFER', NULL, false),
		(15, 1, '330100', '330108', 13, 1000, 'CENTRAL_TRANSFER', NULL, false),
		(16, 1, '330100', '330106', 2, 4000, 'CENTRAL_TRANSFER', NULL, true);
	INSERT INTO payments (allocation_id, project_id, region_code, amount, paid_on,
		withdrawn) VALUES
		(1, 1, '330106', 400, '2024-04-01', false), (2, 1, '330106', 600, '2024-05-01', false),
		(3, 2, '330106', 2000, '2024-05-01', false), (3, 2, '330106', 200, '2025-02-01', false),
		(3, 2, '330106', 5000, '2024-05-01', true), (4, 3, '330108', 1200, '2024-05-01', false),
		(4, 3, '330108', 999, '2024-05-01', true), (5, 4, '330108', 2600, '2024-05-01', false),
		(6, 5, '330109', 1500, '2024-05-01', false), (6, 5, '330109', -100, '2024-06-01', false),
		(7, 6, '330110', 3000, '2024-05-01', false), (8, 7, '330110', 600, '2024-05-01', false),
		(9, 10, '210102', 1200, '2024-05-01', false), (10, 1, '330106', 450, '2023-09-01', false),
		(11, 11, '330106', 500, '2024-05-01', false), (12, 8, '330106', 400, '2024-05-01', false),
		(13, 9, '330106', 400, '2024-05-01', false), (15, 13, '330108', 300, '2024-05-01', false);
	INSERT INTO performance_targets (id, fund_id, region_code, year, project_id, parent_id,
		indicator, unit, comparator, target_value, target_text, withdrawn) VALUES
		(1, 1, '330106', 2024, 1, NULL, '治理面积', '公顷', '>=', 10, NULL, false),
		(2, 1, '330106', 2024, 2, NULL, '治理面积', '公顷', '>=', 20, NULL, false),
		(3, 1, '330108', 2024, 3, NULL, '治理面积', '公顷', '>=', 10, NULL, false),
		(4, 1, '330108', 2024, 3, NULL, '治理面积', '亩', '>=', 150, NULL, false),
		(5, 1, '330108', 2024, 4, NULL, '治理面积', '公顷', '=', 20, NULL, false),
		(6, 1, '330109', 2024, 5, NULL, '治理面积', '公顷', NULL, 10, NULL, false),
		(7, 1, '330110', 2024, 6, NULL, '治理面积', '公顷', '~', 20, NULL, false),
		(8, 1, '330110', 2024, 7, NULL, '治理面积', '公顷', '>=', 3, NULL, false),
		(9, 1, '210102', 2024, 10, NULL, '治理面积', '公顷', '>=', 10, NULL, false),
		(10, 2, '330106', 2023, 1, NULL, '治理面积', '公顷', '>=', 9, NULL, false),
		(11, 1, '330106', 2024, 8, NULL, '治理面积', '公顷', '<=', 10, NULL, false),
		(12, 1, '330106', 2024, 9, NULL, '治理面积', '公顷', '>=', 10, NULL, true),
		(13, 1, '330106', 2024, 9, NULL, '治理面积', '公顷', '>=', NULL, '定性', false),
		(14, 3, '330106', 2024, 11, NULL, '治理面积', '公顷', '>=', 10, NULL, false),
		(15, 1, '330108', 2024, 13, NULL, '治理面积', '公顷', '>=', 0, NULL, false),
		(16, 1, '330108', 2024, 12, NULL, '治理面积', '公顷', '>=', 10, NULL, false),
		(17, 1, '330110', 2024, 6, 7, '治理面积', '公顷', '>=', 12, NULL, false),
		(18, 1, '330110', 2024, 6, 7, '治理面积', '公顷', '>=', 8, NULL, false);
	INSERT INTO execution_reports (id, region_code, year, quarter) VALUES
		(1, '330106', 2024, 2), (2, '330106', 2024, 3), (3, '330106', 2024, 4),
		(4, '330108', 2024, 3), (5, '330109', 2024, 3), (6, '330110', 2024, 3),
		(7, '210102', 2024, 3), (8, '330106', 2023, 4);
	INSERT INTO report_lines (id, report_id, target_id, actual_value, withdrawn) VALUES
		(1, 1, 1, 6, false), (2, 2, 1, 10, false), (3, 3, 1, 50, true),
		(4, 2, 2, 15, false), (5, 2, 2, 20, false), (6, 4, 3, 10, false),
		(7, 4, 4, 150, false), (8, 4, 5, 20, false), (9, 5, 6, 10, false),
		(10, 6, 17, 12, false), (11, 6, 18, 8, false), (12, 6, 7, 99, false),
		(13, 6, 8, 3, false), (14, 7, 9, 10, false), (15, 8, 10, 9, false),
		(16, 2, 14, 10, false), (17, 2, 11, 10, false), (18, 4, 15, 0, false);`)
	if err != nil {
		t.Fatal(err)
	}
}

// unitCostText writes a group and its outliers on one line.
func unitCostText(g *fundhub.UnitCostGroup) string {
	var out []string
	for _, o := range g.Outliers {
		out = append(out, fmt.Sprintf("p%d %s/%s=%s %v", o.ProjectID, o.Amount.StringFixed(2),
			o.Quantity, o.UnitCost.StringFixed(2), o.Outlier))
	}

	return fmt.Sprintf("%s/%d/%s/%s n=%d %s %s %s %s %s [%s]", derefOr(g.Region), g.Year,
		g.Indicator, g.Unit, g.Count, g.Min.StringFixed(2), g.Q1.StringFixed(2),
		g.Median.StringFixed(2), g.Q3.StringFixed(2), g.Max.StringFixed(2),
		strings.Join(out, ", "))
}

func derefOr(s *string) string {
	if s == nil {
		return "-"
	}

	return *s
}

func TestDB_UnitCosts(t *testing.T) {
	db := pgtest.New(t)
	seedUnitCosts(t, db)
	ctx := context.Background()
	area, ha, county := "治理面积", "公顷", "330108"
	eco := fundhub.DirectionEcoRestoration

	// Paid over achieved in 2024: P1 paid 400 + 600 on its two steps over
	// 10 (the Q3 line, not Q2's nor the withdrawn Q4 one) = 100; P2 2000 +
	// 200 paid in 2025 (to date) over 20 (the later line of Q3) = 110; P3
	// 120; P4 130; P5 (1500 - 100) / 10 = 140; P6 3000 over its two
	// sub-targets' 12 + 8 = 150; P7 600 / 3 = 200. Sorted, n = 7: q1 at
	// rank 1.5 = 115, the median at 3 = 130, q3 at 4.5 = 145; the fences
	// 70 and 190 leave P7 out (three interquartile ranges would not). P10
	// in Liaoning: 1200 / 10.
	paidZJ := "330000/2024/治理面积/公顷 n=7 100.00 115.00 130.00 145.00 200.00 " +
		"[p7 600.00/3=200.00 true]"
	paidLN := "210000/2024/治理面积/公顷 n=1 120.00 120.00 120.00 120.00 120.00 []"
	// Allocated over planned: P1 2000 (counted once along its chain) / 10
	// = 200, P2 4000 / 20 = 200 (the withdrawn 4000 ignored), P3 250,
	// P4 220, P5 130, P6 4600 / 20 = 230, P7 1500 / 3 = 500. q1 = 200,
	// median 220, q3 = 240; the fences 140 and 300 leave P5 and P7 out.
	allocZJ := "330000/2024/治理面积/公顷 n=7 130.00 200.00 220.00 240.00 500.00 " +
		"[p5 1300.00/10=130.00 true, p7 1500.00/3=500.00 true]"
	allocLN := "210000/2024/治理面积/公顷 n=1 240.00 240.00 240.00 240.00 240.00 []"

	for _, c := range []struct {
		name   string
		scope  fundhub.Scope
		q      fundhub.UnitCostQuery
		groups []string
	}{{
		name: "paid per achieved by province", scope: fundhub.FullScope(),
		q: fundhub.UnitCostQuery{Direction: eco, Indicator: &area, Unit: &ha,
			Basis: fundhub.PaidPerAchieved, Years: []int{2024}},
		groups: []string{paidLN, paidZJ},
	}, {
		name: "allocated per planned by province", scope: fundhub.FullScope(),
		q: fundhub.UnitCostQuery{Direction: eco, Indicator: &area, Unit: &ha,
			Basis: fundhub.AllocatedPerPlanned, Years: []int{2024}},
		groups: []string{allocLN, allocZJ},
	}, {
		// n = 8 with Liaoning's 120: q1 at rank 1.75 = 110 + 0.75 × 10,
		// the median at 3.5 = 125, q3 at 5.25 = 140 + 0.25 × 10; fences
		// 80 and 180.
		name: "the nation is one group", scope: fundhub.FullScope(),
		q: fundhub.UnitCostQuery{Direction: eco, Indicator: &area, Unit: &ha,
			Basis: fundhub.PaidPerAchieved, RegionLevel: fundhub.LevelNational,
			Years: []int{2024}},
		groups: []string{"100000/2024/治理面积/公顷 n=8 100.00 117.50 125.00 142.50 " +
			"200.00 [p7 600.00/3=200.00 true]"},
	}, {
		// P3 and P4: 120 and 130, quartiles at ranks 0.25, 0.5 and 0.75;
		// P3's 1200 over 150 亩 on its own; P12 was allocated nothing and
		// P13 achieved 0.
		name: "counties of a region, every indicator and year", scope: fundhub.FullScope(),
		q: fundhub.UnitCostQuery{Direction: eco, Basis: fundhub.PaidPerAchieved,
			RegionLevel: fundhub.LevelCounty, Region: &county},
		groups: []string{
			"330108/2024/治理面积/亩 n=1 8.00 8.00 8.00 8.00 8.00 []",
			"330108/2024/治理面积/公顷 n=2 120.00 122.50 125.00 127.50 130.00 []"},
	}, {
		// 2023: P1's 900 over 9; P3's 2500 over 150 亩 = 16.67.
		name: "allocated per planned, every year and unit", scope: fundhub.FullScope(),
		q: fundhub.UnitCostQuery{Direction: eco, Basis: fundhub.AllocatedPerPlanned},
		groups: []string{allocLN,
			"330000/2023/治理面积/公顷 n=1 100.00 100.00 100.00 100.00 100.00 []",
			"330000/2024/治理面积/亩 n=1 16.67 16.67 16.67 16.67 16.67 []", allocZJ},
	}, {
		name:  "a county's officials see their projects under their province",
		scope: fundhub.Scope{RegionCodes: []string{"330108"}},
		q: fundhub.UnitCostQuery{Direction: eco, Indicator: &area, Unit: &ha,
			Basis: fundhub.PaidPerAchieved, Years: []int{2024}},
		groups: []string{"330000/2024/治理面积/公顷 n=2 120.00 122.50 125.00 127.50 130.00 []"},
	}, {
		name: "another direction's department sees none",
		scope: fundhub.Scope{RegionCodes: []string{"330000"},
			Directions: []fundhub.Direction{fundhub.DirectionGeohazard}},
		q: fundhub.UnitCostQuery{Direction: eco, Basis: fundhub.PaidPerAchieved},
	}, {
		name: "geohazard projects", scope: fundhub.Scope{RegionCodes: []string{"330000"},
			Directions: []fundhub.Direction{fundhub.DirectionGeohazard}},
		q:      fundhub.UnitCostQuery{Direction: fundhub.DirectionGeohazard},
		groups: []string{"330000/2024/治理面积/公顷 n=1 50.00 50.00 50.00 50.00 50.00 []"},
	}} {
		t.Run(c.name, func(t *testing.T) {
			res, err := db.UnitCosts(ctx, c.scope, c.q)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, g := range res {
				got = append(got, unitCostText(g))
			}
			// Units and indicators order by the database's collation.
			sort.Strings(got)
			want := append([]string{}, c.groups...)
			sort.Strings(want)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("groups:\n%s\nwant:\n%s", strings.Join(got, "\n"),
					strings.Join(want, "\n"))
			}
		})
	}
}

func TestDB_UnitCostsQuartilesMatchPercentileCont(t *testing.T) {
	db := pgtest.New(t)
	seedUnitCosts(t, db)
	area, ha := "治理面积", "公顷"
	res, err := db.UnitCosts(context.Background(), fundhub.FullScope(),
		fundhub.UnitCostQuery{Direction: fundhub.DirectionEcoRestoration, Indicator: &area,
			Unit: &ha, Basis: fundhub.PaidPerAchieved, RegionLevel: fundhub.LevelNational,
			Years: []int{2024}})
	if err != nil || len(res) != 1 {
		t.Fatalf("got %d groups, %v; want one", len(res), err)
	}

	// The same eight unit costs through PostgreSQL's own percentile_cont.
	var want struct{ Q1, Median, Q3 string }
	err = db.SQL().Get(&want, `SELECT
		round(percentile_cont(0.25) WITHIN GROUP (ORDER BY c)::numeric, 2)::text AS q1,
		round(percentile_cont(0.5) WITHIN GROUP (ORDER BY c)::numeric, 2)::text AS median,
		round(percentile_cont(0.75) WITHIN GROUP (ORDER BY c)::numeric, 2)::text AS q3
		FROM unnest('{100,110,120,130,140,150,200,120}'::numeric[]) AS c`)
	if err != nil {
		t.Fatal(err)
	}
	g := res[0]
	got := [3]string{g.Q1.StringFixed(2), g.Median.StringFixed(2), g.Q3.StringFixed(2)}
	if got != [3]string{want.Q1, want.Median, want.Q3} {
		t.Errorf("quartiles %v, percentile_cont %+v", got, want)
	}
}
