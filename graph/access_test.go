package graph_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"fundhub"
	"fundhub/authz"
	"fundhub/connectors"
	"fundhub/graph"
	"fundhub/postgres"
	"fundhub/postgres/pgtest"
)

// postAs posts a query with token (none when empty) and returns the HTTP
// status and the decoded response.
func postAs(t *testing.T, url, token, q string, vars map[string]any) (int, response) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()

	var out response
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatalf("decoding response: %v", err)
	}

	return res.StatusCode, out
}

func code(r response) string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)

	return c
}

func TestAccess_WithoutATokenOnlyLoginAndTheSchema(t *testing.T) {
	db := pgtest.New(t)
	d := newDeps(t, db, db, nil)
	srv := httptest.NewServer(graph.Handler(d))
	t.Cleanup(srv.Close)

	tests := []struct {
		name, token, query string
		wantStatus         int
		wantCode           string
	}{
		{"a list", "", `{ funds { totalCount } }`, 200, fundhub.EUNAUTHENTICATED},
		{"a lookup", "", `{ project(id: 1) { id } }`, 200, fundhub.EUNAUTHENTICATED},
		{"a public field beside a private one", "",
			`{ __typename funds { totalCount } }`, 200, fundhub.EUNAUTHENTICATED},
		{"a mutation", "", `mutation { triggerSync(connector: "x") { id } }`, 200,
			fundhub.EUNAUTHENTICATED},
		{"the schema", "", `{ __schema { queryType { name } } }`, 200, ""},
		{"a made-up token", "fhs_" + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
			`{ __typename }`, 401, fundhub.EUNAUTHENTICATED},
		{"not a bearer token", "x", `{ __typename }`, 401, fundhub.EUNAUTHENTICATED},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, resp := postAs(t, srv.URL, tt.token, tt.query, nil)
			if status != tt.wantStatus || code(resp) != tt.wantCode {
				t.Errorf("got %d %q (%+v), want %d %q", status, code(resp), resp.Errors,
					tt.wantStatus, tt.wantCode)
			}
		})
	}
}

func TestAccess_LoginUseLogout(t *testing.T) {
	db := pgtest.New(t)
	d := newDeps(t, db, db, nil)
	pw := addUser(t, d, "zhao", "330000", fundhub.DepartmentGeohazard, authz.RoleGeohazard)
	srv := httptest.NewServer(graph.Handler(d))
	t.Cleanup(srv.Close)

	_, resp := postAs(t, srv.URL, "", `mutation($u: String!, $p: String!) {
		login(username: $u, password: $p) { token expiresAt user { username roles
		unit { region { code } } } } }`, map[string]any{"u": "zhao", "p": pw})
	var got struct {
		Login struct {
			Token string
			User  struct {
				Username string
				Roles    []string
			}
		}
	}
	if err := json.Unmarshal(resp.Data, &got); err != nil || got.Login.Token == "" {
		t.Fatalf("login: %s %+v", resp.Data, resp.Errors)
	}
	tok := got.Login.Token

	if _, r := postAs(t, srv.URL, tok, `{ me { username } }`, nil); len(r.Errors) > 0 {
		t.Fatalf("me: %+v", r.Errors)
	}
	if _, r := postAs(t, srv.URL, tok, `mutation { logout }`, nil); len(r.Errors) > 0 {
		t.Fatalf("logout: %+v", r.Errors)
	}
	status, r := postAs(t, srv.URL, tok, `{ me { username } }`, nil)
	if status != 401 || code(r) != fundhub.EUNAUTHENTICATED {
		t.Errorf("after logout: got %d %+v, want 401 UNAUTHENTICATED", status, r.Errors)
	}

	var uses int
	pgtest.Get(t, db, &uses, `SELECT count(*) FROM audit_log a JOIN users u ON u.id = a.user_id
		WHERE u.username = 'zhao' AND a.action = 'token.use'`)
	if uses != 2 {
		t.Errorf("token.use records: got %d, want 2 (me, logout)", uses)
	}
}

// snapshot returns the rows of the tables a mutation might change, as text.
func snapshotTables(t *testing.T, db *postgres.DB) string {
	t.Helper()
	var s string
	pgtest.Get(t, db, &s, `SELECT concat_ws('|',
		(SELECT string_agg(to_jsonb(c)::text, ',' ORDER BY id) FROM connectors c),
		(SELECT string_agg(to_jsonb(r)::text, ',' ORDER BY id) FROM sync_runs r),
		(SELECT string_agg(id || username || roles::text || disabled || md5(password_hash),
			',' ORDER BY id) FROM users),
		(SELECT string_agg(id || coalesce(revoked_at::text, ''), ',' ORDER BY id)
			FROM auth_tokens WHERE kind = 'API'))`)

	return s
}

