package graph_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"fundhub"
	"fundhub/authz"
	"fundhub/graph"
	"fundhub/postgres"
	"fundhub/postgres/pgtest"
)

// rwWorld is a county (西湖区 of 杭州) with an ecological and a
// geological-hazard allocation and a target in 公顷, a neighbouring county
// with one of its own, and officials at every level who act on them.
type rwWorld struct {
	t   *testing.T
	db  *postgres.DB
	url string
	tok map[string]string

	eco, geo, neighbour int64
	target              int64
}

// Users of rwWorld: finance at each level, two departments of one
// direction each in the county, and the neighbouring county's finance.
const (
	countyFinance = "xihu"
	countyGeo     = "xihu-geo"
	countyEco     = "xihu-eco"
	neighbourFin  = "binjiang"
	cityFinance   = "hangzhou"
	provFinance   = "zhejiang"
	provGeo       = "zhejiang-geo"
	mofFinance    = "ministry"
)

func newRWWorld(t *testing.T) *rwWorld {
	t.Helper()
	db := pgtest.New(t)
	d := newDeps(t, db, db, nil)
	srv := httptest.NewServer(graph.Handler(d))
	t.Cleanup(srv.Close)

	w := &rwWorld{t: t, db: db, url: srv.URL, tok: map[string]string{}}
	users := []struct {
		name, region string
		kind         fundhub.DepartmentKind
		role         string
	}{
		{countyFinance, "330106", fundhub.DepartmentFinance, authz.RoleFinance},
		{countyGeo, "330106", fundhub.DepartmentGeohazard, authz.RoleGeohazard},
		{countyEco, "330106", fundhub.DepartmentEcoRestoration, authz.RoleEcoRestoration},
		{neighbourFin, "330108", fundhub.DepartmentFinance, authz.RoleFinance},
		{cityFinance, "330100", fundhub.DepartmentFinance, authz.RoleFinance},
		{provFinance, "330000", fundhub.DepartmentFinance, authz.RoleFinance},
		{provGeo, "330000", fundhub.DepartmentGeohazard, authz.RoleGeohazard},
		{mofFinance, fundhub.NationalCode, fundhub.DepartmentFinance, authz.RoleFinance},
	}
	for _, u := range users {
		w.tok[u.name] = signIn(t, d, u.name, u.region, u.kind, u.role)
	}
	w.seed()

	return w
}

// seed stores the funds, allocations and target the reports are about.
func (w *rwWorld) seed() {
	fund := func(name, dir string) int64 {
		var id int64
		pgtest.Get(w.t, w.db, &id, `INSERT INTO funds (name, year, category, direction,
			owner_region) VALUES ($1, 2024, 'CENTRAL', $2, '100000') RETURNING id`, name, dir)
		return id
	}
	alloc := func(fund int64, to, amount string) int64 {
		var id int64
		pgtest.Get(w.t, w.db, &id, `INSERT INTO allocations (fund_id, from_region,
			to_region, amount, source) VALUES ($1, '330100', $2, $3, 'CENTRAL_TRANSFER')
			RETURNING id`, fund, to, amount)
		return id
	}

	eco, geo := fund("生态保护修复资金", "ECO_RESTORATION"), fund("地质灾害防治资金", "GEOHAZARD")
	w.eco = alloc(eco, "330106", "1000000")
	w.geo = alloc(geo, "330106", "500000")
	w.neighbour = alloc(eco, "330108", "800000")
	pgtest.Get(w.t, w.db, &w.target, `INSERT INTO performance_targets (allocation_id,
		region_code, fund_id, year, indicator, unit, target_value)
		VALUES ($1, '330106', $2, 2024, '修复面积', '公顷', 100) RETURNING id`, w.eco, eco)
}

// do runs q as user and returns the response.
func (w *rwWorld) do(user, q string, vars map[string]any) response {
	w.t.Helper()
	_, resp := postAs(w.t, w.url, w.tok[user], q, vars)
	return resp
}

// must runs q as user, fails on any error and decodes the data into out.
func (w *rwWorld) must(user, q string, vars map[string]any, out any) {
	w.t.Helper()
	resp := w.do(user, q, vars)
	if len(resp.Errors) > 0 {
		w.t.Fatalf("%s: %+v", user, resp.Errors)
	}
	if out != nil {
		if err := json.Unmarshal(resp.Data, out); err != nil {
			w.t.Fatalf("decoding %s: %v", resp.Data, err)
		}
	}
}

