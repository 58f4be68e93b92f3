package graph_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"fundhub"
	"fundhub/authz"
	"fundhub/graph"
	"fundhub/postgres"
	"fundhub/postgres/pgtest"
)

// exportWorld serves GraphQL at /graphql and the query exports over a
// fresh database, with a national administrator's token.
type exportWorld struct {
	db    *postgres.DB
	d     graph.Deps
	srv   *httptest.Server
	admin string
}

func newExportWorld(t *testing.T) *exportWorld {
	t.Helper()
	db := pgtest.New(t)
	d := newDeps(t, db, db, nil)
	mux := http.NewServeMux()
	mux.Handle("/graphql", graph.Handler(d))
	exports := graph.QueryExport(d)
	mux.Handle(graph.QueryExportCSVPath, exports)
	mux.Handle(graph.QueryExportXLSXPath, exports)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	admin := signIn(t, d, "exporter", fundhub.NationalCode, fundhub.DepartmentMinistrySupport,
		authz.RoleFinance, authz.RoleAdmin)

	return &exportWorld{db: db, d: d, srv: srv, admin: admin}
}

// exportRequest is what a test asks an export for.
type exportRequest struct {
	method string // GET or POST; POST when empty
	query  string
	vars   map[string]any
	path   string
}

// export asks urlPath for req with token (none when empty) and returns the
// response with its body read.
func (w *exportWorld) export(t *testing.T, urlPath, token string, req exportRequest) (
	*http.Response, []byte) {
	t.Helper()
	var hr *http.Request
	if req.method == http.MethodGet {
		q := url.Values{"query": {req.query}, "path": {req.path}}
		if req.vars != nil {
			v, _ := json.Marshal(req.vars)
			q.Set("variables", string(v))
		}
		hr, _ = http.NewRequest(http.MethodGet, w.srv.URL+urlPath+"?"+q.Encode(), nil)
	} else {
		body, _ := json.Marshal(map[string]any{"query": req.query, "variables": req.vars,
			"path": req.path})
		hr, _ = http.NewRequest(http.MethodPost, w.srv.URL+urlPath, bytes.NewReader(body))
		hr.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		hr.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}

	return res, b
}

// exportCSV exports req as CSV and returns its records, failing the test
// unless the export succeeded.
func (w *exportWorld) exportCSV(t *testing.T, token string, req exportRequest) [][]string {
	t.Helper()
	res, body := w.export(t, graph.QueryExportCSVPath, token, req)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("export: got %d %s, want 200", res.StatusCode, body)
	}
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("reading the CSV: %v\n%s", err, body)
	}

	return rows
}

// pages runs q on /graphql page by page, as a client would, and returns
// each page's data.
func (w *exportWorld) pages(t *testing.T, token, q string, vars map[string]any,
	conn func(json.RawMessage) (bool, string)) []json.RawMessage {
	t.Helper()
	var out []json.RawMessage
	v := maps.Clone(vars)
	for {
		_, r := postAs(t, w.srv.URL+"/graphql", token, q, v)
		if len(r.Errors) > 0 {
			t.Fatalf("page %d: %+v", len(out)+1, r.Errors)
		}
		out = append(out, r.Data)
		more, cursor := conn(r.Data)
		if !more {
			return out
		}
		v["after"] = cursor
	}
}

// auditedPages counts the operations the gate recorded so far.
func (w *exportWorld) auditedPages(t *testing.T) int {
	t.Helper()
	var n int
	pgtest.Get(t, w.db, &n, `SELECT count(*) FROM audit_log
		WHERE action = 'token.use' AND reason LIKE 'query %'`)

	return n
}

const allocationsQuery = `query($first: Int, $after: String) {
	allocations(filter: {fromLevel: NATIONAL}, first: $first, after: $after) {
		totalCount
		nodes {
			id
			toRegion { code name }
			fund { name year }
			amount
			documentNo
			sourceRecords { sourceSystem amount }
		}
		pageInfo { hasNextPage endCursor }
	}
}`

var allocationsHeader = []string{"id", "toRegion.code", "toRegion.name", "fund.name",
	"fund.year", "amount", "documentNo", "sourceRecords.sourceSystem",
	"sourceRecords.amount"}

type allocationsPage struct {
	Allocations struct {
		TotalCount int
		Nodes      []struct {
			ID       string
			ToRegion struct{ Code, Name string }
			Fund     struct {
				Name string
				Year int
			}
			Amount        string
			DocumentNo    *string
			SourceRecords []struct{ SourceSystem, Amount string }
		}
		PageInfo struct {
			HasNextPage bool
			EndCursor   string
		}
	}
}

