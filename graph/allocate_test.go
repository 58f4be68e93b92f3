package graph_test

import (
	"encoding/json"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/shopspring/decimal"

	"fundhub"
	"fundhub/authz"
	"fundhub/graph"
	"fundhub/postgres"
	"fundhub/postgres/pgtest"
)

// allocWorld is a hub with a central ecological fund and officials at each
// level of Zhejiang, for the allocation workflow.
type allocWorld struct {
	db       *postgres.DB
	url      string
	fund     int64
	ministry string
	province string
	city     string
	county   string
	geoProv  string
}

func newAllocWorld(t *testing.T) *allocWorld {
	t.Helper()
	db := pgtest.New(t)
	d := newDeps(t, db, db, nil)
	srv := httptest.NewServer(graph.Handler(d))
	t.Cleanup(srv.Close)

	w := &allocWorld{db: db, url: srv.URL,
		ministry: signIn(t, d, "mof", fundhub.NationalCode, fundhub.DepartmentFinance,
			authz.RoleFinance),
		province: signIn(t, d, "zj", "330000", fundhub.DepartmentFinance, authz.RoleFinance),
		city:     signIn(t, d, "hz", "330100", fundhub.DepartmentFinance, authz.RoleFinance),
		county:   signIn(t, d, "xh", "330106", fundhub.DepartmentFinance, authz.RoleFinance),
		geoProv: signIn(t, d, "zjgeo", "330000", fundhub.DepartmentGeohazard,
			authz.RoleGeohazard),
	}
	pgtest.Get(t, db, &w.fund, `INSERT INTO funds (name, year, category, direction,
		owner_region) VALUES ('重点生态保护修复治理资金', 2024, 'CENTRAL', 'ECO_RESTORATION',
		'100000') RETURNING id`)

	return w
}

// allocate runs the allocate mutation as token and returns the new id, or
// the response when it failed.
func (w *allocWorld) allocate(t *testing.T, token string, in map[string]any) (string,
	response) {
	t.Helper()
	base := map[string]any{"fundId": w.fund, "source": "CENTRAL_TRANSFER",
		"issuedOn": "2024-03-01", "document": map[string]any{"number": "财资环〔2024〕1号",
			"issuedOn": "2024-03-01", "issuerRegion": "100000"}}
	for k, v := range in {
		base[k] = v
	}
	_, resp := postAs(t, w.url, token, `mutation($in: AllocationInput!) {
		allocate(input: $in) { id targets { id } } }`, map[string]any{"in": base})
	var got struct {
		Allocate struct {
			ID      string
			Targets []struct{ ID string }
		}
	}
	_ = json.Unmarshal(resp.Data, &got)

	return got.Allocate.ID, resp
}

// top allocates 100 million of central money to Zhejiang with one target
// of 1000 hectares, and returns the allocation and target ids.
func (w *allocWorld) top(t *testing.T) (string, string) {
	t.Helper()
	id, resp := w.allocate(t, w.ministry, map[string]any{"fromRegion": "100000",
		"toRegion": "330000", "amount": "100000000", "targets": []map[string]any{{
			"level1": "产出指标", "level2": "数量指标", "indicator": "修复面积",
			"unit": "公顷", "targetValue": "1000"}}})
	if id == "" {
		t.Fatalf("ministry allocation: %+v", resp.Errors)
	}
	var target string
	pgtest.Get(t, w.db, &target, `SELECT id::text FROM performance_targets
		WHERE allocation_id = $1`, id)

	return id, target
}