const reportFields = `id status returnReason submittedAt reviewedAt transmittedAt
	lines { id paidAmount actualValue note }`

type reportView struct {
	ID            string
	Status        string
	ReturnReason  *string
	SubmittedAt   *string
	ReviewedAt    *string
	TransmittedAt *string
	Lines         []struct {
		ID                      string
		PaidAmount, ActualValue *string
		Note                    *string
	}
}

const saveQ = `mutation($r: String!, $l: [ReportLineInput!]!) {
	saveReport(regionCode: $r, year: 2024, quarter: 2, lines: $l) { ` + reportFields + ` } }`

// save saves the county's 2024Q2 report as user with lines.
func (w *rwWorld) save(user string, lines ...map[string]any) reportView {
	w.t.Helper()
	var got struct{ SaveReport reportView }
	w.must(user, saveQ, map[string]any{"r": "330106", "l": lines}, &got)
	return got.SaveReport
}

// step runs a report mutation (submitReport, transmitReport, ...) on id.
func (w *rwWorld) step(user, field, id string, args string) reportView {
	w.t.Helper()
	var got map[string]reportView
	w.must(user, fmt.Sprintf(`mutation($id: ID!) { %s(id: $id%s) { %s } }`, field, args,
		reportFields), map[string]any{"id": id}, &got)
	return got[field]
}

// goodLines are a payment on the ecological allocation and the progress
// of its target.
func (w *rwWorld) goodLines(paid string) []map[string]any {
	return []map[string]any{
		{"allocationId": w.eco, "source": "CENTRAL_TRANSFER", "paidAmount": paid},
		{"targetId": w.target, "actualValue": "40", "unit": "公顷", "note": "一期"},
	}
}

// reportAt brings a fresh county report to status and returns it; for
// PENDING it also requests a change and returns its id.
func (w *rwWorld) reportAt(status string) (reportView, string) {
	w.t.Helper()
	r := w.save(countyFinance, w.goodLines("300000")...)
	path := []struct{ status, user, field, args string }{
		{"SUBMITTED", countyFinance, "submitReport", ""},
		{"REVIEWED", provFinance, "reviewReport", ", accept: true"},
		{"TRANSMITTED", provFinance, "transmitReport", ""},
	}
	for _, p := range path {
		if r.Status == status || status == "DRAFT" {
			break
		}
		r = w.step(p.user, p.field, r.ID, p.args)
	}
	if status != "PENDING" && status != "APPROVED" {
		return r, ""
	}

	change := w.requestChange(r, "310000")
	if status == "APPROVED" {
		w.decide(change, true)
	}

	return r, change
}

const requestQ = `mutation($id: ID!, $c: [LineChangeInput!]!, $why: String!) {
	requestChange(reportId: $id, changes: $c, reason: $why) { id status requestedBy
	changes { lineId paidAmount } } }`

// requestChange asks, as the province, to change the paid amount of the
// report's first line.
func (w *rwWorld) requestChange(r reportView, paid string) string {
	w.t.Helper()
	var got struct {
		RequestChange struct{ ID, Status, RequestedBy string }
	}
	w.must(provFinance, requestQ, map[string]any{"id": r.ID, "why": "漏记一笔支付",
		"c": []map[string]any{{"lineId": r.Lines[0].ID, "paidAmount": paid}}}, &got)
	if got.RequestChange.Status != "PENDING" ||
		got.RequestChange.RequestedBy != "user:"+provFinance {
		w.t.Fatalf("requestChange: got %+v, want PENDING by %s", got.RequestChange,
			provFinance)
	}

	return got.RequestChange.ID
}

type changeView struct {
	ID, Status   string
	DecidedBy    *string
	DecisionNote *string
	AppliedAt    *string
}

// decide decides the change request with id as the ministry.
func (w *rwWorld) decide(id string, approve bool) changeView {
	w.t.Helper()
	var got struct{ DecideChange changeView }
	w.must(mofFinance, `mutation($id: ID!, $a: Boolean!) { decideChange(id: $id,
		approve: $a, note: "核实无误") { id status decidedBy decisionNote appliedAt } }`,
		map[string]any{"id": id, "a": approve}, &got)
	return got.DecideChange
}