func decodeAllocations(t *testing.T, data json.RawMessage) allocationsPage {
	t.Helper()
	var p allocationsPage
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatalf("decoding %s: %v", data, err)
	}

	return p
}

// allocationRows pages allocationsQuery through /graphql and returns the
// rows an export of it should hold, header first, and the page count.
func (w *exportWorld) allocationRows(t *testing.T, token string, first int) ([][]string,
	int) {
	t.Helper()
	pages := w.pages(t, token, allocationsQuery, map[string]any{"first": first},
		func(data json.RawMessage) (bool, string) {
			p := decodeAllocations(t, data).Allocations.PageInfo
			return p.HasNextPage, p.EndCursor
		})

	rows := [][]string{allocationsHeader}
	for _, data := range pages {
		for _, n := range decodeAllocations(t, data).Allocations.Nodes {
			var systems, amounts []string
			for _, s := range n.SourceRecords {
				systems, amounts = append(systems, s.SourceSystem), append(amounts, s.Amount)
			}
			doc := ""
			if n.DocumentNo != nil {
				doc = *n.DocumentNo
			}
			rows = append(rows, []string{n.ID, n.ToRegion.Code, n.ToRegion.Name, n.Fund.Name,
				strconv.Itoa(n.Fund.Year), n.Amount, doc, strings.Join(systems, "; "),
				strings.Join(amounts, "; ")})
		}
	}

	return rows, len(pages)
}

func TestQueryExport_CSVOfAPagedConnectionEqualsItsPages(t *testing.T) {
	w := newExportWorld(t)
	loadDemo(t, w.db)
	want, pages := w.allocationRows(t, w.admin, 7)
	if pages < 3 {
		t.Fatalf("the demo's allocations fill %d pages of 7, want several", pages)
	}

	tests := []struct {
		name string
		req  exportRequest
	}{
		{"POST, the first list", exportRequest{}},
		{"GET, the first list", exportRequest{method: http.MethodGet}},
		{"path to the connection", exportRequest{path: "allocations"}},
		{"path to its nodes", exportRequest{method: http.MethodGet, path: "allocations.nodes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.query, tt.req.vars = allocationsQuery, map[string]any{"first": 7}
			before := w.auditedPages(t)
			got := w.exportCSV(t, w.admin, tt.req)

			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %d rows:\n%q\nwant %d:\n%q", len(got), got, len(want), want)
			}
			if n := w.auditedPages(t) - before; n != pages {
				t.Errorf("the gate saw %d operations, want one per page: %d", n, pages)
			}
		})
	}
}

func TestQueryExport_WithinTheCallersScope(t *testing.T) {
	w := newExportWorld(t)
	if _, err := w.db.SQL().Exec(`
		INSERT INTO funds (id, name, year, category, direction, owner_region)
		VALUES (1, '生态修复', 2024, 'CENTRAL', 'ECO_RESTORATION', '100000');
		INSERT INTO allocations (fund_id, from_region, to_region, amount, source)
		SELECT 1, f, t, a, 'CENTRAL_TRANSFER' FROM (VALUES
			('100000', '330000', 9000), ('100000', '110000', 8000),
			('330000', '330100', 700), ('330100', '330106', 500),
			('330100', '330108', 300), ('330100', '330106', 50.25),
			('110000', '110101', 400)) v(f, t, a);`); err != nil {
		t.Fatal(err)
	}
	province := signIn(t, w.d, "zj", "330000", fundhub.DepartmentFinance, authz.RoleFinance)
	county := signIn(t, w.d, "xh", "330106", fundhub.DepartmentFinance, authz.RoleFinance)
	q := `query($after: String) { allocations(first: 2, after: $after) {
		nodes { toRegion { code } amount } pageInfo { hasNextPage endCursor } } }`

	tests := []struct {
		name, token string
		wantRegions []string
	}{
		{"the province", province, []string{"330000", "330100", "330106", "330106", "330108"}},
		{"the county", county, []string{"330106", "330106"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := w.exportCSV(t, tt.token, exportRequest{query: q})

			var regions []string
			for _, r := range rows[1:] {
				regions = append(regions, r[0])
			}
			slices.Sort(regions)
			if !reflect.DeepEqual(regions, tt.wantRegions) {
				t.Errorf("regions exported: got %v, want %v", regions, tt.wantRegions)
			}
		})
	}

	for _, token := range []string{"", "not-a-token"} {
		res, body := w.export(t, graph.QueryExportCSVPath, token, exportRequest{query: q})
		if res.StatusCode != http.StatusUnauthorized || bytes.Contains(body, []byte("330")) {
			t.Errorf("export with token %q: got %d %s, want 401 and no rows", token,
				res.StatusCode, body)
		}
	}
}