func TestAllocate_RefusalsNameTheFieldAndChangeNothing(t *testing.T) {
	w := newAllocWorld(t)
	top, target := w.top(t)
	share := func(v, unit string) []map[string]any {
		return []map[string]any{{"parentId": target, "indicator": "修复面积",
			"unit": unit, "targetValue": v}}
	}
	hz, resp := w.allocate(t, w.province, map[string]any{"parentId": top,
		"toRegion": "330100", "amount": "60000000", "targets": share("600", "公顷")})
	if hz == "" {
		t.Fatalf("province to Hangzhou: %+v", resp.Errors)
	}
	var hzTarget string
	pgtest.Get(t, w.db, &hzTarget, `SELECT id::text FROM performance_targets
		WHERE allocation_id = $1`, hz)

	tests := []struct {
		name, token string
		in          map[string]any
		code, field string
	}{
		{"more than the parent has left", w.province, map[string]any{"parentId": top,
			"toRegion": "330200", "amount": "40000000.01", "targets": share("400", "公顷")},
			fundhub.EINVALID, "amount"},
		{"another source", w.province, map[string]any{"parentId": top, "toRegion": "330200",
			"amount": "1", "source": "PROVINCE_MATCH", "targets": share("1", "公顷")},
			fundhub.EINVALID, "source"},
		{"a recipient not below the sender", w.province, map[string]any{"parentId": top,
			"toRegion": "320000", "amount": "1", "targets": share("1", "公顷")},
			fundhub.EINVALID, "toRegion"},
		{"the parent's target left out", w.province, map[string]any{"parentId": top,
			"toRegion": "330200", "amount": "1"}, fundhub.EINVALID, "targets"},
		{"a target in another unit", w.province, map[string]any{"parentId": top,
			"toRegion": "330200", "amount": "1", "targets": share("1", "亩")},
			fundhub.EINVALID, "targets[0].unit"},
		{"a county passing on the province's money it cannot see", w.county,
			map[string]any{"parentId": top, "toRegion": "330106", "amount": "1",
				"targets": share("1", "公顷")}, fundhub.EINVALID, "parentId"},
		{"a geohazard department passing on ecological money", w.geoProv, map[string]any{
			"parentId": top, "toRegion": "330200", "amount": "1", "targets": share("1", "公顷")},
			fundhub.EINVALID, "fundId"},
		{"the province passing on Hangzhou's money for it", w.province, map[string]any{
			"parentId": hz, "toRegion": "330106", "amount": "1", "targets": []map[string]any{{
				"parentId": hzTarget, "indicator": "修复面积", "unit": "公顷",
				"targetValue": "1"}}}, fundhub.EFORBIDDEN, ""},
		{"a renamed indicator", w.province, map[string]any{"parentId": top,
			"toRegion": "330200", "amount": "1", "targets": []map[string]any{{
				"parentId": target, "indicator": "治理面积", "unit": "公顷",
				"targetValue": "1"}}}, fundhub.EINVALID, "targets[0].indicator"},
		{"an amount in thousandths of a yuan", w.province, map[string]any{"parentId": top,
			"toRegion": "330200", "amount": "1.005", "targets": share("1", "公顷")},
			fundhub.EINVALID, "amount"},
		{"issued in the future", w.province, map[string]any{"parentId": top,
			"toRegion": "330200", "amount": "1", "issuedOn": "2099-01-01",
			"targets": share("1", "公顷")}, fundhub.EINVALID, "issuedOn"},
		{"issued before its parent", w.province, map[string]any{"parentId": top,
			"toRegion": "330200", "amount": "1", "issuedOn": "2024-01-01",
			"document": map[string]any{"number": "浙财资环〔2024〕7号",
				"issuedOn": "2024-01-01", "issuerRegion": "330000"},
			"targets": share("1", "公顷")}, fundhub.EINVALID, "issuedOn"},
		{"another region's document number", w.province, map[string]any{"parentId": top,
			"toRegion": "330200", "amount": "1", "document": map[string]any{
				"number": "财资环〔2024〕1号", "issuedOn": "2024-03-01",
				"issuerRegion": "330000"}, "targets": share("1", "公顷")},
			fundhub.EINVALID, "document.number"},
		{"a document of a region beside the sender", w.province, map[string]any{
			"parentId": top, "toRegion": "330200", "amount": "1", "document": map[string]any{
				"number": "苏财资环〔2024〕1号", "issuedOn": "2024-03-01",
				"issuerRegion": "320000"}, "targets": share("1", "公顷")},
			fundhub.EINVALID, "document.issuerRegion"},
		{"a province starting central money", w.province, map[string]any{
			"fromRegion": "330000", "toRegion": "330200", "amount": "1"},
			fundhub.EINVALID, "source"},
		{"no amount", w.province, map[string]any{"parentId": top, "toRegion": "330200",
			"amount": "0", "targets": share("1", "公顷")}, fundhub.EINVALID, "amount"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := allocationState(t, w.db)
			id, resp := w.allocate(t, tt.token, tt.in)
			if id != "" || code(resp) != tt.code || field(resp) != tt.field {
				t.Errorf("got id %q, %+v; want %s on %q", id, resp.Errors, tt.code, tt.field)
			}
			if after := allocationState(t, w.db); after != before {
				t.Errorf("the refused allocation changed data: %s -> %s", before, after)
			}
		})
	}
}

func field(r response) string {
	if len(r.Errors) == 0 {
		return ""
	}
	f, _ := r.Errors[0].Extensions["field"].(string)

	return f
}

func allocationState(t *testing.T, db *postgres.DB) string {
	t.Helper()
	var s string
	pgtest.Get(t, db, &s, `SELECT concat_ws('|', (SELECT count(*) FROM allocations),
		(SELECT sum(amount) FROM allocations), (SELECT count(*) FROM performance_targets),
		(SELECT count(*) FROM problems), (SELECT count(*) FROM projects
			WHERE reserve_status = 'FUNDED'))`)

	return s
}