// state is every row the workflow writes, for checking that a refusal
// changed nothing: reports, lines, change requests and their audit records.
func (w *rwWorld) state() string {
	w.t.Helper()
	var s string
	pgtest.Get(w.t, w.db, &s, `SELECT concat_ws('|',
		(SELECT jsonb_agg(to_jsonb(t) ORDER BY id) FROM execution_reports t),
		(SELECT jsonb_agg(to_jsonb(t) ORDER BY id) FROM report_lines t),
		(SELECT jsonb_agg(to_jsonb(t) ORDER BY id) FROM change_requests t),
		(SELECT count(*) FROM audit_log WHERE action <> 'denied'
			AND entity IN ('report', 'report_line', 'change_request')))`)
	return s
}

// denials counts the refusals audited for user.
func (w *rwWorld) denials(user string) int {
	w.t.Helper()
	var n int
	pgtest.Get(w.t, w.db, &n, `SELECT count(*) FROM audit_log
		WHERE action = 'denied' AND actor = $1`, "user:"+user)
	return n
}

func TestReportWorkflow_FromDraftToAnAppliedChange(t *testing.T) {
	w := newRWWorld(t)

	r := w.save(countyFinance, w.goodLines("300000")...)
	if r.Status != "DRAFT" || len(r.Lines) != 2 {
		t.Fatalf("saved: got %+v, want a DRAFT with 2 lines", r)
	}
	if r = w.step(countyFinance, "submitReport", r.ID, ""); r.Status != "SUBMITTED" ||
		r.SubmittedAt == nil {
		t.Fatalf("submitted: got %+v", r)
	}
	r = w.step(provFinance, "reviewReport", r.ID, `, accept: false, reason: "缺支付凭证"`)
	if r.Status != "RETURNED" || r.ReturnReason == nil || *r.ReturnReason != "缺支付凭证" {
		t.Fatalf("returned: got %+v, want RETURNED with the reason", r)
	}

	r = w.save(countyFinance, w.goodLines("350000")...)
	if r.Status != "RETURNED" || *r.Lines[0].PaidAmount != "350000" {
		t.Fatalf("saved again: got %+v, want RETURNED with 350000 paid", r)
	}
	r = w.step(countyFinance, "submitReport", r.ID, "")
	if r.Status != "SUBMITTED" || r.ReturnReason != nil {
		t.Fatalf("submitted again: got %+v, want SUBMITTED without a return reason", r)
	}
	if r = w.step(provFinance, "reviewReport", r.ID, ", accept: true"); r.Status !=
		"REVIEWED" || r.ReviewedAt == nil {
		t.Fatalf("reviewed: got %+v", r)
	}
	if r = w.step(provFinance, "transmitReport", r.ID, ""); r.Status != "TRANSMITTED" ||
		r.TransmittedAt == nil {
		t.Fatalf("transmitted: got %+v", r)
	}

	id := w.requestChange(r, "360000")
	if c := w.decide(id, true); c.Status != "APPROVED" || *c.DecidedBy != "user:"+mofFinance {
		t.Fatalf("decided: got %+v, want APPROVED by the ministry", c)
	}
	var applied struct{ ApplyChange changeView }
	w.must(provFinance, `mutation($id: ID!) { applyChange(id: $id) { id status appliedAt } }`,
		map[string]any{"id": id}, &applied)
	if applied.ApplyChange.Status != "APPLIED" || applied.ApplyChange.AppliedAt == nil {
		t.Fatalf("applied: got %+v", applied.ApplyChange)
	}

	w.checkAppliedAudit(r.Lines[0].ID, id)
	w.checkReadBack(r.ID, id)
}

