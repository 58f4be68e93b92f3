package graph_test

import (
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"fundhub"
	"fundhub/authz"
	"fundhub/graph"
	"fundhub/postgres"
	"fundhub/postgres/pgtest"
)

// seedProgressWorld gives five projects in Zhejiang and one in Liaoning
// 1000 yuan of 2024 money each, paid and achieved so that, as of
// 2024-06-30 (49.73 % of the year), their gaps and unit costs are easy to
// work out: see the tests below.
func seedProgressWorld(t *testing.T, db *postgres.DB) {
	t.Helper()
	_, err := db.SQL().Exec(`
	INSERT INTO funds (id, name, year, category, direction, owner_region) VALUES
		(1, '生态修复 2024', 2024, 'CENTRAL', 'ECO_RESTORATION', '100000');
	INSERT INTO projects (id, name, region_code, direction) VALUES
		(1, '西湖一号', '330106', 'ECO_RESTORATION'), (2, '滨江二号', '330108', 'ECO_RESTORATION'),
		(3, '萧山三号', '330109', 'ECO_RESTORATION'), (4, '余杭四号', '330110', 'ECO_RESTORATION'),
		(5, '西湖五号', '330106', 'ECO_RESTORATION'), (6, '和平六号', '210102', 'ECO_RESTORATION'),
		(7, '和平七号', '210102', 'ECO_RESTORATION');
	INSERT INTO allocations (fund_id, from_region, to_region, project_id, amount, source)
		SELECT 1, '100000', region_code, id, 1000, 'CENTRAL_TRANSFER' FROM projects;
	INSERT INTO payments (allocation_id, project_id, region_code, amount, paid_on)
		SELECT a.id, a.project_id, a.to_region, v.paid, '2024-05-01'
		FROM allocations a JOIN (VALUES (1, 100), (2, 400), (3, 300), (4, 350), (5, 1000),
			(7, 500)) AS v (project, paid) ON v.project = a.project_id;
	INSERT INTO performance_targets (fund_id, region_code, year, project_id, indicator, unit,
		comparator, target_value)
		SELECT 1, region_code, 2024, id, '治理面积', '公顷', '>=', 10 FROM projects;
	INSERT INTO execution_reports (region_code, year, quarter)
		SELECT DISTINCT region_code, 2024, 2 FROM projects;
	INSERT INTO report_lines (report_id, target_id, actual_value)
		SELECT er.id, t.id, v.achieved
		FROM performance_targets t JOIN execution_reports er ON er.region_code = t.region_code
		JOIN (VALUES (1, 1), (2, 5), (3, 3), (4, 2.5), (5, 1), (7, 5)) AS v (project, achieved)
			ON v.project = t.project_id;`)
	if err != nil {
		t.Fatal(err)
	}
}

// progressServers serves the world to the ministry and to the finance
// department of Zhejiang.
func progressServers(t *testing.T) (ministry, zhejiang *httptest.Server) {
	t.Helper()
	db := pgtest.New(t)
	seedProgressWorld(t, db)
	ministry = server(t, db)
	d := newDeps(t, db, db, nil)
	tok := signIn(t, d, "zhejiang-finance", "330000", fundhub.DepartmentFinance,
		authz.RoleFinance)
	zhejiang = httptest.NewServer(asCaller(graph.Handler(d), tok))
	t.Cleanup(zhejiang.Close)

	return ministry, zhejiang
}

type progressPage struct {
	ProjectProgress struct {
		TotalCount int
		Nodes      []struct {
			Project         struct{ Name string }
			Year            int
			Allocated, Paid string
			TimeProgress    struct {
				AsOf, Elapsed, Warning string
				ExecutionRate, Gap     *string
			}
		}
		PageInfo struct {
			HasNextPage bool
			EndCursor   string
		}
	}
}

const progressQuery = `query($after: String, $first: Int) {
	projectProgress(year: 2024, asOf: "2024-06-30", first: $first, after: $after) {
		totalCount
		nodes { project { name } year allocated paid
			timeProgress { asOf elapsed executionRate gap warning } }
		pageInfo { hasNextPage endCursor } } }`

// walkProgress reads every page of projectProgress, two at a time, and
// returns the rows as "name gap warning" and the total count.
func walkProgress(t *testing.T, srv *httptest.Server) ([]string, int) {
	t.Helper()
	var rows []string
	after, total := "", -1
	for {
		var got progressPage
		query(t, srv, progressQuery, map[string]any{"after": after, "first": 2}, &got)
		c := got.ProjectProgress
		if total >= 0 && c.TotalCount != total {
			t.Fatalf("totalCount changed between pages: got %d, want %d", c.TotalCount, total)
		}
		total = c.TotalCount
		for _, n := range c.Nodes {
			p := n.TimeProgress
			rows = append(rows, n.Project.Name+" "+*p.Gap+" "+p.Warning)
		}
		if !c.PageInfo.HasNextPage {
			return rows, total
		}
		after = c.PageInfo.EndCursor
	}
}