func TestMutation_WithoutTheRightChangesNothingAndIsAudited(t *testing.T) {
	db := pgtest.New(t)
	d := newDeps(t, db, db, nil)
	admin := nationalAdmin(t, d)
	adminSrv := httptest.NewServer(admin)
	t.Cleanup(adminSrv.Close)
	declareConnector(t, adminSrv)
	// Not via the API: an API token cannot mint another one.
	other := signIn(t, d, "neighbour", "330108", fundhub.DepartmentFinance, authz.RoleFinance)
	var otherAPI response
	_, otherAPI = postAs(t, adminSrv.URL, other, `mutation { createApiToken(name: "dash")
		{ token record { id } } }`, nil)
	if len(otherAPI.Errors) > 0 {
		t.Fatalf("making the neighbour's API token: %+v", otherAPI.Errors)
	}
	var issued struct {
		CreateAPIToken struct {
			Token  string
			Record struct{ ID string }
		}
	}
	_ = json.Unmarshal(otherAPI.Data, &issued)

	county := signIn(t, d, "li", "330106", fundhub.DepartmentFinance, authz.RoleFinance)
	srv := httptest.NewServer(graph.Handler(d))
	t.Cleanup(srv.Close)

	tests := []struct{ name, token, mutation string }{
		{"create a connector", county, `mutation { createConnector(input: {name: "x",
			kind: "file", config: "{}"}) { id } }`},
		{"update a connector", county, `mutation { updateConnector(name: "eco", input:
			{name: "eco", kind: "file", config: "{}"}) { id } }`},
		{"disable a connector", county,
			`mutation { setConnectorEnabled(name: "eco", enabled: false) { id } }`},
		{"trigger a sync", county, `mutation { triggerSync(connector: "eco") { id } }`},
		{"reprocess rows", county,
			`mutation { reprocessRejectedRows(connector: "eco") { id } }`},
		{"create a user in another county", county, `mutation { createUser(input: {
			username: "x1", displayName: "x", unitRegion: "330108", unitName: "u",
			unitKind: FINANCE, roles: ["finance"], password: "long enough password"})
			{ id } }`},
		{"create a user at home without manage_users", county, `mutation { createUser(input:
			{username: "x2", displayName: "x", unitRegion: "330106", unitName: "u",
			unitKind: FINANCE, roles: ["admin"], password: "long enough password"}) { id } }`},
		{"revoke another user's token", county, `mutation { revokeToken(id: "` +
			issued.CreateAPIToken.Record.ID + `") { id } }`},
		{"mint a token with an API token", issued.CreateAPIToken.Token,
			`mutation { createApiToken(name: "more") { token } }`},
		{"disable a user of another county", county,
			`mutation { setUserDisabled(username: "neighbour", disabled: true) { id } }`},
		{"disable a user who does not exist", county,
			`mutation { setUserDisabled(username: "ghost", disabled: true) { id } }`},
		{"give a user roles", county,
			`mutation { setUserRoles(username: "neighbour", roles: ["admin"]) { id } }`},
		{"give oneself roles", county,
			`mutation { setUserRoles(username: "li", roles: ["admin"]) { id } }`},
		{"set another user's password", county, `mutation { setUserPassword(
			username: "neighbour", password: "long enough password") { id } }`},
		{"change a password with an API token", issued.CreateAPIToken.Token,
			`mutation { changePassword(currentPassword: "x", newPassword: "yyyyyyyyyyyyyy") }`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := snapshotTables(t, db)
			var denied0 int
			pgtest.Get(t, db, &denied0, `SELECT count(*) FROM audit_log WHERE action = 'denied'`)

			_, resp := postAs(t, srv.URL, tt.token, tt.mutation, nil)
			if code(resp) != fundhub.EFORBIDDEN {
				t.Errorf("got %q %+v, want FORBIDDEN", code(resp), resp.Errors)
			}
			if after := snapshotTables(t, db); after != before {
				t.Errorf("the refused mutation changed data:\nbefore %s\nafter  %s",
					before, after)
			}
			var denied int
			pgtest.Get(t, db, &denied, `SELECT count(*) FROM audit_log WHERE action = 'denied'`)
			if denied != denied0+1 {
				t.Errorf("denied records: got %d more, want 1", denied-denied0)
			}
		})
	}
}