// checkAppliedAudit checks the audit record of the changed line, with its
// paid amount before and after, and the one of the change request.
func (w *rwWorld) checkAppliedAudit(lineID, changeID string) {
	w.t.Helper()
	var line struct {
		Before string `db:"before"`
		After  string `db:"after"`
		Reason string `db:"reason"`
		Actor  string `db:"actor"`
	}
	pgtest.Get(w.t, w.db, &line, `SELECT before->>'paid_amount' AS before,
		after->>'paid_amount' AS after, reason, actor FROM audit_log
		WHERE entity = 'report_line' AND entity_id = $1`, lineID)
	want := "350000.00 360000.00 漏记一笔支付 user:" + provFinance
	if got := line.Before + " " + line.After + " " + line.Reason + " " + line.Actor; got != want {
		w.t.Errorf("audit of the line: got %q, want %q", got, want)
	}

	var steps []string
	pgtest.Select(w.t, w.db, &steps, `SELECT action FROM audit_log
		WHERE entity = 'change_request' AND entity_id = $1 ORDER BY id`, changeID)
	if want := []string{"change.request", "change.approve", "change.apply"}; !slices.Equal(
		steps, want) {
		w.t.Errorf("audit of the change request: got %v, want %v", steps, want)
	}
}

// checkReadBack reads the report and its change request back as the
// province and checks the relations resolve.
func (w *rwWorld) checkReadBack(reportID, changeID string) {
	w.t.Helper()
	var got struct {
		ExecutionReport struct {
			Lines []struct {
				PaidAmount *string
			}
			ChangeRequests []struct {
				ID     string
				Report struct{ ID string }
				Region struct{ Code string }
			}
		}
		ChangeRequests struct {
			TotalCount int
			Nodes      []struct{ Status string }
		}
	}
	w.must(provFinance, `query($id: ID!) { executionReport(id: $id) { lines { paidAmount }
		changeRequests { id report { id } region { code } } }
		changeRequests(filter: {reportId: $id}) { totalCount nodes { status } } }`,
		map[string]any{"id": reportID}, &got)

	er := got.ExecutionReport
	if *er.Lines[0].PaidAmount != "360000" || len(er.ChangeRequests) != 1 ||
		er.ChangeRequests[0].ID != changeID || er.ChangeRequests[0].Report.ID != reportID ||
		er.ChangeRequests[0].Region.Code != "330106" {
		w.t.Errorf("read back: got %+v", er)
	}
	if got.ChangeRequests.TotalCount != 1 || got.ChangeRequests.Nodes[0].Status != "APPLIED" {
		w.t.Errorf("changeRequests: got %+v, want the one APPLIED", got.ChangeRequests)
	}
}

// refusal is a mutation that must be refused: run as user on a report
// brought to status (and its change request, for PENDING and APPROVED).
type refusal struct {
	name, status, user string
	mutation           func(w *rwWorld, r reportView, change string) (string, map[string]any)
	wantCode           string
	wantFields         []string
	denied             bool
}

