package postgres_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"fundhub"
	"fundhub/postgres"
	"fundhub/postgres/pgtest"
)

// seedProgress builds the 2024 money of eight projects whose time progress
// as of 2024-06-30 is worked out by hand in TestDB_ProjectProgress. That
// day is the 182nd of 366: 49.73 % of the year by days, 41.67 % by the
// five whole months ended. Yellow is 10 points behind, red 20.
func seedProgress(t *testing.T, db *postgres.DB) {
	t.Helper()
	_, err := db.SQL().Exec(`
	INSERT INTO funds (id, name, year, category, local_level, direction, owner_region,
		progress_by) VALUES
		(1, '生态修复 2024', 2024, 'CENTRAL', NULL, 'ECO_RESTORATION', '100000', 'DAYS'),
		(2, '地灾防治 2024', 2024, 'CENTRAL', NULL, 'GEOHAZARD', '100000', 'MONTHS'),
		(3, '生态修复 2023', 2023, 'CENTRAL', NULL, 'ECO_RESTORATION', '100000', 'DAYS'),
		(4, '海洋生态 2024', 2024, 'CENTRAL', NULL, 'ECO_RESTORATION', '100000', 'MONTHS');
	INSERT INTO projects (id, name, region_code, direction) VALUES
		(1, '西湖区矿山修复', '330106', 'ECO_RESTORATION'),
		(2, '西湖区湿地修复', '330106', 'ECO_RESTORATION'),
		(3, '滨江区岸线修复', '330108', 'ECO_RESTORATION'),
		(4, '滨江区绿道修复', '330108', 'ECO_RESTORATION'),
		(5, '西湖区隐患治理', '330106', 'GEOHAZARD'),
		(6, '沈阳矿山修复', '210102', 'ECO_RESTORATION'),
		(7, '西湖区往年项目', '330106', 'ECO_RESTORATION'),
		(8, '西湖区待拨项目', '330106', 'ECO_RESTORATION');
	INSERT INTO allocations (id, fund_id, from_region, to_region, project_id, amount,
		source, parent_id, withdrawn) VALUES
		(1, 1, '100000', '330000', NULL, 100000, 'CENTRAL_TRANSFER', NULL, false),
		(2, 1, '330000', '330100', NULL, 60000, 'CENTRAL_TRANSFER', 1, false),
		(3, 1, '330100', '330106', 1, 10000, 'CENTRAL_TRANSFER', 2, false),
		(4, 1, '330106', '330106', 1, 10000, 'CENTRAL_TRANSFER', 3, false),
		(5, 1, '330106', '330106', 1, 10000, 'CENTRAL_TRANSFER', 3, true),
		(6, 1, '330100', '330106', 2, 10000, 'CENTRAL_TRANSFER', 2, false),
		(7, 1, '330106', '330106', 2, 10000, 'CENTRAL_TRANSFER', 6, true),
		(8, 1, '330100', '330108', 3, 10000, 'CENTRAL_TRANSFER', 2, false),
		(9, 1, '330100', '330108', 4, 10000, 'CENTRAL_TRANSFER', 2, false),
		(10, 2, '100000', '330000', NULL, 50000, 'CENTRAL_TRANSFER', NULL, false),
		(11, 2, '330000', '330106', 5, 20000, 'CENTRAL_TRANSFER', 10, false),
		(12, 1, '100000', '210102', 6, 4000, 'CENTRAL_TRANSFER', NULL, false),
		(13, 4, '100000', '210102', 6, 1000, 'CENTRAL_TRANSFER', NULL, false),
		(14, 3, '100000', '330106', 7, 500, 'CENTRAL_TRANSFER', NULL, false),
		(15, 1, '330100', '330106', 8, 0, 'CENTRAL_TRANSFER', 2, false);
	INSERT INTO payments (id, allocation_id, project_id, region_code, amount, paid_on,
		reverses_id, withdrawn) VALUES
		(1, 4, 1, '330106', 3000, '2024-05-10', NULL, false),
		(2, 4, 1, '330106', -27, '2024-06-15', 1, false),
		(3, 3, 1, '330106', 1000, '2024-06-30', NULL, false),
		(4, 4, 1, '330106', 500, '2024-06-01', NULL, true),
		(5, 4, 1, '330106', 800, '2024-07-01', NULL, false),
		(6, 6, 2, '330106', 3974, '2024-03-01', NULL, false),
		(7, 8, 3, '330108', 2973, '2024-04-01', NULL, false),
		(8, 9, 4, '330108', 2974, '2024-04-01', NULL, false),
		(9, 11, 5, '330106', 7000, '2024-05-20', NULL, false);`)
	if err != nil {
		t.Fatal(err)
	}
}

