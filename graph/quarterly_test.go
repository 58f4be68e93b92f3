package graph_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"fundhub"
	"fundhub/authz"
	"fundhub/graph"
	"fundhub/postgres/pgtest"
	"fundhub/report"
)

// quarterlySeed adds to the analysis seed a project in Liaoning, a
// geohazard project in 西湖区 and problems of every kind of reach.
const quarterlySeed = `
	INSERT INTO projects (id, name, region_code, direction, planned_investment) VALUES
		(2, '沈阳矿山修复', '210100', 'ECO_RESTORATION', 500),
		(3, '西湖区地灾点治理', '330106', 'GEOHAZARD', 200);
	INSERT INTO allocations (id, fund_id, from_region, to_region, project_id, amount,
		source, issued_on, received_on, parent_id) VALUES
		(10, 1, '210000', '210100', 2, 500, 'CENTRAL_TRANSFER', '2024-03-01', '2024-03-05', 6),
		(11, 2, '330106', '330106', 3, 200, 'PROVINCE_MATCH', '2024-04-01', '2024-04-01', 5);
	INSERT INTO payments (id, allocation_id, project_id, region_code, amount, paid_on) VALUES
		(8, 10, 2, '210100', 100, '2024-05-01'),
		(9, 11, 3, '330106', 20, '2024-06-15');
	INSERT INTO problems (id, kind, severity, status, region_code, project_id, allocation_id,
		title, raised_by) VALUES
		(1, 'SLOW_PAYMENT', 'MINOR', 'OPEN', '330106', 1, NULL, '项目支付慢', 'rule'),
		(2, 'SLOW_PAYMENT', 'MAJOR', 'OPEN', '330106', NULL, 5, '地灾资金支付慢', 'rule'),
		(3, 'LATE', 'MAJOR', 'ACKNOWLEDGED', '330500', NULL, NULL, '湖州迟报', 'rule'),
		(4, 'LATE', 'MAJOR', 'OPEN', '210000', NULL, NULL, '辽宁迟报', 'rule'),
		(5, 'OTHER', 'MINOR', 'RESOLVED', '330100', NULL, NULL, '已解决', 'rule'),
		(6, 'SLOW_PAYMENT', 'MINOR', 'OPEN', '330106', 3, NULL, '地灾点支付慢', 'rule');`

// quarterlyEnv serves GraphQL and the report downloads over the seeded
// data, with the finance and ecological restoration departments of
// Zhejiang signed in, and the log lines the downloads write.
type quarterlyEnv struct {
	url, finance, eco string
	log               *bytes.Buffer
}