func TestReportWorkflow_RefusalsChangeNothing(t *testing.T) {
	byID := func(field, args string) func(*rwWorld, reportView, string) (string,
		map[string]any) {
		return func(_ *rwWorld, r reportView, _ string) (string, map[string]any) {
			return `mutation($id: ID!) { ` + field + `(id: $id` + args + `) { id } }`,
				map[string]any{"id": r.ID}
		}
	}
	onChange := func(field, args string) func(*rwWorld, reportView, string) (string,
		map[string]any) {
		return func(_ *rwWorld, _ reportView, change string) (string, map[string]any) {
			return `mutation($id: ID!) { ` + field + `(id: $id` + args + `) { id } }`,
				map[string]any{"id": change}
		}
	}
	saving := func(lines func(w *rwWorld) []map[string]any) func(*rwWorld, reportView,
		string) (string, map[string]any) {
		return func(w *rwWorld, _ reportView, _ string) (string, map[string]any) {
			return saveQ, map[string]any{"r": "330106", "l": lines(w)}
		}
	}
	requesting := func(w *rwWorld, r reportView, _ string) (string, map[string]any) {
		return requestQ, map[string]any{"id": r.ID, "why": "漏记",
			"c": []map[string]any{{"lineId": r.Lines[0].ID, "paidAmount": "1"}}}
	}
	good := func(w *rwWorld) []map[string]any { return w.goodLines("1") }

	tests := []refusal{
		{"submit a submitted report", "SUBMITTED", countyFinance, byID("submitReport", ""),
			fundhub.ECONFLICT, []string{"status"}, false},
		{"transmit before review", "SUBMITTED", provFinance, byID("transmitReport", ""),
			fundhub.ECONFLICT, []string{"status"}, false},
		{"review a draft", "DRAFT", provFinance, byID("reviewReport", ", accept: true"),
			fundhub.ECONFLICT, []string{"status"}, false},
		{"return without a reason", "SUBMITTED", provFinance,
			byID("reviewReport", ", accept: false"), fundhub.EINVALID, []string{"reason"},
			false},
		{"review one's own report", "SUBMITTED", countyFinance,
			byID("reviewReport", ", accept: true"), fundhub.EFORBIDDEN, []string{"id"}, true},
		{"save a submitted report", "SUBMITTED", countyFinance, saving(good),
			fundhub.ECONFLICT, []string{"status"}, false},
		{"save after transmission", "TRANSMITTED", countyFinance, saving(good),
			fundhub.ECONFLICT, []string{"status"}, false},
		{"save in another county", "DRAFT", neighbourFin, saving(good),
			fundhub.EFORBIDDEN, []string{"regionCode"}, true},
		{"a geohazard department saving an ecological line", "DRAFT", countyGeo,
			saving(func(w *rwWorld) []map[string]any {
				return []map[string]any{{"allocationId": w.geo, "paidAmount": "1"},
					{"allocationId": w.eco, "paidAmount": "1"}}
			}), fundhub.EINVALID, []string{"lines[1].allocationId"}, false},
		{"a line naming nothing that exists", "DRAFT", countyFinance,
			saving(func(w *rwWorld) []map[string]any {
				return []map[string]any{{"allocationId": 999999, "paidAmount": "1"},
					{"targetId": 999998, "actualValue": "1", "unit": "公顷"}}
			}), fundhub.EINVALID, []string{"lines[0].allocationId", "lines[1].targetId"},
			false},
		{"a line reporting nothing", "DRAFT", countyFinance,
			saving(func(w *rwWorld) []map[string]any {
				return []map[string]any{{"allocationId": w.eco}}
			}), fundhub.EINVALID, []string{"lines[0].paidAmount"}, false},
		{"request a change before transmission", "REVIEWED", provFinance, requesting,
			fundhub.ECONFLICT, []string{"status"}, false},
		{"request a change as the county", "TRANSMITTED", countyFinance, requesting,
			fundhub.EFORBIDDEN, []string{"reportId"}, true},
		{"decide as the province", "PENDING", provFinance,
			onChange("decideChange", `, approve: true, note: "可"`), fundhub.EFORBIDDEN,
			[]string{"id"}, true},
		{"decide without a note", "PENDING", mofFinance,
			onChange("decideChange", `, approve: true, note: " "`), fundhub.EINVALID,
			[]string{"note"}, false},
		{"apply before the decision", "PENDING", provFinance, onChange("applyChange", ""),
			fundhub.ECONFLICT, []string{"status"}, false},
		{"apply as the county", "APPROVED", countyFinance, onChange("applyChange", ""),
			fundhub.EFORBIDDEN, []string{"id"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkRefusal(t, tt) })
	}
}

// checkRefusal runs one refusal on a world of its own.
func checkRefusal(t *testing.T, tt refusal) {
	w := newRWWorld(t)
	r, change := w.reportAt(tt.status)
	q, vars := tt.mutation(w, r, change)
	before, denied := w.state(), w.denials(tt.user)

	resp := w.do(tt.user, q, vars)
	var fields []string
	for _, e := range resp.Errors {
		if e.Extensions["code"] != tt.wantCode {
			t.Errorf("got %v (%s), want %s", e.Extensions["code"], e.Message, tt.wantCode)
		}
		f, _ := e.Extensions["field"].(string)
		fields = append(fields, f)
	}
	if !slices.Equal(fields, tt.wantFields) {
		t.Errorf("fields: got %q (%+v), want %q", fields, resp.Errors, tt.wantFields)
	}

	if after := w.state(); after != before {
		t.Errorf("the refusal changed the workflow's rows:\nbefore %s\nafter  %s", before,
			after)
	}
	want := denied
	if tt.denied {
		want++
	}
	if got := w.denials(tt.user); got != want {
		t.Errorf("denials audited for %s: got %d, want %d", tt.user, got, want)
	}
}