// progressText writes one project's progress on a line for comparison.
func progressText(p *fundhub.ProjectProgress) string {
	return fmt.Sprintf("p%d/%d alloc=%s paid=%s rate=%s elapsed=%s gap=%s %s", p.ProjectID,
		p.Year, p.Allocated.StringFixed(2), p.Paid.StringFixed(2),
		pct(p.Progress.ExecutionRate), p.Progress.Elapsed.StringFixed(2), pct(p.Progress.Gap),
		p.Progress.Warning)
}

func TestDB_ProjectProgress(t *testing.T) {
	db := pgtest.New(t)
	seedProgress(t, db)
	ctx := context.Background()
	asOf := time.Date(2024, 6, 30, 0, 0, 0, 0, time.UTC)
	th := fundhub.ProgressThresholds{Yellow: decimal.NewFromInt(10),
		Red: decimal.NewFromInt(20)}
	xihu := "330106"

	// Project 1: 10000 reached it through 330100→330106 and 330106→itself;
	// only the last step counts, and the withdrawn duplicate not at all.
	// Paid 3000 - 27 (refund) + 1000 (on the city's step, on the day);
	// the withdrawn 500 and the 800 of July do not count: 39.73 %, exactly
	// 10 points behind. Project 2's second step is withdrawn, so its first
	// counts; 39.74 % is 9.99 behind. Project 3 is exactly 20 behind,
	// project 4 19.99. Project 5's only fund counts by months: 35 % is
	// 6.67 behind (14.73 by days). Project 6 has a fund of each kind, so
	// days count; nothing paid. Project 7 has only 2023 money; project 8
	// was allocated nothing, so it has no rate and comes last.
	p1 := "p1/2024 alloc=10000.00 paid=3973.00 rate=39.73 elapsed=49.73 gap=10.00 YELLOW"
	p2 := "p2/2024 alloc=10000.00 paid=3974.00 rate=39.74 elapsed=49.73 gap=9.99 NONE"
	p3 := "p3/2024 alloc=10000.00 paid=2973.00 rate=29.73 elapsed=49.73 gap=20.00 RED"
	p4 := "p4/2024 alloc=10000.00 paid=2974.00 rate=29.74 elapsed=49.73 gap=19.99 YELLOW"
	p5 := "p5/2024 alloc=20000.00 paid=7000.00 rate=35.00 elapsed=41.67 gap=6.67 NONE"
	p6 := "p6/2024 alloc=5000.00 paid=0.00 rate=0.00 elapsed=49.73 gap=49.73 RED"
	p8 := "p8/2024 alloc=0.00 paid=0.00 rate=- elapsed=49.73 gap=- NONE"

	for _, c := range []struct {
		name  string
		scope fundhub.Scope
		vary  func(q *fundhub.ProjectProgressQuery)
		rows  []string
		total int
	}{{
		name: "every project, largest gap first", scope: fundhub.FullScope(),
		rows: []string{p6, p3, p4, p1, p2, p5, p8}, total: 7,
	}, {
		name: "red", scope: fundhub.FullScope(),
		vary: func(q *fundhub.ProjectProgressQuery) {
			q.Warnings = []fundhub.WarningLevel{fundhub.WarningRed}
		},
		rows: []string{p6, p3}, total: 2,
	}, {
		name: "yellow and none", scope: fundhub.FullScope(),
		vary: func(q *fundhub.ProjectProgressQuery) {
			q.Warnings = []fundhub.WarningLevel{fundhub.WarningYellow, fundhub.WarningNone}
		},
		rows: []string{p4, p1, p2, p5, p8}, total: 5,
	}, {
		name: "second page of two", scope: fundhub.FullScope(),
		vary: func(q *fundhub.ProjectProgressQuery) { q.Page = fundhub.Page{First: 2, Offset: 2} },
		rows: []string{p4, p1}, total: 7,
	}, {
		name: "a page past the last still counts", scope: fundhub.FullScope(),
		vary:  func(q *fundhub.ProjectProgressQuery) { q.Page = fundhub.Page{First: 2, Offset: 9} },
		total: 7,
	}, {
		name: "region filter", scope: fundhub.FullScope(),
		vary: func(q *fundhub.ProjectProgressQuery) { q.Region = &xihu },
		rows: []string{p1, p2, p5, p8}, total: 4,
	}, {
		name: "direction filter", scope: fundhub.FullScope(),
		vary: func(q *fundhub.ProjectProgressQuery) {
			q.Directions = []fundhub.Direction{fundhub.DirectionGeohazard}
		},
		rows: []string{p5}, total: 1,
	}, {
		name:  "the province sees its own",
		scope: fundhub.Scope{RegionCodes: []string{"330000"}},
		rows:  []string{p3, p4, p1, p2, p5, p8}, total: 6,
	}, {
		name:  "a county sees its own",
		scope: fundhub.Scope{RegionCodes: []string{"330108"}},
		rows:  []string{p3, p4}, total: 2,
	}, {
		name: "a geohazard department of the province sees its direction only",
		scope: fundhub.Scope{RegionCodes: []string{"330000"},
			Directions: []fundhub.Direction{fundhub.DirectionGeohazard}},
		rows: []string{p5}, total: 1,
	}, {
		name: "2023 money, its year over", scope: fundhub.FullScope(),
		vary: func(q *fundhub.ProjectProgressQuery) { q.Year = 2023 },
		rows: []string{"p7/2023 alloc=500.00 paid=0.00 rate=0.00 elapsed=100.00 " +
			"gap=100.00 RED"}, total: 1,
	}, {
		name: "seen nothing", scope: fundhub.Scope{}, total: 0,
	}} {
		t.Run(c.name, func(t *testing.T) {
			q := fundhub.ProjectProgressQuery{Year: 2024, AsOf: asOf, Thresholds: th}
			if c.vary != nil {
				c.vary(&q)
			}
			res, total, err := db.ProjectProgress(ctx, c.scope, q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range res {
				got = append(got, progressText(p))
			}
			if strings.Join(got, "\n") != strings.Join(c.rows, "\n") {
				t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"),
					strings.Join(c.rows, "\n"))
			}
			if total != c.total {
				t.Errorf("total count %d, want %d", total, c.total)
			}
		})
	}
}

