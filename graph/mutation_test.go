package graph_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"fundhub/connectors"
	"fundhub/connectors/source"
	"fundhub/postgres"
	"fundhub/postgres/pgtest"
)

// adminServer serves GraphQL with a dispatcher the test can wait on.
func adminServer(t *testing.T, db *postgres.DB) (*httptest.Server, *connectors.Dispatcher) {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	disp := connectors.NewDispatcher(&connectors.Runner{Store: db, Open: source.Open,
		Regions: db.AllRegions, Logger: logger}, db.FindConnectorByName)
	srv := httptest.NewServer(nationalAdmin(t, newDeps(t, db, db, disp)))
	t.Cleanup(srv.Close)

	return srv, disp
}

// sheetConfig is a connector config reading 编号, 地区, 金额（万元） and 类别,
// with the given value map on the category.
func sheetConfig(t *testing.T, dir string, categories map[string]string) string {
	t.Helper()
	cfg := map[string]any{
		"file": map[string]any{"dir": dir},
		"mapping": map[string]any{"entity": "allocation", "key": []string{"编号"},
			"fields": map[string]any{
				"fund":        map[string]string{"const": "地灾资金"},
				"year":        map[string]string{"const": "2024"},
				"category":    map[string]any{"column": "类别", "map": categories},
				"direction":   map[string]string{"const": "GEOHAZARD"},
				"source":      map[string]string{"const": "CENTRAL_TRANSFER"},
				"from_region": map[string]string{"const": "330000"},
				"to_region":   map[string]string{"column": "地区"},
				"amount":      map[string]string{"column": "金额（万元）", "unit": "wan"},
			}},
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}

	return string(b)
}

func TestMutation_ManageAndReprocess(t *testing.T) {
	db := pgtest.New(t)
	srv, disp := adminServer(t, db)
	root := t.TempDir()
	t.Setenv(connectors.FileRootEnv, root)
	dir := filepath.Join(root, "sheets")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "s.csv"),
		[]byte("编号,地区,金额（万元）,类别\nA,湖州市,1.5亿,CENTRAL\nB,衢州市,20,中央\n"),
		0o644); err != nil {
		t.Fatal(err)
	}

	// A file connector declared over the API needs an absolute folder.
	bad := post(t, srv, `mutation($c: String!) { createConnector(input: {name: "sheet",
		kind: "file", config: $c}) { id } }`, map[string]any{"c": `{"file":{"dir":"rel"}}`})
	if len(bad.Errors) == 0 || bad.Errors[0].Extensions["code"] != "BAD_USER_INPUT" {
		t.Fatalf("bad declaration: got %+v, want BAD_USER_INPUT", bad.Errors)
	}

	var created struct{ CreateConnector struct{ Name string } }
	query(t, srv, `mutation($c: String!) { createConnector(input: {name: "sheet", kind: "file",
		config: $c}) { name } }`, map[string]any{"c": sheetConfig(t, dir, nil)}, &created)

	var run struct{ TriggerSync struct{ ID, Status string } }
	query(t, srv, `mutation { triggerSync(connector: "sheet") { id status } }`, nil, &run)
	disp.Stop(context.Background())
	first := runStatus(t, srv, run.TriggerSync.ID)
	if first.Status != "SUCCEEDED" || first.RowsRejected != 1 {
		t.Fatalf("first run: got %+v, want SUCCEEDED with B rejected (中央 unmapped)", first)
	}

	// Fix the mapping, then reprocess the rejected row.
	query(t, srv, `mutation($c: String!) { updateConnector(name: "sheet", input: {name: "sheet",
		kind: "file", config: $c}) { name } }`,
		map[string]any{"c": sheetConfig(t, dir, map[string]string{"中央": "CENTRAL"})},
		&struct{}{})
	srv2, disp2 := adminServer(t, db)
	var re struct{ ReprocessRejectedRows struct{ ID string } }
	query(t, srv2, `mutation { reprocessRejectedRows(connector: "sheet") { id } }`, nil, &re)
	disp2.Stop(context.Background())
	second := runStatus(t, srv2, re.ReprocessRejectedRows.ID)
	if second.Status != "SUCCEEDED" || second.RowsInserted != 1 || second.RowsRejected != 0 {
		t.Errorf("reprocess: got %+v, want B inserted", second)
	}

	var audits int
	pgtest.Get(t, db, &audits, `SELECT count(*) FROM audit_log WHERE entity = 'connector'`)
	if audits != 2 {
		t.Errorf("audit records of the connector: got %d, want create and update", audits)
	}
}

type runView struct {
	Status                     string
	RowsInserted, RowsRejected int
}

func runStatus(t *testing.T, srv *httptest.Server, id string) runView {
	t.Helper()
	var got struct{ SyncRun runView }
	query(t, srv, `query($id: ID!) { syncRun(id: $id) { status rowsInserted rowsRejected } }`,
		map[string]any{"id": id}, &got)

	return got.SyncRun
}

func TestMutation_RefusesWhatACallerMustNotReach(t *testing.T) {
	db := pgtest.New(t)
	srv, _ := adminServer(t, db)
	t.Setenv(connectors.FileRootEnv, t.TempDir())
	tests := []struct{ name, kind, config, field string }{
		{"a folder outside the root", "file", `{"file":{"dir":"/etc"},"mapping":{}}`, "file.dir"},
		{"the hub's database as a credential", "http", `{"http":{"url":"http://127.0.0.1:9",
			"paging":{"mode":"page"},"auth":{"tokenEnv":"DATABASE_URL"}},"mapping":{}}`,
			"http.auth.tokenEnv"},
		{"the hub's database as a source", "sql", `{"sql":{"driver":"postgres",
			"dsnEnv":"DATABASE_URL","query":"SELECT 1","timeColumn":"t","keyColumn":"k"},
			"mapping":{}}`, "sql.dsnEnv"},
	}
	for _, tt := range tests {
		resp := post(t, srv, `mutation($k: String!, $c: String!) { createConnector(input:
			{name: "x", kind: $k, config: $c}) { id } }`,
			map[string]any{"k": tt.kind, "c": tt.config})
		if len(resp.Errors) == 0 || resp.Errors[0].Extensions["field"] != tt.field {
			t.Errorf("%s: got %+v, want BAD_USER_INPUT on %s", tt.name, resp.Errors, tt.field)
		}
	}
}
