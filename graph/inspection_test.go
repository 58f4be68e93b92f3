package graph_test

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"fundhub"
	"fundhub/authz"
	"fundhub/graph"
	"fundhub/postgres/pgtest"
)

func TestInspection_RunQueryAndExportWithinTheScope(t *testing.T) {
	db := pgtest.New(t)
	if _, err := db.SQL().Exec(`
		INSERT INTO funds (id, name, year, category, direction, owner_region)
		VALUES (1, '生态修复', 2024, 'CENTRAL', 'ECO_RESTORATION', '100000');
		INSERT INTO allocations (fund_id, from_region, to_region, amount, source) VALUES
			(1, '330000', '330106', 500, 'CENTRAL_TRANSFER'),
			(1, '330000', '330108', 300, 'CENTRAL_TRANSFER');`); err != nil {
		t.Fatal(err)
	}
	d := newDeps(t, db, db, nil)
	mux := http.NewServeMux()
	mux.Handle("/", graph.Handler(d))
	mux.Handle(graph.InspectionExportPath, graph.InspectionExport(d))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	province := signIn(t, d, "zj", "330000", fundhub.DepartmentFinance, authz.RoleFinance)
	county := signIn(t, d, "xh", "330106", fundhub.DepartmentFinance, authz.RoleFinance)

	if _, r := postAs(t, srv.URL, county, `mutation { runInspection(input: {regionCode:
		"330000", year: 2024}) { id } }`, nil); code(r) != fundhub.EFORBIDDEN {
		t.Errorf("a county inspecting its province: %+v, want FORBIDDEN", r.Errors)
	}
	_, r := postAs(t, srv.URL, province, `mutation { runInspection(input: {regionCode:
		"330000", year: 2024}) { id findingCount exportUrl } }`, nil)
	var run struct {
		RunInspection struct {
			ID           string
			FindingCount int
			ExportURL    string
		}
	}
	if err := json.Unmarshal(r.Data, &run); err != nil || run.RunInspection.FindingCount < 2 {
		t.Fatalf("running: %s %+v", r.Data, r.Errors)
	}

	// Two allocations without a document, one per county: each county sees its own.
	_, r = postAs(t, srv.URL, county, `query($id: ID!) { inspectionRun(id: $id) {
		findings(check: "allocation_without_document") { totalCount
		nodes { region { code } detail } } } }`, map[string]any{"id": run.RunInspection.ID})
	var seen struct {
		InspectionRun struct {
			Findings struct {
				TotalCount int
				Nodes      []struct{ Region struct{ Code string } }
			}
		}
	}
	if err := json.Unmarshal(r.Data, &seen); err != nil ||
		seen.InspectionRun.Findings.TotalCount != 1 ||
		seen.InspectionRun.Findings.Nodes[0].Region.Code != "330106" {
		t.Errorf("the county's findings: %s %+v", r.Data, r.Errors)
	}

	export := func(token string) (int, [][]string) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+run.RunInspection.ExportURL, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		rows, _ := csv.NewReader(res.Body).ReadAll()
		return res.StatusCode, rows
	}
	if status, _ := export(""); status != http.StatusUnauthorized {
		t.Errorf("export without a token: %d, want 401", status)
	}
	status, rows := export(province)
	if status != http.StatusOK || len(rows) != run.RunInspection.FindingCount+1 {
		t.Errorf("the province's export: %d with %d rows, want %d findings and a header",
			status, len(rows), run.RunInspection.FindingCount)
	}
	if _, rows := export(county); len(rows) >= run.RunInspection.FindingCount+1 {
		t.Errorf("the county's export holds %d rows, as many as the province's", len(rows))
	}
}

func TestEvaluation_RecordedByTheLevelAbove(t *testing.T) {
	db := pgtest.New(t)
	if _, err := db.SQL().Exec(`INSERT INTO performance_targets (id, region_code, year,
		indicator, unit, target_value) VALUES (1, '330106', 2024, '修复面积', '公顷', 50)`); err != nil {
		t.Fatal(err)
	}
	d := newDeps(t, db, db, nil)
	srv := httptest.NewServer(graph.Handler(d))
	t.Cleanup(srv.Close)
	county := signIn(t, d, "xh", "330106", fundhub.DepartmentFinance, authz.RoleFinance)
	city := signIn(t, d, "hz", "330100", fundhub.DepartmentFinance, authz.RoleFinance)
	q := `mutation { recordEvaluation(input: {targetId: 1, value: "45",
		evaluatedOn: "2025-03-01"}) { id } }`

	if _, r := postAs(t, srv.URL, county, q, nil); code(r) != fundhub.EFORBIDDEN {
		t.Errorf("the county evaluating itself: %+v, want FORBIDDEN", r.Errors)
	}
	if _, r := postAs(t, srv.URL, city, q, nil); len(r.Errors) > 0 {
		t.Errorf("the city evaluating its county: %+v", r.Errors)
	}
	var n int
	pgtest.Get(t, db, &n, `SELECT count(*) FROM target_evaluations`)
	if n != 1 {
		t.Errorf("evaluations: %d, want 1", n)
	}
}