func TestAccess_ConnectorsAreHiddenFromRegionalUsers(t *testing.T) {
	db := pgtest.New(t)
	d := newDeps(t, db, db, nil)
	adminSrv := httptest.NewServer(nationalAdmin(t, d))
	t.Cleanup(adminSrv.Close)
	declareConnector(t, adminSrv)

	prov := signIn(t, d, "wu", "330000", fundhub.DepartmentFinance, authz.RoleFinance,
		authz.RoleAdmin)
	srv := httptest.NewServer(graph.Handler(d))
	t.Cleanup(srv.Close)
	_, resp := postAs(t, srv.URL, prov, `{ connectors { name } connector(name: "eco") { name }
		syncRuns { totalCount } }`, nil)
	want := `{"connectors":[],"connector":null,"syncRuns":{"totalCount":0}}`
	if string(resp.Data) != want || len(resp.Errors) > 0 {
		t.Errorf("got %s %+v, want %s", resp.Data, resp.Errors, want)
	}
}

// declareConnector declares file connector "eco" over an empty folder.
func declareConnector(t *testing.T, srv *httptest.Server) {
	t.Helper()
	root := t.TempDir()
	t.Setenv(connectors.FileRootEnv, root)
	query(t, srv, `mutation($c: String!) { createConnector(input: {name: "eco",
		kind: "file", config: $c}) { id } }`,
		map[string]any{"c": sheetConfig(t, root, nil)}, &struct{}{})
}

func TestAccess_ProvinceAdminDisablesACountyUserAtOnce(t *testing.T) {
	db := pgtest.New(t)
	d := newDeps(t, db, db, nil)
	admin := signIn(t, d, "wu", "330000", fundhub.DepartmentFinance, authz.RoleAdmin)
	county := signIn(t, d, "li", "330106", fundhub.DepartmentFinance, authz.RoleFinance)
	other := signIn(t, d, "su", "320000", fundhub.DepartmentFinance, authz.RoleFinance)
	srv := httptest.NewServer(graph.Handler(d))
	t.Cleanup(srv.Close)

	_, resp := postAs(t, srv.URL, admin, `{ users { totalCount nodes { username } } }`, nil)
	want := `{"users":{"totalCount":2,"nodes":[{"username":"li"},{"username":"wu"}]}}`
	if string(resp.Data) != want {
		t.Errorf("users seen by the province admin: got %s %+v, want %s", resp.Data,
			resp.Errors, want)
	}
	_, resp = postAs(t, srv.URL, admin,
		`mutation { setUserDisabled(username: "su", disabled: true) { id } }`, nil)
	if code(resp) != fundhub.EFORBIDDEN {
		t.Errorf("disabling a user of another province: got %+v, want FORBIDDEN", resp.Errors)
	}

	_, resp = postAs(t, srv.URL, admin,
		`mutation { setUserDisabled(username: "li", disabled: true) { disabled } }`, nil)
	if string(resp.Data) != `{"setUserDisabled":{"disabled":true}}` {
		t.Fatalf("disabling a county user: %s %+v", resp.Data, resp.Errors)
	}
	if status, r := postAs(t, srv.URL, county, `{ me { username } }`, nil); status != 401 {
		t.Errorf("the disabled user's token: got %d %+v, want 401", status, r.Errors)
	}
	if _, r := postAs(t, srv.URL, other, `{ me { username } }`, nil); len(r.Errors) > 0 {
		t.Errorf("the other province's user: %+v", r.Errors)
	}
}