// sqlProgress is a row of ProjectProgressSQL as SQL graded it.
type sqlProgress struct {
	ProjectID     int64                `db:"project_id"`
	Year          int                  `db:"year"`
	Allocated     decimal.Decimal      `db:"allocated"`
	Paid          decimal.Decimal      `db:"paid"`
	ByMonths      bool                 `db:"by_months"`
	ExecutionRate *decimal.Decimal     `db:"execution_rate"`
	Elapsed       decimal.Decimal      `db:"elapsed"`
	Gap           *decimal.Decimal     `db:"gap"`
	Warning       fundhub.WarningLevel `db:"warning"`
	TotalCount    int                  `db:"total_count"`
}

// progressDays are the days the grading is compared on: before the year,
// its first day, a leap day, mid-year, its last day and after it.
var progressDays = []string{"2023-12-31", "2024-01-01", "2024-02-29", "2024-06-30",
	"2024-12-31", "2025-03-01"}

// progressThresholds are the yellow and red gaps compared: the monitor's,
// fractional ones, and yellow and red at the same gap.
var progressThresholds = [][2]string{{"10", "20"}, {"7.5", "12.25"}, {"15", "15"}}

// boundaryRates are the execution rates that put a project exactly at,
// just before and just past every threshold on every compared day, by
// days and by months.
func boundaryRates() map[bool][]decimal.Decimal {
	out := map[bool][]decimal.Decimal{}
	step := decimal.RequireFromString("0.01")
	for _, months := range []bool{false, true} {
		seen := map[string]bool{}
		for _, d := range progressDays {
			day, _ := time.Parse(time.DateOnly, d)
			elapsed := fundhub.ElapsedShare(2024, day, months).Round(2)
			for _, th := range progressThresholds {
				for _, g := range th {
					at := elapsed.Sub(decimal.RequireFromString(g))
					for _, r := range []decimal.Decimal{at.Sub(step), at, at.Add(step)} {
						if !seen[r.String()] {
							seen[r.String()] = true
							out[months] = append(out[months], r)
						}
					}
				}
			}
		}
	}

	return out
}