func TestSubmitReport_ReportsEveryFaultAtOnce(t *testing.T) {
	w := newRWWorld(t)
	var neighbourTarget int64
	pgtest.Get(t, w.db, &neighbourTarget, `INSERT INTO performance_targets (region_code,
		year, indicator, unit) VALUES ('330108', 2024, '治理点', '处') RETURNING id`)
	r := w.save(countyFinance,
		map[string]any{"allocationId": w.eco, "paidAmount": "600000"},
		map[string]any{"allocationId": w.eco, "paidAmount": "500000"},
		map[string]any{"allocationId": w.geo, "source": "PROVINCE_MATCH", "paidAmount": "1"},
		map[string]any{"targetId": w.target, "actualValue": "30", "unit": "亩"},
	)
	before := w.state()

	resp := w.do(countyFinance, `mutation($id: ID!) { submitReport(id: $id) { id } }`,
		map[string]any{"id": r.ID})
	var fields []string
	for _, e := range resp.Errors {
		if e.Extensions["code"] != fundhub.EINVALID {
			t.Errorf("%s: got %v, want BAD_USER_INPUT", e.Message, e.Extensions["code"])
		}
		f, _ := e.Extensions["field"].(string)
		fields = append(fields, f)
	}
	want := []string{"lines[1].paidAmount", "lines[2].source", "lines[3].unit"}
	if !slices.Equal(fields, want) {
		t.Errorf("fields: got %q, want %q (%+v)", fields, want, resp.Errors)
	}
	if w.state() != before {
		t.Error("a refused submission changed the report")
	}

	// Records of another region answer like records that do not exist,
	// each line named, and the save changes nothing.
	resp = w.do(countyFinance, `mutation($lines: [ReportLineInput!]!) { saveReport(
		regionCode: "330106", year: 2024, quarter: 1, lines: $lines) { id } }`,
		map[string]any{"lines": []map[string]any{
			{"allocationId": w.neighbour, "paidAmount": "1"},
			{"targetId": neighbourTarget, "actualValue": "2", "unit": "处"},
			{"allocationId": 999999, "paidAmount": "1"}}})
	fields = nil
	for _, e := range resp.Errors {
		f, _ := e.Extensions["field"].(string)
		fields = append(fields, f)
	}
	want = []string{"lines[0].allocationId", "lines[1].targetId", "lines[2].allocationId"}
	if !slices.Equal(fields, want) || resp.Errors[0].Message !=
		fmt.Sprintf("no allocation in force %d of region 330106", w.neighbour) {
		t.Errorf("saving other regions' records: got %q, want %q (%+v)", fields, want,
			resp.Errors)
	}
	if w.state() != before {
		t.Error("a refused save changed the report")
	}
}

func TestSaveReport_KeepsTheLinesOfOtherDepartments(t *testing.T) {
	w := newRWWorld(t)
	w.save(countyEco, map[string]any{"allocationId": w.eco, "paidAmount": "100"})
	w.save(countyGeo, map[string]any{"allocationId": w.geo, "paidAmount": "200"})
	r := w.save(countyGeo, map[string]any{"allocationId": w.geo, "paidAmount": "250"})

	var got struct{ ExecutionReport reportView }
	w.must(countyFinance, `query($id: ID!) { executionReport(id: $id) { `+reportFields+
		` } }`, map[string]any{"id": r.ID}, &got)
	var paid []string
	for _, l := range got.ExecutionReport.Lines {
		paid = append(paid, *l.PaidAmount)
	}
	if !slices.Equal(paid, []string{"100", "250"}) {
		t.Errorf("paid amounts: got %v, want the ecological 100 kept and 250 for 200", paid)
	}
	if len(r.Lines) != 1 {
		t.Errorf("the geohazard department sees %d lines, want its own 1", len(r.Lines))
	}
	if n := w.denials(countyGeo) + w.denials(countyEco); n != 0 {
		t.Errorf("keeping another department's lines audited %d denials, want none", n)
	}
}