func TestAllocate_ProjectOutsideTheReserveNeedsAnException(t *testing.T) {
	w := newAllocWorld(t)
	top, target := w.top(t)
	var project string
	pgtest.Get(t, w.db, &project, `INSERT INTO projects (name, region_code, direction,
		reserve_status) VALUES ('西湖湿地修复', '330000', 'ECO_RESTORATION', 'APPLIED')
		RETURNING id::text`)
	in := map[string]any{"parentId": top, "toRegion": "330000", "projectId": project,
		"amount": "5000000", "targets": []map[string]any{{"parentId": target,
			"indicator": "修复面积", "unit": "公顷", "targetValue": "50"}}}

	if id, resp := w.allocate(t, w.province, in); id != "" || field(resp) != "reserveException" {
		t.Fatalf("without an exception: got %q %+v, want BAD_USER_INPUT on reserveException",
			id, resp.Errors)
	}

	in["reserveException"] = "省政府常务会议纪要〔2024〕3号 同意先行安排"
	id, resp := w.allocate(t, w.province, in)
	if id == "" {
		t.Fatalf("with an exception: %+v", resp.Errors)
	}
	var kind, detail string
	pgtest.Get(t, w.db, &kind, `SELECT kind FROM problems WHERE allocation_id = $1`, id)
	pgtest.Get(t, w.db, &detail, `SELECT reserve_exception FROM allocations WHERE id = $1`, id)
	if kind != "OUT_OF_RESERVE" || detail != in["reserveException"] {
		t.Errorf("recorded: problem %q, exception %q", kind, detail)
	}
}

func TestAllocate_ConcurrentChildrenNeverExceedTheParent(t *testing.T) {
	w := newAllocWorld(t)
	top, target := w.top(t)

	const tries, each = 12, "15000000"
	var wg sync.WaitGroup
	ok := make(chan string, tries)
	for i := range tries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id, _ := w.allocate(t, w.province, map[string]any{"parentId": top,
				"toRegion": []string{"330100", "330200", "330300"}[i%3], "amount": each,
				"targets": []map[string]any{{"parentId": target, "indicator": "修复面积",
					"unit": "公顷", "targetValue": "10"}}})
			if id != "" {
				ok <- id
			}
		}()
	}
	wg.Wait()
	close(ok)

	var sum decimal.Decimal
	pgtest.Get(t, w.db, &sum, `SELECT COALESCE(sum(amount), 0) FROM allocations
		WHERE parent_id = $1`, top)
	if n := len(ok); n != 6 || !sum.Equal(decimal.RequireFromString("90000000")) {
		t.Errorf("%d of %d allocations of %s went through, summing %s; want 6 and 90000000",
			n, tries, each, sum)
	}
}

func TestAllocate_MissingTargetsCanBeFlaggedInstead(t *testing.T) {
	w := newAllocWorld(t)
	w.db.MissingTargets = postgres.FlagMissingTargets
	top, _ := w.top(t)

	id, resp := w.allocate(t, w.province, map[string]any{"parentId": top,
		"toRegion": "330100", "amount": "1000000"})
	if id == "" {
		t.Fatalf("allocating without targets in flag mode: %+v", resp.Errors)
	}
	var rule string
	pgtest.Get(t, w.db, &rule, `SELECT rule FROM problems WHERE allocation_id = $1`, id)
	if rule != "targets_not_decomposed" {
		t.Errorf("problem raised: %q, want targets_not_decomposed", rule)
	}
}

func TestAllocate_LocalFundsStayInTheirBudget(t *testing.T) {
	w := newAllocWorld(t)
	d := newDeps(t, w.db, w.db, nil)
	jiangsu := signIn(t, d, "js", "320000", fundhub.DepartmentFinance, authz.RoleFinance)
	var local int64
	pgtest.Get(t, w.db, &local, `INSERT INTO funds (name, year, category, direction,
		owner_region, local_level) VALUES ('浙江省地质灾害防治专项', 2024, 'LOCAL', 'GEOHAZARD',
		'330000', 'PROVINCE') RETURNING id`)
	doc := func(no, issuer string) map[string]any {
		return map[string]any{"number": no, "issuedOn": "2024-03-01", "issuerRegion": issuer}
	}

	id, resp := w.allocate(t, jiangsu, map[string]any{"fundId": local,
		"fromRegion": "320000", "toRegion": "320100", "amount": "5000",
		"source": "PROVINCE_MATCH", "document": doc("苏财资环〔2024〕3号", "320000")})
	if id != "" || field(resp) != "fundId" {
		t.Errorf("Jiangsu spending Zhejiang's fund: got %q %+v, want BAD_USER_INPUT on fundId",
			id, resp.Errors)
	}
	id, resp = w.allocate(t, w.city, map[string]any{"fundId": local, "fromRegion": "330100",
		"toRegion": "330106", "amount": "5000", "source": "CITY_MATCH",
		"document": doc("杭财资环〔2024〕3号", "330100")})
	if id == "" {
		t.Errorf("Hangzhou matching in its province's fund: %+v", resp.Errors)
	}
}