func TestAccess_UserManagersNeitherManageThemselvesNorUseAPITokens(t *testing.T) {
	db := pgtest.New(t)
	d := newDeps(t, db, db, nil)
	admin := signIn(t, d, "wu", "330000", fundhub.DepartmentFinance, authz.RoleAdmin)
	addUser(t, d, "li", "330106", fundhub.DepartmentFinance, authz.RoleFinance)
	srv := httptest.NewServer(graph.Handler(d))
	t.Cleanup(srv.Close)
	_, r := postAs(t, srv.URL, admin, `mutation { createApiToken(name: "dash") { token } }`, nil)
	var issued struct{ CreateAPIToken struct{ Token string } }
	if err := json.Unmarshal(r.Data, &issued); err != nil || issued.CreateAPIToken.Token == "" {
		t.Fatalf("making an API token: %s %+v", r.Data, r.Errors)
	}
	api := issued.CreateAPIToken.Token

	tests := []struct{ name, token, mutation string }{
		{"giving oneself roles", admin,
			`mutation { setUserRoles(username: "wu", roles: ["admin", "finance"]) { id } }`},
		{"setting one's own password around changePassword", admin,
			`mutation { setUserPassword(username: "wu", password: "a new long password") {
			id } }`},
		{"disabling oneself", admin,
			`mutation { setUserDisabled(username: "wu", disabled: true) { id } }`},
		{"setting a password with an API token", api,
			`mutation { setUserPassword(username: "li", password: "a new long password") {
			id } }`},
		{"creating a user with an API token", api, `mutation { createUser(input: {
			username: "x3", displayName: "x", unitRegion: "330106", unitName: "u",
			unitKind: FINANCE, roles: ["finance"], password: "long enough password"}) { id } }`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := snapshotTables(t, db)
			_, r := postAs(t, srv.URL, tt.token, tt.mutation, nil)
			if code(r) != fundhub.EFORBIDDEN {
				t.Errorf("got %q %+v, want FORBIDDEN", code(r), r.Errors)
			}
			if after := snapshotTables(t, db); after != before {
				t.Errorf("changed data:\n%s\n%s", before, after)
			}
		})
	}

	// From a session, the same manager may act on others.
	_, r = postAs(t, srv.URL, admin, `mutation { setUserRoles(username: "li",
		roles: ["finance", "admin"]) { roles } }`, nil)
	if len(r.Errors) > 0 {
		t.Errorf("setting the roles of a county user: %+v", r.Errors)
	}
}

func TestWorkflow_RecordsOutOfSightAnswerAsMissing(t *testing.T) {
	db := pgtest.New(t)
	d := newDeps(t, db, db, nil)
	srv := httptest.NewServer(graph.Handler(d))
	t.Cleanup(srv.Close)
	if _, err := db.SQL().Exec(`
		INSERT INTO funds (id, name, year, category, direction, owner_region)
		VALUES (1, '生态修复', 2024, 'CENTRAL', 'ECO_RESTORATION', '100000');
		INSERT INTO allocations (id, fund_id, from_region, to_region, amount, source,
			issued_on) VALUES (1, 1, '330100', '330106', 100, 'CENTRAL_TRANSFER', '2024-03-01');
		INSERT INTO projects (id, name, region_code, direction, reserve_status)
		VALUES (1, '湿地修复', '330106', 'ECO_RESTORATION', 'APPLIED');
		INSERT INTO execution_reports (id, region_code, year, quarter)
		VALUES (1, '330106', 2024, 1);`); err != nil {
		t.Fatal(err)
	}
	neighbour := signIn(t, d, "bj", "330108", fundhub.DepartmentFinance, authz.RoleFinance)
	geo := signIn(t, d, "xhgeo", "330106", fundhub.DepartmentGeohazard, authz.RoleGeohazard)

	tests := []struct{ name, token, mutation string }{
		{"the neighbour recording receipt", neighbour,
			`confirmReceipt(id: $id, receivedOn: "2024-03-05") { id }`},
		{"the geohazard department recording receipt of ecological money", geo,
			`confirmReceipt(id: $id, receivedOn: "2024-03-05") { id }`},
		{"the neighbour filing a project", neighbour, `fileProject(id: $id) { id }`},
		{"the neighbour submitting a report", neighbour, `submitReport(id: $id) { id }`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := `mutation($id: ID!) { ` + tt.mutation + ` }`
			_, real := postAs(t, srv.URL, tt.token, q, map[string]any{"id": 1})
			_, missing := postAs(t, srv.URL, tt.token, q, map[string]any{"id": 999})
			if code(real) != fundhub.ENOTFOUND || code(missing) != fundhub.ENOTFOUND ||
				len(real.Errors) == 0 || len(missing.Errors) == 0 || real.Errors[0].Message !=
				strings.Replace(missing.Errors[0].Message, "999", "1", 1) {
				t.Errorf("record 1: %+v; missing 999: %+v; want the same answer",
					real.Errors, missing.Errors)
			}
		})
	}
	var denied int
	pgtest.Get(t, db, &denied, `SELECT count(*) FROM audit_log WHERE action = 'denied'`)
	if denied != len(tests) {
		t.Errorf("denied records: %d, want %d", denied, len(tests))
	}
}
