package graph_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/shopspring/decimal"

	"fundhub"
	"fundhub/authz"
	"fundhub/graph"
	"fundhub/postgres"
	"fundhub/postgres/pgtest"
)

// scenario is one year of the mechanism in Zhejiang: the ministry, the
// province, two cities (杭州, 湖州) and four of their counties, each with
// its finance department signed in.
type scenario struct {
	t     *testing.T
	db    *postgres.DB
	url   string
	users map[string]string
	fund  int64
}

// Regions of the scenario, with real GB/T 2260 codes.
var scenarioTree = map[string][]string{
	"330100": {"330106", "330110"}, // 杭州: 西湖区, 余杭区
	"330500": {"330502", "330523"}, // 湖州: 吴兴区, 安吉县
}

func newScenario(t *testing.T) *scenario {
	t.Helper()
	db := pgtest.New(t)
	d := newDeps(t, db, db, nil)
	srv := httptest.NewServer(graph.Handler(d))
	t.Cleanup(srv.Close)

	s := &scenario{t: t, db: db, url: srv.URL, users: map[string]string{}}
	for _, region := range []string{"100000", "330000", "330100", "330500", "330106",
		"330110", "330502", "330523"} {
		s.users[region] = signIn(t, d, "fin-"+region, region, fundhub.DepartmentFinance,
			authz.RoleFinance)
	}
	pgtest.Get(t, db, &s.fund, `INSERT INTO funds (name, year, category, direction,
		owner_region) VALUES ('重点生态保护修复治理资金', 2024, 'CENTRAL', 'ECO_RESTORATION',
		'100000') RETURNING id`)

	return s
}

// do runs a mutation or query as the finance department of region and
// decodes its data into out, failing the test on any error.
func (s *scenario) do(region, q string, vars map[string]any, out any) {
	s.t.Helper()
	_, r := postAs(s.t, s.url, s.users[region], q, vars)
	if len(r.Errors) > 0 {
		s.t.Fatalf("as %s: %s\n%+v", region, q, r.Errors)
	}
	if out != nil {
		if err := json.Unmarshal(r.Data, out); err != nil {
			s.t.Fatalf("decoding %s: %v", r.Data, err)
		}
	}
}

// refused runs q as region and checks it fails with code (and field, when
// given) and leaves the audit-worthy tables as they were.
func (s *scenario) refused(name, region, q string, vars map[string]any, code, field string) {
	s.t.Helper()
	before := scenarioState(s.t, s.db)
	_, r := postAs(s.t, s.url, s.users[region], q, vars)
	if len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != code ||
		(field != "" && r.Errors[0].Extensions["field"] != field) {
		s.t.Errorf("%s: got %s %+v, want %s on %q", name, r.Data, r.Errors, code, field)
	}
	if after := scenarioState(s.t, s.db); after != before {
		s.t.Errorf("%s changed data:\n%s\n%s", name, before, after)
	}
}

func scenarioState(t *testing.T, db *postgres.DB) string {
	t.Helper()
	var st string
	pgtest.Get(t, db, &st, `SELECT concat_ws('|',
		(SELECT string_agg(id || ':' || amount || ':' || coalesce(filed_on::text, ''), ','
			ORDER BY id) FROM allocations),
		(SELECT string_agg(id || ':' || status, ',' ORDER BY id) FROM execution_reports),
		(SELECT string_agg(id || ':' || coalesce(paid_amount::text, '') || ':' ||
			coalesce(actual_value::text, ''), ',' ORDER BY id) FROM report_lines),
		(SELECT string_agg(id || ':' || status, ',' ORDER BY id) FROM change_requests),
		(SELECT count(*) FROM performance_targets))`)

	return st
}

// audited fails unless the audit log holds a record of action on entity id.
func (s *scenario) audited(action, entity, id string) {
	s.t.Helper()
	var n int
	pgtest.Get(s.t, s.db, &n, `SELECT count(*) FROM audit_log WHERE action = $1
		AND entity = $2 AND entity_id = $3 AND user_id IS NOT NULL`, action, entity, id)
	if n == 0 {
		s.t.Errorf("no audit record %s of %s %s", action, entity, id)
	}
}

const allocateQ = `mutation($in: AllocationInput!) { allocate(input: $in) {
	id amount unallocated targets { id unit targetValue } } }`

type allocated struct {
	Allocate struct {
		ID          string
		Amount      decimal.Decimal
		Unallocated decimal.Decimal
		Targets     []struct {
			ID          string
			Unit        string
			TargetValue decimal.Decimal
		}
	}
}