func newQuarterlyEnv(t *testing.T) *quarterlyEnv {
	t.Helper()
	db := pgtest.New(t)
	pgtest.SeedAnalysis(t, db)
	if _, err := db.SQL().Exec(quarterlySeed); err != nil {
		t.Fatal(err)
	}
	d := newDeps(t, db, db, nil)
	env := &quarterlyEnv{log: &bytes.Buffer{}}
	d.Logger = slog.New(slog.NewTextHandler(env.log, nil))
	mux := http.NewServeMux()
	mux.Handle("/", graph.Handler(d))
	for _, p := range graph.QuarterlyReportPaths() {
		mux.Handle(p, graph.QuarterlyReports(d))
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	env.url = srv.URL
	env.finance = signIn(t, d, "zj-fin", "330000", fundhub.DepartmentFinance,
		authz.RoleFinance)
	env.eco = signIn(t, d, "zj-eco", "330000", fundhub.DepartmentEcoRestoration,
		authz.RoleEcoRestoration)

	return env
}

// get downloads path with token (none when empty).
func (e *quarterlyEnv) get(t *testing.T, method, token, path string) (*http.Response,
	[]byte) {
	t.Helper()
	req, _ := http.NewRequest(method, e.url+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)

	return res, body
}

// workbook downloads the workbook of region's second quarter of 2024 and
// returns its sheets' raw cell values.
func (e *quarterlyEnv) workbook(t *testing.T, token, region string) map[string][][]string {
	t.Helper()
	res, body := e.get(t, http.MethodGet, token,
		graph.QuarterlyWorkbookPath+"?region="+region+"&year=2024&quarter=2")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("workbook of %s: %d %s", region, res.StatusCode, body)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	out := map[string][][]string{}
	for _, name := range f.GetSheetList() {
		if out[name], err = f.GetRows(name, excelize.Options{RawCellValue: true}); err != nil {
			t.Fatal(err)
		}
	}

	return out
}

// reportFigures are the fields of an analysis row the summary sheet shows.
type reportFigures struct {
	Direction            string
	Region               struct{ Code string }
	Allocated            decimal.Decimal
	Received             decimal.Decimal
	Paid                 decimal.Decimal
	ExecutionRate        *decimal.Decimal
	ReceivedRate         *decimal.Decimal
	TargetCompletionRate *decimal.Decimal
	ProjectCount         int
	TimeProgress         struct {
		Elapsed decimal.Decimal
		Gap     *decimal.Decimal
		Warning string
	}
}

const reportCutQuery = `fragment F on AnalysisRow { direction region { code } allocated received
	paid executionRate receivedRate targetCompletionRate projectCount
	timeProgress { elapsed gap warning } }
query($f: AnalysisFilter, $q: QuarterInput) {
	now: analysis(filter: $f, asOf: $q) { nodes { ...F } }
	before: analysis(filter: $f, asOf: {year: 2024, quarter: 1}) { nodes { ...F } }
	byDirection: analysis(groupBy: [DIRECTION], filter: $f, asOf: $q) { nodes { ...F } }
	byRegion: analysis(groupBy: [REGION], regionLevel: CITY, filter: $f, asOf: $q) {
		nodes { ...F } }
	projectProgress(year: 2024, asOf: "2024-06-30", filter: {region: "330000"}) {
		nodes { project { name } allocated paid
			timeProgress { executionRate elapsed gap warning } } }
}`

type reportCuts struct {
	Now, Before, ByDirection, ByRegion struct{ Nodes []reportFigures }
	ProjectProgress                    struct {
		Nodes []struct {
			Project      struct{ Name string }
			Allocated    decimal.Decimal
			Paid         decimal.Decimal
			TimeProgress struct {
				ExecutionRate *decimal.Decimal
				Elapsed       decimal.Decimal
				Gap           *decimal.Decimal
				Warning       string
			}
		}
	}
}

var cellWarningLabel = map[string]string{"RED": "红色", "YELLOW": "黄色", "NONE": "绿色"}

// sameCellNumber reports whether a raw cell holds d (scaled by shift), or is
// empty where d is nil.
func sameCellNumber(cell string, d *decimal.Decimal, shift int32) bool {
	if d == nil {
		return cell == ""
	}
	got, err := decimal.NewFromString(cell)

	return err == nil && got.Equal(d.Shift(shift))
}

// checkSummaryLine compares a summary line with the analysis row it stands for.
func checkSummaryLine(t *testing.T, row []string, f reportFigures) {
	t.Helper()
	row = append(row, make([]string, 13)...)
	checks := []struct {
		col   int
		d     *decimal.Decimal
		shift int32
	}{{1, &f.Allocated, 0}, {3, &f.Received, 0}, {4, &f.Paid, 0}, {6, f.ExecutionRate, -2},
		{7, f.ReceivedRate, -2}, {8, &f.TimeProgress.Elapsed, -2}, {9, f.TimeProgress.Gap, 0},
		{11, f.TargetCompletionRate, -2}}
	for _, c := range checks {
		if !sameCellNumber(row[c.col], c.d, c.shift) {
			t.Errorf("%s column %c: got %q, want %v", row[0], 'A'+c.col, row[c.col], c.d)
		}
	}
	if row[10] != cellWarningLabel[f.TimeProgress.Warning] || row[12] != decimal.NewFromInt(
		int64(f.ProjectCount)).String() {
		t.Errorf("%s: warning %q and %q projects, want %s and %d", row[0], row[10], row[12],
			f.TimeProgress.Warning, f.ProjectCount)
	}
}

// section returns the rows below the header that follows title, up to the
// next blank row.
func summarySection(rows [][]string, title string) [][]string {
	for i, r := range rows {
		if len(r) > 0 && r[0] == title {
			var out [][]string
			for _, r := range rows[i+2:] {
				if len(r) == 0 || r[0] == "" {
					break
				}
				out = append(out, r)
			}
			return out
		}
	}

	return nil
}

func TestQuarterlyReport_WorkbookMatchesTheAnalysis(t *testing.T) {
	env := newQuarterlyEnv(t)
	var cuts reportCuts
	_, r := postAs(t, env.url, env.finance, reportCutQuery, map[string]any{
		"f": map[string]any{"region": "330000", "years": []int{2024}},
		"q": map[string]any{"year": 2024, "quarter": 2}})
	if len(r.Errors) > 0 || json.Unmarshal(r.Data, &cuts) != nil || len(cuts.Now.Nodes) != 1 {
		t.Fatalf("analysis: %s %+v", r.Data, r.Errors)
	}

	book := env.workbook(t, env.finance, "330000")
	summary := book[report.SheetSummary]
	checkSummaryLine(t, summary[4], cuts.Now.Nodes[0])
	checkSummaryLine(t, summary[5], cuts.Before.Nodes[0])
	if summary[4][0] != "本季末（2024Q2）" || summary[5][0] != "上季末（2024Q1）" {
		t.Errorf("summary lines %q and %q", summary[4][0], summary[5][0])
	}
	paidThisQuarter := cuts.Now.Nodes[0].Paid.Sub(cuts.Before.Nodes[0].Paid)
	if !sameCellNumber(summary[6][4], &paidThisQuarter, 0) {
		t.Errorf("paid this quarter: got %q, want %s", summary[6][4], paidThisQuarter)
	}
	for _, part := range []struct {
		title string
		nodes []reportFigures
	}{{"按资金方向", cuts.ByDirection.Nodes}, {"按下级地区", cuts.ByRegion.Nodes}} {
		lines := summarySection(summary, part.title)
		if len(lines) != len(part.nodes) {
			t.Fatalf("%s: %d lines, want %d", part.title, len(lines), len(part.nodes))
		}
		for i, n := range part.nodes {
			checkSummaryLine(t, lines[i], n)
		}
	}

	projects := book[report.SheetProjects][1:]
	if len(projects) != len(cuts.ProjectProgress.Nodes) {
		t.Fatalf("%d projects in the workbook, %d in projectProgress", len(projects),
			len(cuts.ProjectProgress.Nodes))
	}
	for _, n := range cuts.ProjectProgress.Nodes {
		var row []string
		for _, p := range projects {
			if p[1] == n.Project.Name {
				row = p
			}
		}
		tp := n.TimeProgress
		same := row != nil && sameCellNumber(row[5], &n.Allocated, 0) &&
			sameCellNumber(row[7], &n.Paid, 0) && sameCellNumber(row[9], tp.ExecutionRate, -2) &&
			sameCellNumber(row[10], &tp.Elapsed, -2) && sameCellNumber(row[11], tp.Gap, 0) &&
			row[12] == cellWarningLabel[tp.Warning]
		if !same {
			t.Errorf("project %s: workbook %q, projectProgress %+v", n.Project.Name, row, n)
		}
	}
	// Worked by hand: 100 of 300 paid and 20 of 200, against 49.73%.
	want := "西湖区矿山修复 300 100 0.3333 黄色|西湖区地灾点治理 200 20 0.1 红色"
	var got []string
	for _, p := range projects {
		got = append(got, strings.Join([]string{p[1], p[5], p[7], p[9], p[12]}, " "))
	}
	if strings.Join(got, "|") != want {
		t.Errorf("projects: got %s, want %s", strings.Join(got, "|"), want)
	}
}

func TestQuarterlyReport_GraphQLLinksAndSummary(t *testing.T) {
	env := newQuarterlyEnv(t)
	q := `query($r: String!, $y: Int!, $q: Int!) { quarterlyReport(region: $r, year: $y,
		quarter: $q) { region { code } quarter { label } workbookUrl markdownUrl htmlUrl
		summary } }`
	var got struct {
		QuarterlyReport *struct {
			Region                            struct{ Code string }
			Quarter                           struct{ Label string }
			WorkbookURL, MarkdownURL, HTMLURL string
			Summary                           string
		}
	}
	_, r := postAs(t, env.url, env.finance, q, map[string]any{"r": "330000", "y": 2024, "q": 2})
	if len(r.Errors) > 0 || json.Unmarshal(r.Data, &got) != nil || got.QuarterlyReport == nil {
		t.Fatalf("quarterlyReport: %s %+v", r.Data, r.Errors)
	}
	rep := got.QuarterlyReport
	if rep.Region.Code != "330000" || rep.Quarter.Label != "2024Q2" ||
		rep.WorkbookURL != graph.QuarterlyWorkbookPath+"?quarter=2&region=330000&year=2024" {
		t.Errorf("report: %+v", rep)
	}
	// 1250 allocated, 220 paid by June: 17.60% against 49.73%.
	for _, want := range []string{"下达资金 0.13 万元（1,250.00 元）", "已支付 0.02 万元（220.00 元）",
		"执行率 17.60%，序时进度 49.73%，落后序时进度 32.13 个百分点", "红色预警",
		"滞后项目 2 个", "未办结问题 4 个", "新增滞后项目 2 个"} {
		if !strings.Contains(rep.Summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, rep.Summary)
		}
	}
	for _, link := range []string{rep.MarkdownURL, rep.HTMLURL} {
		res, body := env.get(t, http.MethodGet, env.finance, link)
		if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "17.60%") {
			t.Errorf("%s: %d %s", link, res.StatusCode, body)
		}
	}

	for _, c := range []struct {
		vars  map[string]any
		field string
	}{{map[string]any{"r": "330000", "y": 2024, "q": 5}, "quarter"},
		{map[string]any{"r": "330000", "y": 1800, "q": 2}, "year"}} {
		_, r := postAs(t, env.url, env.finance, q, c.vars)
		if code(r) != fundhub.EINVALID || r.Errors[0].Extensions["field"] != c.field {
			t.Errorf("%v: %+v, want BAD_USER_INPUT on %s", c.vars, r.Errors, c.field)
		}
	}
	// Asked for links alone, the figures are not read, and the answer is
	// the same: links for a region in sight, null for one out of it.
	links := `query($r: String!, $y: Int!, $q: Int!) { quarterlyReport(region: $r, year: $y,
		quarter: $q) { region { code } workbookUrl } }`
	_, r = postAs(t, env.url, env.finance, links, map[string]any{"r": "330000", "y": 2024, "q": 2})
	if string(r.Data) != `{"quarterlyReport":{"region":{"code":"330000"},"workbookUrl":`+
		`"/reports/quarterly.xlsx?quarter=2\u0026region=330000\u0026year=2024"}}` {
		t.Errorf("links alone: %s %+v", r.Data, r.Errors)
	}
	for _, region := range []string{"210000", "100000", "999999"} {
		for _, query := range []string{q, links} {
			_, r := postAs(t, env.url, env.finance, query,
				map[string]any{"r": region, "y": 2024, "q": 2})
			if len(r.Errors) > 0 || string(r.Data) != `{"quarterlyReport":null}` {
				t.Errorf("%s out of sight: %s %+v, want null", region, r.Data, r.Errors)
			}
		}
	}
}