func TestQueryExport_XLSXReadBackEqualsTheCSV(t *testing.T) {
	w := newExportWorld(t)
	loadDemo(t, w.db)
	req := exportRequest{query: allocationsQuery, vars: map[string]any{"first": 9}}
	want := w.exportCSV(t, w.admin, req)

	res, body := w.export(t, graph.QueryExportXLSXPath, w.admin, req)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("export: got %d %s, want 200", res.StatusCode, body)
	}
	if d := res.Header.Get("Content-Disposition"); d != `attachment; filename="allocations.xlsx"` {
		t.Errorf("Content-Disposition: got %q", d)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := f.GetRows("export")
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		for len(got[i]) < len(want[0]) {
			got[i] = append(got[i], "") // GetRows leaves out empty cells at a row's end
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the workbook's rows:\n%q\nwant the CSV's:\n%q", got, want)
	}

	// A number cell has no type attribute: excelize reads it as unset.
	checkCell := func(cell string, want excelize.CellType) {
		t.Helper()
		if typ, err := f.GetCellType("export", cell); err != nil || typ != want {
			t.Errorf("type of %s: got %v %v, want %v", cell, typ, err, want)
		}
	}
	checkCell("A2", excelize.CellTypeInlineString) // the id stays text
	checkCell("E2", excelize.CellTypeUnset)        // the year is a number
	checkCell("F2", excelize.CellTypeUnset)        // money sums
	checkCell("I2", excelize.CellTypeInlineString) // two sources' amounts, joined
	if p, err := f.GetPanes("export"); err != nil || !p.Freeze || p.YSplit != 1 {
		t.Errorf("panes: got %+v %v, want the header row frozen", p, err)
	}
}

func TestQueryExport_AnAggregate(t *testing.T) {
	w := newExportWorld(t)
	loadDemo(t, w.db)
	q := `{ allocationTotals(groupBy: [REGION], regionLevel: PROVINCE,
		filter: {year: 2020, fromLevel: NATIONAL}) { region { code name } amount } }`
	var totals struct {
		AllocationTotals []struct {
			Region struct{ Code, Name string }
			Amount string
		}
	}
	_, r := postAs(t, w.srv.URL+"/graphql", w.admin, q, nil)
	if err := json.Unmarshal(r.Data, &totals); err != nil || len(r.Errors) > 0 {
		t.Fatalf("totals: %s %+v", r.Data, r.Errors)
	}
	want := [][]string{{"region.code", "region.name", "amount"}}
	for _, r := range totals.AllocationTotals {
		want = append(want, []string{r.Region.Code, r.Region.Name, r.Amount})
	}
	if len(want) < 10 {
		t.Fatalf("the demo's totals by province: %d rows, want one per province",
			len(want)-1)
	}

	res, body := w.export(t, graph.QueryExportCSVPath, w.admin, exportRequest{query: q})
	got, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if res.StatusCode != http.StatusOK || err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %d %v:\n%q\nwant:\n%q", res.StatusCode, err, got, want)
	}
	if d := res.Header.Get("Content-Disposition"); !strings.Contains(d, `"allocationTotals.csv"`) {
		t.Errorf("Content-Disposition: got %q", d)
	}
}