func TestQuery_ProjectProgressPagesInScope(t *testing.T) {
	ministry, zhejiang := progressServers(t)

	// Each project has 1000; the day is 49.73 % of the year. Paid 100 is
	// 10 % (39.73 behind, red), 300 is 19.73 behind (yellow), 350 14.73
	// (yellow), 400 9.73 (none), 500 -0.27, 1000 ahead by 50.27; Liaoning's
	// 和平六号 paid nothing.
	all := []string{"和平六号 49.73 RED", "西湖一号 39.73 RED", "萧山三号 19.73 YELLOW",
		"余杭四号 14.73 YELLOW", "滨江二号 9.73 NONE", "和平七号 -0.27 NONE",
		"西湖五号 -50.27 NONE"}
	for _, c := range []struct {
		name string
		srv  *httptest.Server
		want []string
	}{
		{"the ministry sees every project", ministry, all},
		{"Zhejiang sees its own", zhejiang, []string{all[1], all[2], all[3], all[4], all[6]}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rows, total := walkProgress(t, c.srv)
			if strings.Join(rows, "\n") != strings.Join(c.want, "\n") || total != len(c.want) {
				t.Errorf("got %d:\n%s\nwant %d:\n%s", total, strings.Join(rows, "\n"),
					len(c.want), strings.Join(c.want, "\n"))
			}
		})
	}

	var got progressPage
	query(t, zhejiang, progressQuery, map[string]any{"first": 1}, &got)
	n := got.ProjectProgress.Nodes[0]
	p := n.TimeProgress
	if n.Year != 2024 || !dec(t, n.Allocated).Equal(decimal.NewFromInt(1000)) ||
		!dec(t, n.Paid).Equal(decimal.NewFromInt(100)) || p.AsOf != "2024-06-30" ||
		!dec(t, p.Elapsed).Equal(decimal.RequireFromString("49.73")) ||
		!dec(t, *p.ExecutionRate).Equal(decimal.NewFromInt(10)) {
		t.Errorf("first row: got %+v", n)
	}
}

func TestQuery_ProjectProgressRefusesBadInput(t *testing.T) {
	ministry, _ := progressServers(t)
	for q, field := range map[string]string{
		`{ projectProgress(year: 1900) { totalCount } }`:                           "year",
		`{ projectProgress(year: 2024, filter: {region: "33"}) { totalCount } }`:   "filter.region",
		`{ unitCosts(direction: ECO_RESTORATION, years: [2024, 3000]) { count } }`: "years[1]",
		`{ unitCosts(direction: ECO_RESTORATION, indicator: "") { count } }`:       "indicator",
	} {
		resp := post(t, ministry, q, nil)
		if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != fundhub.EINVALID ||
			resp.Errors[0].Extensions["field"] != field {
			t.Errorf("%s: got %+v, want %s on %s", q, resp.Errors, fundhub.EINVALID, field)
		}
	}
}

type unitCostGroups struct {
	UnitCosts []struct {
		Region                   struct{ Code, Name string }
		Year, Count              int
		Indicator, Unit          string
		Min, Q1, Median, Q3, Max string
		Outliers                 []struct {
			Project  struct{ Name string }
			UnitCost string
			Outlier  bool
		}
	}
}

func TestQuery_UnitCostsInScope(t *testing.T) {
	ministry, zhejiang := progressServers(t)
	const q = `{ unitCosts(direction: ECO_RESTORATION, indicator: "治理面积", unit: "公顷") {
		region { code name } year indicator unit count min q1 median q3 max
		outliers { project { name } unitCost outlier } } }`

	// Paid over achieved: 100 / 1, 400 / 5, 300 / 3, 350 / 2.5 and
	// 1000 / 1 are 100, 80, 100, 140 and 1000; q1 (rank 1) 100, the median
	// 100, q3 (rank 3) 140: the upper fence 200 leaves 西湖五号 out.
	// Liaoning's 和平七号: 500 / 5; 和平六号 paid nothing.
	zj := "330000 浙江省 2024 治理面积 公顷 n=5 80 100 100 140 1000 [西湖五号 1000 true]"
	ln := "210000 辽宁省 2024 治理面积 公顷 n=1 100 100 100 100 100 []"
	for _, c := range []struct {
		name string
		srv  *httptest.Server
		want []string
	}{
		{"the ministry sees every province", ministry, []string{ln, zj}},
		{"Zhejiang sees its own", zhejiang, []string{zj}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got unitCostGroups
			query(t, c.srv, q, nil, &got)
			var rows []string
			for _, g := range got.UnitCosts {
				var out []string
				for _, o := range g.Outliers {
					out = append(out, o.Project.Name+" "+o.UnitCost+" "+
						strconv.FormatBool(o.Outlier))
				}
				rows = append(rows, strings.Join([]string{g.Region.Code, g.Region.Name,
					itoa(g.Year), g.Indicator, g.Unit, "n=" + itoa(g.Count), g.Min, g.Q1,
					g.Median, g.Q3, g.Max, "[" + strings.Join(out, ", ") + "]"}, " "))
			}
			if strings.Join(rows, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(rows, "\n"),
					strings.Join(c.want, "\n"))
			}
		})
	}
}

// dec parses a Decimal the API wrote.
func dec(t *testing.T, s string) decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(s)
	if err != nil {
		t.Fatalf("decimal %q: %v", s, err)
	}

	return d
}