// seedBoundaries gives each boundary rate a project with 10000 allocated
// (issued ahead of the year, 提前下达) and rate × 100 paid (before any
// compared day), plus a project allocated nothing and ones far ahead and
// far behind.
func seedBoundaries(t *testing.T, db *postgres.DB) int {
	t.Helper()
	var paid []string
	var months []bool
	for m, rates := range boundaryRates() {
		for _, r := range append(rates, decimal.NewFromInt(150), decimal.NewFromInt(-20)) {
			paid = append(paid, r.Mul(decimal.NewFromInt(100)).String())
			months = append(months, m)
		}
	}
	n := len(paid) + 1
	for _, st := range []struct {
		sql  string
		args []any
	}{{sql: `INSERT INTO funds (id, name, year, category, direction, owner_region,
		progress_by) VALUES
		(1, '按日 2024', 2024, 'CENTRAL', 'ECO_RESTORATION', '100000', 'DAYS'),
		(2, '按月 2024', 2024, 'CENTRAL', 'ECO_RESTORATION', '100000', 'MONTHS')`,
	}, {sql: `INSERT INTO projects (id, name, region_code, direction)
		SELECT i, '项目' || i, '330106', 'ECO_RESTORATION' FROM generate_series(1, $1) AS i`,
		args: []any{n},
	}, {sql: `INSERT INTO allocations (id, fund_id, from_region, to_region, project_id,
		amount, source, issued_on)
		SELECT i, CASE WHEN m THEN 2 ELSE 1 END, '100000', '330106', i, 10000,
			'CENTRAL_TRANSFER', date '2023-11-15'
		FROM unnest($1::boolean[]) WITH ORDINALITY AS u (m, i)
		UNION ALL SELECT $2, 1, '100000', '330106', $2, 0, 'CENTRAL_TRANSFER',
			date '2023-11-15'`,
		args: []any{pq.Array(months), n},
	}, {sql: `INSERT INTO payments (allocation_id, project_id, region_code, amount, paid_on)
		SELECT i, i, '330106', a, '2023-01-01'
		FROM unnest($1::numeric[]) WITH ORDINALITY AS u (a, i) WHERE a <> 0`,
		args: []any{pq.Array(paid)},
	}} {
		if _, err := db.SQL().Exec(st.sql, st.args...); err != nil {
			t.Fatal(err)
		}
	}

	return n
}

func TestProjectProgressSQL_GradesAsProgressDoes(t *testing.T) {
	db := pgtest.New(t)
	n := seedBoundaries(t, db)
	if n > fundhub.MaxPageSize {
		t.Fatalf("%d projects do not fit one page", n)
	}

	for _, d := range progressDays {
		for _, th := range progressThresholds {
			t.Run(d+"/"+th[0]+"/"+th[1], func(t *testing.T) {
				day, _ := time.Parse(time.DateOnly, d)
				q := fundhub.ProjectProgressQuery{Year: 2024, AsOf: day,
					Thresholds: fundhub.ProgressThresholds{
						Yellow: decimal.RequireFromString(th[0]),
						Red:    decimal.RequireFromString(th[1])},
					Page: fundhub.Page{First: fundhub.MaxPageSize}}
				query, args := postgres.ProjectProgressSQL(fundhub.FullScope(), q)
				var rows []*sqlProgress
				if err := db.SQL().Select(&rows, query, args...); err != nil {
					t.Fatal(err)
				}
				if len(rows) != n {
					t.Fatalf("got %d rows, want %d", len(rows), n)
				}
				checkGrades(t, q, rows)
			})
		}
	}
}