// allocate passes yuan of source from parent (or, without one, from the
// sender's own money) to region, with one target share of hectares.
func (s *scenario) allocate(sender, parent, region, yuan, source, parentTarget,
	hectares, issued string) allocated {
	s.t.Helper()
	in := map[string]any{"fundId": s.fund, "toRegion": region, "amount": yuan,
		"source": source, "issuedOn": issued, "document": map[string]any{
			"number": fmt.Sprintf("%s资环〔2024〕%s号", sender, region[2:4]), "issuedOn": issued,
			"issuerRegion": sender},
		"targets": []map[string]any{{"level1": "产出指标", "level2": "数量指标",
			"indicator": "生态修复面积", "unit": "公顷", "targetValue": hectares}}}
	if parent != "" {
		in["parentId"] = parent
		in["targets"].([]map[string]any)[0]["parentId"] = parentTarget
	} else {
		in["fromRegion"] = sender
	}

	var out allocated
	s.do(sender, allocateQ, map[string]any{"in": in}, &out)
	s.audited("allocation.create", "allocation", out.Allocate.ID)

	return out
}

func (s *scenario) date(region, id, mutation, arg, on string) {
	s.t.Helper()
	s.do(region, fmt.Sprintf(`mutation($id: ID!) { %s(id: $id, %s: %q) { id } }`,
		mutation, arg, on), map[string]any{"id": id}, nil)
	s.audited("allocation."+arg, "allocation", id)
}

func TestScenario_OneYearInZhejiang(t *testing.T) {
	s := newScenario(t)

	// March: the ministry allocates 200 million of central money to the
	// province with its approved target: 2000 hectares restored.
	top := s.allocate("100000", "", "330000", "200000000", "CENTRAL_TRANSFER", "", "2000",
		"2024-03-01")
	s.date("330000", top.Allocate.ID, "confirmReceipt", "receivedOn", "2024-03-06")
	topTarget := top.Allocate.Targets[0].ID

	// Within 30 days the province passes the central money on to 杭州 and
	// 湖州, with the target decomposed, and adds 50 million of its own.
	central := map[string]allocated{
		"330100": s.allocate("330000", top.Allocate.ID, "330100", "120000000",
			"CENTRAL_TRANSFER", topTarget, "1200", "2024-03-20"),
		"330500": s.allocate("330000", top.Allocate.ID, "330500", "80000000",
			"CENTRAL_TRANSFER", topTarget, "800", "2024-03-20"),
	}
	match := map[string]allocated{
		"330100": s.allocate("330000", "", "330100", "30000000", "PROVINCE_MATCH", "", "300",
			"2024-03-22"),
		"330500": s.allocate("330000", "", "330500", "20000000", "PROVINCE_MATCH", "", "200",
			"2024-03-22"),
	}
	s.refused("over-allocating the ministry's money", "330000", allocateQ,
		map[string]any{"in": map[string]any{"fundId": s.fund, "parentId": top.Allocate.ID,
			"toRegion": "330100", "amount": "0.01", "source": "CENTRAL_TRANSFER",
			"issuedOn": "2024-03-25", "document": map[string]any{"number": "浙财资环〔2024〕99号",
				"issuedOn": "2024-03-25", "issuerRegion": "330000"},
			"targets": []map[string]any{{"parentId": topTarget, "indicator": "生态修复面积",
				"unit": "公顷", "targetValue": "1"}}}}, fundhub.EINVALID, "amount")

	// The cities pass both on to their counties, halves each, and the
	// counties file their breakdowns within 30 days of receiving.
	counties := map[string]map[string]allocated{}
	for city, cs := range scenarioTree {
		s.date(city, central[city].Allocate.ID, "confirmReceipt", "receivedOn", "2024-03-25")
		s.date(city, match[city].Allocate.ID, "confirmReceipt", "receivedOn", "2024-03-25")
		for _, county := range cs {
			half := central[city].Allocate.Amount.Div(decimal.NewFromInt(2)).String()
			ha := central[city].Allocate.Targets[0].TargetValue.Div(decimal.NewFromInt(2))
			counties[county] = map[string]allocated{
				"central": s.allocate(city, central[city].Allocate.ID, county, half,
					"CENTRAL_TRANSFER", central[city].Allocate.Targets[0].ID, ha.String(),
					"2024-04-08"),
				"match": s.allocate(city, match[city].Allocate.ID, county,
					match[city].Allocate.Amount.Div(decimal.NewFromInt(2)).String(),
					"PROVINCE_MATCH", match[city].Allocate.Targets[0].ID, "1", "2024-04-08"),
			}
			for _, a := range counties[county] {
				s.date(county, a.Allocate.ID, "confirmReceipt", "receivedOn", "2024-04-12")
				s.date(county, a.Allocate.ID, "fileBreakdown", "filedOn", "2024-05-06")
			}
		}
		s.date(city, central[city].Allocate.ID, "fileBreakdown", "filedOn", "2024-04-10")
	}
	s.checkBreakdown(top.Allocate.ID, central)

	// Each quarter every county reports what it has paid and how far the
	// target has got; the province reviews and transmits.
	quarters := []struct {
		q       int
		share   int64 // per cent of the county's central money paid
		percent int64 // per cent of its hectares done
	}{{1, 5, 0}, {2, 30, 20}, {3, 60, 55}, {4, 95, 100}}
	for _, qt := range quarters {
		for county, a := range counties {
			s.report(county, qt.q, a["central"], qt.share, qt.percent)
		}
		s.reviewQuarter(qt.q, counties)
	}

	s.changeAfterTransmission(counties)
}

