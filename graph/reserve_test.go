package graph_test

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"fundhub"
	"fundhub/authz"
	"fundhub/graph"
	"fundhub/postgres/pgtest"
)

func TestReserve_StepsInOrderByWhoMayTakeThem(t *testing.T) {
	db := pgtest.New(t)
	d := newDeps(t, db, db, nil)
	srv := httptest.NewServer(graph.Handler(d))
	t.Cleanup(srv.Close)
	county := signIn(t, d, "ax", "330523", fundhub.DepartmentEcoRestoration,
		authz.RoleEcoRestoration)
	city := signIn(t, d, "hu", "330500", fundhub.DepartmentFinance, authz.RoleFinance)
	other := signIn(t, d, "wx", "330502", fundhub.DepartmentFinance, authz.RoleFinance)
	geo := signIn(t, d, "axgeo", "330523", fundhub.DepartmentGeohazard, authz.RoleGeohazard)

	apply := `mutation($in: ProjectApplication!) { applyProject(input: $in) { id
		reserveStatus } }`
	in := map[string]any{"name": "安吉县西苕溪流域生态修复", "regionCode": "330523",
		"direction": "ECO_RESTORATION", "plannedInvestment": "38000000",
		"startOn": "2024-05-01", "endOn": "2025-12-31"}
	if _, r := postAs(t, srv.URL, geo, apply, map[string]any{"in": in}); code(r) !=
		fundhub.EFORBIDDEN {
		t.Errorf("the geohazard department applying for an eco project: %+v", r.Errors)
	}
	_, r := postAs(t, srv.URL, county, apply, map[string]any{"in": in})
	var got struct {
		ApplyProject struct{ ID, ReserveStatus string }
	}
	if err := json.Unmarshal(r.Data, &got); err != nil || got.ApplyProject.ID == "" {
		t.Fatalf("applying: %s %+v", r.Data, r.Errors)
	}
	id := got.ApplyProject.ID

	steps := []struct {
		name, token, mutation  string
		wantCode, wantField    string
		wantStatus, wantAction string
	}{
		{"completing an applied project", county, `completeProject(id: $id)`,
			fundhub.ECONFLICT, "reserveStatus", "APPLIED", ""},
		{"filing", county, `fileProject(id: $id)`, "", "", "FILED", "project.file"},
		{"the county admitting its own project", county, `admitProject(id: $id)`,
			fundhub.EFORBIDDEN, "", "FILED", ""},
		{"another county's finance, who cannot see it, admitting it", other,
			`admitProject(id: $id)`, fundhub.ENOTFOUND, "", "FILED", ""},
		{"the city admitting it", city, `admitProject(id: $id)`, "", "", "ADMITTED",
			"project.admit"},
		{"admitting twice", city, `admitProject(id: $id)`, fundhub.ECONFLICT,
			"reserveStatus", "ADMITTED", ""},
		{"starting", county, `startProject(id: $id)`, "", "", "IN_PROGRESS", "project.start"},
		{"adjusting without an approval", county, `adjustProject(id: $id, approvalRef: " ",
			changes: {plannedInvestment: "42000000"})`, fundhub.EINVALID, "approvalRef",
			"IN_PROGRESS", ""},
		{"adjusting to end before it starts", county, `adjustProject(id: $id,
			approvalRef: "安政办〔2024〕31号", changes: {endOn: "2024-01-01"})`,
			fundhub.EINVALID, "changes.endOn", "IN_PROGRESS", ""},
		{"adjusting with an approval", county, `adjustProject(id: $id,
			approvalRef: "安政办〔2024〕31号", changes: {plannedInvestment: "42000000"})`,
			"", "", "ADJUSTED", "project.adjust"},
		{"completing", county, `completeProject(id: $id)`, "", "", "COMPLETED",
			"project.complete"},
		{"terminating a completed project", county, `terminateProject(id: $id,
			approvalRef: "x")`, fundhub.ECONFLICT, "reserveStatus", "COMPLETED", ""},
	}
	for _, s := range steps {
		var last int64
		pgtest.Get(t, db, &last, `SELECT COALESCE(max(id), 0) FROM audit_log`)
		_, r := postAs(t, srv.URL, s.token, `mutation($id: ID!) { `+s.mutation+
			` { reserveStatus } }`, map[string]any{"id": id})
		if code(r) != s.wantCode || field(r) != s.wantField {
			t.Errorf("%s: got %q on %q (%+v), want %q on %q", s.name, code(r), field(r),
				r.Errors, s.wantCode, s.wantField)
		}

		var status, action string
		pgtest.Get(t, db, &status, `SELECT reserve_status FROM projects WHERE id = $1`, id)
		pgtest.Get(t, db, &action, `SELECT COALESCE(string_agg(action, ','), '')
			FROM audit_log WHERE entity = 'project' AND id > $1`, last)
		if status != s.wantStatus || action != s.wantAction {
			t.Errorf("%s: status %s and audit %q, want %s and %q", s.name, status, action,
				s.wantStatus, s.wantAction)
		}
	}

	var project struct {
		Project struct{ PlannedInvestment, ApprovalRef string }
	}
	_, r = postAs(t, srv.URL, city, `query($id: ID!) { project(id: $id) { plannedInvestment
		approvalRef } }`, map[string]any{"id": id})
	if err := json.Unmarshal(r.Data, &project); err != nil ||
		project.Project.PlannedInvestment != "42000000" ||
		project.Project.ApprovalRef != "安政办〔2024〕31号" {
		t.Errorf("the adjusted project: %s %+v", r.Data, r.Errors)
	}
}
