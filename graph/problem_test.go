package graph_test

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"fundhub"
	"fundhub/authz"
	"fundhub/graph"
	"fundhub/postgres/pgtest"
)

func TestProblems_RaiseHandleEscalate(t *testing.T) {
	db := pgtest.New(t)
	d := newDeps(t, db, db, nil)
	srv := httptest.NewServer(graph.Handler(d))
	t.Cleanup(srv.Close)
	county := signIn(t, d, "xh", "330106", fundhub.DepartmentGeohazard, authz.RoleGeohazard)
	neighbour := signIn(t, d, "bj", "330108", fundhub.DepartmentFinance, authz.RoleFinance)
	city := signIn(t, d, "hz", "330100", fundhub.DepartmentFinance, authz.RoleFinance)
	province := signIn(t, d, "zj", "330000", fundhub.DepartmentFinance, authz.RoleFinance)
	ministry := signIn(t, d, "mof", "100000", fundhub.DepartmentFinance, authz.RoleFinance)
	var project string
	pgtest.Get(t, db, &project, `INSERT INTO projects (name, region_code, direction,
		reserve_status) VALUES ('北高峰边坡治理', '330106', 'GEOHAZARD', 'IN_PROGRESS')
		RETURNING id::text`)

	run := func(token, q string, vars map[string]any) response {
		t.Helper()
		_, r := postAs(t, srv.URL, token, q, vars)
		return r
	}
	raise := `mutation($in: ProblemInput!) { raiseProblem(input: $in) { id status } }`
	in := map[string]any{"kind": "SLOW_PROGRESS", "severity": "MAJOR", "regionCode": "330106",
		"projectId": project, "title": "边坡治理进度滞后", "detail": "三季度未开工"}

	if r := run(neighbour, raise, map[string]any{"in": in}); code(r) != fundhub.EFORBIDDEN {
		t.Errorf("the neighbouring county raising on our project: %+v, want FORBIDDEN",
			r.Errors)
	}
	bad := map[string]any{"kind": "SLOWNESS", "regionCode": "330106", "title": "x"}
	if r := run(county, raise, map[string]any{"in": bad}); field(r) != "kind" {
		t.Errorf("an unknown kind: %+v, want BAD_USER_INPUT on kind", r.Errors)
	}

	r := run(county, raise, map[string]any{"in": in})
	var got struct{ RaiseProblem struct{ ID, Status string } }
	if err := json.Unmarshal(r.Data, &got); err != nil || got.RaiseProblem.ID == "" {
		t.Fatalf("raising: %s %+v", r.Data, r.Errors)
	}
	id := map[string]any{"id": got.RaiseProblem.ID}

	steps := []struct {
		name, token, q, wantCode, wantStatus string
	}{
		{"the county acknowledging its own problem", county,
			`mutation($id: ID!) { acknowledgeProblem(id: $id) { status } }`,
			fundhub.EFORBIDDEN, "OPEN"},
		{"the city acknowledging", city,
			`mutation($id: ID!) { acknowledgeProblem(id: $id) { status } }`, "", "ACKNOWLEDGED"},
		{"the county commenting", county, `mutation($id: ID!) { commentOnProblem(id: $id,
			body: "已协调施工单位, 十月进场") { status } }`, "", "ACKNOWLEDGED"},
		{"the city escalating", city, `mutation($id: ID!) { escalateProblem(id: $id,
			reason: "涉及汛期安全") { status } }`, "", "ACKNOWLEDGED"},
		{"escalating twice", ministry, `mutation($id: ID!) { escalateProblem(id: $id,
			reason: "again") { status } }`, fundhub.ECONFLICT, "ACKNOWLEDGED"},
		{"resolving without a note", ministry, `mutation($id: ID!) { resolveProblem(id: $id,
			note: " ") { status } }`, fundhub.EINVALID, "ACKNOWLEDGED"},
		{"the city resolving what went up to the ministry", city, `mutation($id: ID!) {
			resolveProblem(id: $id, note: "x") { status } }`, fundhub.EFORBIDDEN,
			"ACKNOWLEDGED"},
		{"the ministry resolving", ministry, `mutation($id: ID!) { resolveProblem(id: $id,
			note: "已开工, 进度追平") { status } }`, "", "RESOLVED"},
		{"acknowledging a resolved problem", ministry,
			`mutation($id: ID!) { acknowledgeProblem(id: $id) { status } }`,
			fundhub.ECONFLICT, "RESOLVED"},
	}
	for _, s := range steps {
		r := run(s.token, s.q, id)
		if code(r) != s.wantCode {
			t.Errorf("%s: got %q %+v, want %q", s.name, code(r), r.Errors, s.wantCode)
		}
		var status string
		pgtest.Get(t, db, &status, `SELECT status FROM problems WHERE id = $1`,
			got.RaiseProblem.ID)
		if status != s.wantStatus {
			t.Errorf("%s: status %s, want %s", s.name, status, s.wantStatus)
		}
	}

	var view struct {
		Problem struct {
			Escalated bool
			Comments  []struct{ Author, Body string }
		}
	}
	r = run(province, `query($id: ID!) { problem(id: $id) { escalated comments { author body }
		} }`, id)
	if err := json.Unmarshal(r.Data, &view); err != nil || !view.Problem.Escalated ||
		len(view.Problem.Comments) != 2 {
		t.Errorf("the resolved problem: %s %+v", r.Data, r.Errors)
	}
	if r := run(neighbour, `query($id: ID!) { problem(id: $id) { id } }`, id); string(r.Data) !=
		`{"problem":null}` {
		t.Errorf("the neighbouring county looking it up: %s", r.Data)
	}
	var audited int
	pgtest.Get(t, db, &audited, `SELECT count(*) FROM audit_log WHERE entity = 'problem'
		AND entity_id = $1`, got.RaiseProblem.ID)
	if audited != 5 {
		t.Errorf("audit records of the problem: got %d, want 5 (raise, acknowledge, "+
			"comment, escalate, resolve)", audited)
	}
}