// checkBreakdown checks that the top allocation is passed on whole and that
// what the cities received adds up to it.
func (s *scenario) checkBreakdown(top string, central map[string]allocated) {
	s.t.Helper()
	var got struct {
		Allocation struct {
			Unallocated decimal.Decimal
			Children    []struct {
				Amount      decimal.Decimal
				Unallocated decimal.Decimal
				FiledOn     *string
			}
		}
	}
	s.do("100000", `query($id: ID!) { allocation(id: $id) { unallocated
		children { amount unallocated filedOn } } }`, map[string]any{"id": top}, &got)
	if !got.Allocation.Unallocated.IsZero() || len(got.Allocation.Children) != 2 {
		s.t.Errorf("the ministry's allocation: %+v, want passed on whole to two cities", got)
	}
	for _, c := range got.Allocation.Children {
		if !c.Unallocated.IsZero() || c.FiledOn == nil {
			s.t.Errorf("a city's allocation: %+v, want passed on whole and filed", c)
		}
	}
}

// report saves and submits county's report of quarter: share per cent of
// its central money paid, percent per cent of its hectares done.
func (s *scenario) report(county string, quarter int, a allocated, share, percent int64) {
	s.t.Helper()
	paid := a.Allocate.Amount.Mul(decimal.NewFromInt(share)).Div(decimal.NewFromInt(100))
	done := a.Allocate.Targets[0].TargetValue.Mul(decimal.NewFromInt(percent)).
		Div(decimal.NewFromInt(100))
	var saved struct{ SaveReport struct{ ID, Status string } }
	s.do(county, `mutation($r: String!, $q: Int!, $lines: [ReportLineInput!]!) {
		saveReport(regionCode: $r, year: 2024, quarter: $q, lines: $lines) { id status } }`,
		map[string]any{"r": county, "q": quarter, "lines": []map[string]any{
			{"allocationId": a.Allocate.ID, "source": "CENTRAL_TRANSFER",
				"paidAmount": paid.String()},
			{"targetId": a.Allocate.Targets[0].ID, "actualValue": done.String(),
				"unit": "公顷"}}}, &saved)
	s.audited("report.save", "report", saved.SaveReport.ID)
	s.do(county, `mutation($id: ID!) { submitReport(id: $id) { status } }`,
		map[string]any{"id": saved.SaveReport.ID}, nil)
	s.audited("report.submit", "report", saved.SaveReport.ID)
}

// reviewQuarter has the province review every county report of quarter:
// in the second quarter it returns 西湖's, which 西湖 corrects and submits
// again; then it accepts all and transmits them.
func (s *scenario) reviewQuarter(quarter int, counties map[string]map[string]allocated) {
	s.t.Helper()
	for county := range counties {
		id := s.reportID(county, quarter)
		if quarter == 2 && county == "330106" {
			s.refused("reviewing without a reason to return", "330000",
				`mutation($id: ID!) { reviewReport(id: $id, accept: false) { status } }`,
				map[string]any{"id": id}, fundhub.EINVALID, "reason")
			s.do("330000", `mutation($id: ID!) { reviewReport(id: $id, accept: false,
				reason: "支付数与国库支付系统不一致, 请核实") { status } }`,
				map[string]any{"id": id}, nil)
			s.audited("report.return", "report", id)
			s.report(county, quarter, counties[county]["central"], 28, 20)
		}
		s.refused("a county reviewing its own report", county,
			`mutation($id: ID!) { reviewReport(id: $id, accept: true) { status } }`,
			map[string]any{"id": id}, fundhub.EFORBIDDEN, "")
		s.do("330000", `mutation($id: ID!) { reviewReport(id: $id, accept: true) {
			status } }`, map[string]any{"id": id}, nil)
		s.audited("report.review", "report", id)
		s.do("330000", `mutation($id: ID!) { transmitReport(id: $id) { status } }`,
			map[string]any{"id": id}, nil)
		s.audited("report.transmit", "report", id)
	}
}