func TestQuarterlyReport_DownloadsRefuseAndHide(t *testing.T) {
	env := newQuarterlyEnv(t)
	ok := "?region=330000&year=2024&quarter=2"

	for _, c := range []struct {
		name, method, token, path string
		status                    int
		says                      string
	}{
		{"no token", "GET", "", graph.QuarterlyWorkbookPath + ok, 401, "sign in"},
		{"unknown token", "GET", "nope", graph.QuarterlyWorkbookPath + ok, 401, ""},
		{"another province", "GET", env.finance,
			graph.QuarterlyWorkbookPath + "?region=210000&year=2024&quarter=2", 404,
			`"code":"NOT_FOUND"`},
		{"the nation", "GET", env.finance,
			graph.QuarterlyHTMLPath + "?region=100000&year=2024&quarter=2", 404, ""},
		{"no region", "GET", env.finance, graph.QuarterlyMarkdownPath + "?year=2024&quarter=2",
			400, `"field":"region"`},
		{"a word for a year", "GET", env.finance,
			graph.QuarterlyWorkbookPath + "?region=330000&year=x&quarter=2", 400,
			`"field":"year"`},
		{"a fifth quarter", "GET", env.finance,
			graph.QuarterlyWorkbookPath + "?region=330000&year=2024&quarter=5", 400,
			`"field":"quarter"`},
		{"a post", "POST", env.finance, graph.QuarterlyWorkbookPath + ok, 405, ""},
	} {
		res, body := env.get(t, c.method, c.token, c.path)
		if res.StatusCode != c.status || !strings.Contains(string(body), c.says) {
			t.Errorf("%s: %d %q, want %d saying %q", c.name, res.StatusCode, body, c.status,
				c.says)
		}
		if strings.Contains(res.Header.Get("Content-Disposition"), "filename") {
			t.Errorf("%s: refused as a download: %v", c.name, res.Header)
		}
	}

	res, body := env.get(t, http.MethodGet, env.finance, graph.QuarterlyWorkbookPath+ok)
	h := res.Header
	if h.Get("Content-Disposition") != `attachment; filename="330000-2024Q2.xlsx"` ||
		h.Get("Cache-Control") != "no-store" || !bytes.HasPrefix(body, []byte("PK")) {
		t.Errorf("workbook download: %v", h)
	}
	if line := env.log.String(); !strings.Contains(line, `msg="quarterly report" user=zj-fin `+
		`region=330000 quarter=2024Q2 format=xlsx status=200 bytes=`) {
		t.Errorf("log lines:\n%s", line)
	}
}

func TestQuarterlyReport_ScopeLeavesOutOtherProvincesAndDirections(t *testing.T) {
	env := newQuarterlyEnv(t)

	for _, c := range []struct {
		token    string
		problems string
		absent   []string
	}{
		{env.finance, "湖州迟报,地灾资金支付慢,地灾点支付慢,项目支付慢",
			[]string{"辽宁", "沈阳"}},
		{env.eco, "湖州迟报,项目支付慢",
			[]string{"辽宁", "沈阳", "地灾", "地质灾害"}},
	} {
		book := env.workbook(t, c.token, "330000")
		var titles []string
		for _, r := range book[report.SheetProblems][1:] {
			titles = append(titles, r[6])
		}
		if got := strings.Join(titles, ","); got != c.problems {
			t.Errorf("problems: got %s, want %s", got, c.problems)
		}
		for name, rows := range book {
			for _, r := range rows {
				line := strings.Join(r, " ")
				for _, word := range c.absent {
					if strings.Contains(line, word) {
						t.Errorf("sheet %s shows %q: %s", name, word, line)
					}
				}
			}
		}
	}
}