func TestProblems_LongTextsAreRefusedNamingTheField(t *testing.T) {
	db := pgtest.New(t)
	d := newDeps(t, db, db, nil)
	srv := httptest.NewServer(graph.Handler(d))
	t.Cleanup(srv.Close)
	county := signIn(t, d, "xh", "330106", fundhub.DepartmentFinance, authz.RoleFinance)

	long := strings.Repeat("很", fundhub.MaxNameLength+1)
	_, r := postAs(t, srv.URL, county, `mutation($t: String!) { raiseProblem(input: {
		kind: "OTHER", regionCode: "330106", title: $t}) { id } }`, map[string]any{"t": long})
	if field(r) != "title" {
		t.Errorf("a title of %d characters: %+v, want BAD_USER_INPUT on title",
			fundhub.MaxNameLength+1, r.Errors)
	}
}

func TestProblems_SummaryRollsUpWithinTheScope(t *testing.T) {
	db := pgtest.New(t)
	d := newDeps(t, db, db, nil)
	srv := httptest.NewServer(graph.Handler(d))
	t.Cleanup(srv.Close)
	if _, err := db.SQL().Exec(`INSERT INTO problems (kind, severity, region_code, title,
		raised_by) VALUES ('SLOW_PROGRESS', 'MAJOR', '330106', 'a', 'test'),
		('LATE', 'MINOR', '330108', 'b', 'test'), ('LATE', 'MINOR', '320102', 'c', 'test'),
		('DATA_INCONSISTENCY', 'MINOR', '330106', 'd', 'test')`); err != nil {
		t.Fatal(err)
	}
	province := signIn(t, d, "zj", "330000", fundhub.DepartmentFinance, authz.RoleFinance)
	county := signIn(t, d, "bj", "330108", fundhub.DepartmentFinance, authz.RoleFinance)

	tests := []struct{ name, token, args, want string }{
		{"the province, by province", province, ``,
			`[{"region":{"code":"330000"},"open":3,"late":1,"lagging":1,"inconsistent":1,` +
				`"major":1}]`},
		{"the province, by county under 杭州", province,
			`(regionUnder: "330100", level: COUNTY)`,
			`[{"region":{"code":"330106"},"open":2,"late":0,"lagging":1,"inconsistent":1,` +
				`"major":1},{"region":{"code":"330108"},"open":1,"late":1,"lagging":0,` +
				`"inconsistent":0,"major":0}]`},
		{"the neighbouring county", county, `(level: COUNTY)`,
			`[{"region":{"code":"330108"},"open":1,"late":1,"lagging":0,"inconsistent":0,` +
				`"major":0}]`},
	}
	for _, tt := range tests {
		_, r := postAs(t, srv.URL, tt.token, `{ problemSummary`+tt.args+` { region { code }
			open late lagging inconsistent major } }`, nil)
		if got := string(r.Data); got != `{"problemSummary":`+tt.want+`}` {
			t.Errorf("%s: got %s %+v, want %s", tt.name, got, r.Errors, tt.want)
		}
	}
}

func TestProblems_FilterValuesNoProblemCanHaveAreRefused(t *testing.T) {
	db := pgtest.New(t)
	d := newDeps(t, db, db, nil)
	srv := httptest.NewServer(graph.Handler(d))
	t.Cleanup(srv.Close)
	zj := signIn(t, d, "zj", "330000", fundhub.DepartmentFinance, authz.RoleFinance)

	tests := []struct{ query, field string }{
		{`{ problems(filter: {severity: "major"}) { totalCount } }`, "filter.severity"},
		{`{ problems(filter: {status: "BOGUS"}) { totalCount } }`, "filter.status"},
		{`{ problems(filter: {minAgeDays: -1}) { totalCount } }`, "filter.minAgeDays"},
		{`{ problemSummary(regionUnder: "330100", level: PROVINCE) { open } }`, "level"},
		{`{ problemSummary(regionUnder: "999999") { open } }`, "regionUnder"},
	}
	for _, tt := range tests {
		if _, r := postAs(t, srv.URL, zj, tt.query, nil); field(r) != tt.field {
			t.Errorf("%s: %+v, want BAD_USER_INPUT on %s", tt.query, r.Errors, tt.field)
		}
	}
}