func TestReportQueries_StayInTheCallersScope(t *testing.T) {
	w := newRWWorld(t)
	r, _ := w.reportAt("PENDING")

	tests := []struct {
		user        string
		wantReport  bool
		wantChanges int
	}{
		{countyFinance, true, 1},
		{cityFinance, true, 1},
		{neighbourFin, false, 0},
		{mofFinance, true, 1},
	}
	for _, tt := range tests {
		var got struct {
			ExecutionReport *struct{ ID string }
			ChangeRequests  struct {
				TotalCount int
				Nodes      []struct{ Changes []struct{ LineID string } }
			}
		}
		w.must(tt.user, `query($id: ID!) { executionReport(id: $id) { id }
			changeRequests { totalCount nodes { changes { lineId } } } }`,
			map[string]any{"id": r.ID}, &got)
		if (got.ExecutionReport != nil) != tt.wantReport ||
			got.ChangeRequests.TotalCount != tt.wantChanges {
			t.Errorf("%s: got report %v and %d change requests, want %v and %d", tt.user,
				got.ExecutionReport != nil, got.ChangeRequests.TotalCount, tt.wantReport,
				tt.wantChanges)
		}
	}

	// The change touches only an ecological line: the county's geohazard
	// department sees nothing of it, its reason included, and the count
	// agrees.
	var geo struct {
		ChangeRequests struct {
			TotalCount int
			Nodes      []struct{ Reason string }
		}
	}
	w.must(countyGeo, `{ changeRequests { totalCount nodes { reason } } }`, nil, &geo)
	if geo.ChangeRequests.TotalCount != 0 || len(geo.ChangeRequests.Nodes) != 0 {
		t.Errorf("geohazard department: got %+v, want no request about eco lines only",
			geo.ChangeRequests)
	}
}

func TestChangeRequests_LoadTheirRelationsInBatches(t *testing.T) {
	db, count := pgtest.NewCounting(t)
	// A transmitted report for each of 40 counties of Zhejiang, with two
	// change requests each.
	_, err := db.SQL().Exec(`
		INSERT INTO execution_reports (region_code, year, quarter, status)
		SELECT code, 2024, 1, 'TRANSMITTED' FROM regions
		WHERE code LIKE '33%' AND level = 'COUNTY' LIMIT 40;
		INSERT INTO change_requests (entity, entity_id, region_code, changes, reason,
			requested_by)
		SELECT 'execution_report', er.id, er.region_code, '[]', '漏记', 'user:zhejiang'
		FROM execution_reports er, generate_series(1, 2);`)
	if err != nil {
		t.Fatal(err)
	}
	srv := server(t, db)

	var got struct {
		ChangeRequests struct {
			Nodes []struct {
				Report *struct {
					ChangeRequests []struct{ ID string }
				}
				Region struct{ FullName string }
			}
		}
	}
	count.Reset()
	query(t, srv, `{ changeRequests(first: 100) { totalCount nodes { region { fullName }
		report { status region { name } changeRequests { id region { code } } } } } }`,
		nil, &got)

	nodes := got.ChangeRequests.Nodes
	if len(nodes) != 80 || nodes[0].Report == nil || len(nodes[0].Report.ChangeRequests) != 2 {
		t.Fatalf("change requests: got %d, want 80 each with a report of 2", len(nodes))
	}
	// The count and the page; one batch each for the reports, the regions
	// (with their ancestors for fullName) and the reports' requests; two
	// for the caller's token.
	if n := count.Count(); n > 10 {
		t.Errorf("SQL statements for 80 change requests with relations: got %d, want at "+
			"most 10", n)
	}
}

func TestSubmitReport_NotBeforeTheQuarterEnds(t *testing.T) {
	w := newRWWorld(t)
	now := time.Now()
	quarter := (int(now.Month())-1)/3 + 1
	var saved struct{ SaveReport struct{ ID string } }
	w.must(countyFinance, `mutation($y: Int!, $q: Int!) { saveReport(regionCode: "330106",
		year: $y, quarter: $q, lines: []) { id } }`,
		map[string]any{"y": now.Year(), "q": quarter}, &saved)

	r := w.do(countyFinance, `mutation($id: ID!) { submitReport(id: $id) { status } }`,
		map[string]any{"id": saved.SaveReport.ID})
	if code(r) != fundhub.ECONFLICT {
		t.Errorf("submitting the quarter under way: %+v, want CONFLICT", r.Errors)
	}
}