// checkGrades compares SQL's grading of each row with fundhub.Progress,
// checks the order is Go's gap, largest first, and that the rows reached
// both thresholds exactly.
func checkGrades(t *testing.T, q fundhub.ProjectProgressQuery, rows []*sqlProgress) {
	t.Helper()
	var gaps []*decimal.Decimal
	exact := map[fundhub.WarningLevel]bool{}
	for _, r := range rows {
		want := fundhub.Progress(q.Year, q.AsOf, r.ByMonths, r.ExecutionRate, q.Thresholds)
		if !r.Elapsed.Equal(want.Elapsed) || pct(r.Gap) != pct(want.Gap) ||
			r.Warning != want.Warning {
			t.Errorf("project %d (rate %s): SQL elapsed %s gap %s %s, Go %s gap %s %s",
				r.ProjectID, pct(r.ExecutionRate), r.Elapsed, pct(r.Gap), r.Warning,
				want.Elapsed, pct(want.Gap), want.Warning)
		}
		if want.Gap != nil && want.Gap.Equal(q.Thresholds.Red) {
			exact[fundhub.WarningRed] = true
		}
		if want.Gap != nil && want.Gap.Equal(q.Thresholds.Yellow) {
			exact[fundhub.WarningYellow] = true
		}
		gaps = append(gaps, want.Gap)
	}

	sorted := sort.SliceIsSorted(gaps, func(i, j int) bool {
		if gaps[i] == nil || gaps[j] == nil {
			return gaps[j] == nil && gaps[i] != nil
		}
		return gaps[i].GreaterThan(*gaps[j])
	})
	if !sorted {
		t.Error("rows are not in Go's order of gaps, largest first")
	}
	if !exact[fundhub.WarningRed] || !exact[fundhub.WarningYellow] {
		t.Errorf("no row exactly at a threshold: %v", exact)
	}
}

func TestProjectProgress_MoneyIssuedAfterTheDayIsNotCountedYet(t *testing.T) {
	db := pgtest.New(t)
	_, err := db.SQL().Exec(`
		INSERT INTO funds (id, name, year, category, direction, owner_region) VALUES
			(1, '生态修复 2024', 2024, 'CENTRAL', 'ECO_RESTORATION', '100000');
		INSERT INTO projects (id, name, region_code, direction) VALUES
			(1, '一号项目', '330106', 'ECO_RESTORATION');
		INSERT INTO allocations (id, fund_id, from_region, to_region, project_id, amount,
			source, issued_on, parent_id) VALUES
			(1, 1, '330100', '330106', 1, 100, 'CENTRAL_TRANSFER', '2024-02-01', NULL),
			(2, 1, '330106', '330106', 1, 100, 'CENTRAL_TRANSFER', '2024-05-01', 1),
			(3, 1, '330106', '330106', 1, 50, 'CENTRAL_TRANSFER', '2024-08-01', NULL);`)
	if err != nil {
		t.Fatal(err)
	}

	// The 100 counts on the city's step until the county passes it on in
	// May, then on the county's; the 50 of August counts from August.
	for _, c := range []struct{ day, allocated string }{
		{"2024-01-31", ""}, {"2024-03-31", "100"}, {"2024-06-30", "100"},
		{"2024-09-30", "150"},
	} {
		day, _ := time.Parse(time.DateOnly, c.day)
		rows, _, err := db.ProjectProgress(context.Background(), fundhub.FullScope(),
			fundhub.ProjectProgressQuery{Year: 2024, AsOf: day})
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if len(rows) == 1 {
			got = rows[0].Allocated.String()
		}
		if got != c.allocated || len(rows) > 1 {
			t.Errorf("as of %s: allocated %q over %d rows, want %q", c.day, got, len(rows),
				c.allocated)
		}
	}
}