func (s *scenario) reportID(county string, quarter int) string {
	s.t.Helper()
	var id string
	pgtest.Get(s.t, s.db, &id, `SELECT id::text FROM execution_reports
		WHERE region_code = $1 AND year = 2024 AND quarter = $2`, county, quarter)

	return id
}

// changeAfterTransmission corrects 安吉's fourth-quarter payment after it
// was transmitted: refused directly, then asked by the province, approved
// by the ministry and applied, with the line before and after audited.
func (s *scenario) changeAfterTransmission(counties map[string]map[string]allocated) {
	s.t.Helper()
	id := s.reportID("330523", 4)
	var line string
	pgtest.Get(s.t, s.db, &line, `SELECT id::text FROM report_lines
		WHERE report_id = $1 AND paid_amount IS NOT NULL`, id)

	s.refused("saving a transmitted report", "330523", `mutation($lines:
		[ReportLineInput!]!) { saveReport(regionCode: "330523", year: 2024, quarter: 4,
		lines: $lines) { id } }`, map[string]any{"lines": []map[string]any{{
		"allocationId": counties["330523"]["central"].Allocate.ID, "paidAmount": "1",
		"source": "CENTRAL_TRANSFER"}}}, fundhub.ECONFLICT, "")

	var req struct{ RequestChange struct{ ID, Status string } }
	s.refused("a county asking for a change", "330523", `mutation($id: ID!, $line: ID!) {
		requestChange(reportId: $id, changes: [{lineId: $line, paidAmount: "37000000"}],
		reason: "x") { id } }`, map[string]any{"id": id, "line": line}, fundhub.EFORBIDDEN, "")
	s.do("330000", `mutation($id: ID!, $line: ID!) { requestChange(reportId: $id,
		changes: [{lineId: $line, paidAmount: "37000000"}],
		reason: "国库集中支付系统12月29日一笔支付漏报") { id status } }`,
		map[string]any{"id": id, "line": line}, &req)
	cr := map[string]any{"id": req.RequestChange.ID}
	s.refused("applying before the ministry decides", "330000",
		`mutation($id: ID!) { applyChange(id: $id) { status } }`, cr, fundhub.ECONFLICT, "")
	s.refused("the province deciding its own request", "330000",
		`mutation($id: ID!) { decideChange(id: $id, approve: true, note: "ok") { status } }`,
		cr, fundhub.EFORBIDDEN, "")
	s.do("100000", `mutation($id: ID!) { decideChange(id: $id, approve: true,
		note: "经商生态修复司认定, 同意变更") { status } }`, cr, nil)
	s.do("330000", `mutation($id: ID!) { applyChange(id: $id) { status } }`, cr, nil)
	for _, action := range []string{"change.request", "change.approve", "change.apply"} {
		s.audited(action, "change_request", req.RequestChange.ID)
	}

	var paid decimal.Decimal
	pgtest.Get(s.t, s.db, &paid, `SELECT paid_amount FROM report_lines WHERE id = $1`, line)
	if !paid.Equal(decimal.RequireFromString("37000000")) {
		s.t.Errorf("the line after the change: %s, want 37000000", paid)
	}
	var before, after string
	pgtest.Get(s.t, s.db, &before, `SELECT before->>'paid_amount' FROM audit_log
		WHERE entity = 'report_line' AND entity_id = $1 ORDER BY id DESC LIMIT 1`, line)
	pgtest.Get(s.t, s.db, &after, `SELECT after->>'paid_amount' FROM audit_log
		WHERE entity = 'report_line' AND entity_id = $1 ORDER BY id DESC LIMIT 1`, line)
	if before == after || after == "" {
		s.t.Errorf("the audit record of the change: before %q after %q", before, after)
	}
}