func TestQueryExport_RefusesMutationsAndBadQueries(t *testing.T) {
	w := newExportWorld(t)
	if _, err := w.db.SQL().Exec(`
		INSERT INTO funds (id, name, year, category, direction, owner_region)
		VALUES (1, '生态修复', 2024, 'CENTRAL', 'ECO_RESTORATION', '100000');
		INSERT INTO allocations (fund_id, from_region, to_region, amount, source)
		VALUES (1, '330000', '330106', 500, 'CENTRAL_TRANSFER')`); err != nil {
		t.Fatal(err)
	}
	mutation := `mutation { runInspection(input: {regionCode: "330000", year: 2024}) { id } }`

	tests := []struct {
		name      string
		req       exportRequest
		wantCode  string
		wantField string
	}{
		{"a mutation", exportRequest{query: mutation}, "BAD_REQUEST", ""},
		{"a subscription", exportRequest{query: `subscription { problemRaised { id } }`},
			"BAD_REQUEST", ""},
		{"an unknown field", exportRequest{query: `{ nope { id } }`},
			"GRAPHQL_VALIDATION_FAILED", ""},
		{"a bad variable", exportRequest{method: http.MethodGet,
			query: `query($n: Int) { allocations(first: $n) { nodes { id } } }`,
			vars:  map[string]any{"n": "many"}}, "BAD_USER_INPUT", ""},
		{"a bad argument", exportRequest{query: `{ allocations(first: -1) { nodes { id } } }`},
			fundhub.EINVALID, "first"},
		{"a path to no list", exportRequest{query: `{ allocations { nodes { id } } }`,
			path: "allocations.nodes.id"}, fundhub.EINVALID, "path"},
		{"no list", exportRequest{query: `{ me { username } }`}, fundhub.EINVALID, "path"},
		{"no query", exportRequest{method: http.MethodGet}, "BAD_REQUEST", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := w.export(t, graph.QueryExportCSVPath, w.admin, tt.req)

			var got response
			_ = json.Unmarshal(body, &got)
			if res.StatusCode != http.StatusBadRequest || code(got) != tt.wantCode ||
				field(got) != tt.wantField {
				t.Errorf("got %d %s, want 400 %s %s", res.StatusCode, body, tt.wantCode,
					tt.wantField)
			}
		})
	}

	var runs int
	pgtest.Get(t, w.db, &runs, `SELECT count(*) FROM inspection_runs`)
	if runs != 0 {
		t.Errorf("inspection runs after the refused mutation: %d, want 0", runs)
	}
}

func TestQueryExport_AFailingLaterPage(t *testing.T) {
	w := newExportWorld(t)
	loadDemo(t, w.db)
	// The second page passes the cursor as a region code, which is refused.
	req := exportRequest{query: `query($after: String) {
		allocations(first: 5, after: $after) {
			nodes { id } pageInfo { hasNextPage endCursor } }
		problems(filter: {regionUnder: $after}) { totalCount } }`}

	res, body := w.export(t, graph.QueryExportCSVPath, w.admin, req)
	lines := strings.Split(strings.TrimSpace(string(body)), "\n")
	last := lines[len(lines)-1]
	if res.StatusCode != http.StatusOK || len(lines) != 7 ||
		!strings.HasPrefix(last, "# export incomplete: ") ||
		!strings.Contains(last, fundhub.EINVALID) {
		t.Errorf("CSV: got %d with %d lines ending %q, want the header, a page of 5 and "+
			"a last line saying the export is incomplete", res.StatusCode, len(lines), last)
	}

	res, body = w.export(t, graph.QueryExportXLSXPath, w.admin, req)
	var got response
	if err := json.Unmarshal(body, &got); err != nil || res.StatusCode != http.StatusBadRequest ||
		code(got) != fundhub.EINVALID {
		t.Errorf("XLSX: got %d %.200s, want 400 BAD_USER_INPUT and no workbook",
			res.StatusCode, body)
	}
}

func TestQueryExport_AnAnalysisPageByPage(t *testing.T) {
	w := newExportWorld(t)
	pgtest.SeedAnalysis(t, w.db)
	q := `query($after: String) { analysis(groupBy: [REGION, DIRECTION], regionLevel: COUNTY,
		asOf: {year: 2024, quarter: 4}, first: 2, after: $after) {
		nodes { regionCode direction allocated paid executionRate timeProgress { warning } }
		pageInfo { hasNextPage endCursor } } }`

	// Worked out on the seed: what entered each county-level group and what
	// it paid, all years, by the end of 2024.
	want := [][]string{
		{"regionCode", "direction", "allocated", "paid", "executionRate",
			"timeProgress.warning"},
		{"210000", "ECO_RESTORATION", "800", "200", "25", ""},
		{"330000", "ECO_RESTORATION", "1500", "0", "0", ""},
		{"330100", "ECO_RESTORATION", "600", "0", "0", ""},
		{"330106", "ECO_RESTORATION", "900", "400", "44.44", ""},
		{"330106", "GEOHAZARD", "250", "100", "40", ""},
		{"330500", "ECO_RESTORATION", "300", "0", "0", ""},
	}
	if got := w.exportCSV(t, w.admin, exportRequest{query: q}); !reflect.DeepEqual(got, want) {
		t.Errorf("got:\n%q\nwant:\n%q", got, want)
	}
}
