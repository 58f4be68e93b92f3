package connectors_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"fundhub"
	"fundhub/connectors"
	"fundhub/postgres"
	"fundhub/postgres/pgtest"
)

// declareEntity saves a file connector over dir with the given mapping.
func declareEntity(t *testing.T, db *postgres.DB, name, dir string,
	m connectors.Mapping) *fundhub.Connector {
	t.Helper()
	cfg := &connectors.Config{Name: name, Kind: "file",
		File: &connectors.FileConfig{Dir: dir}, Mapping: m}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	c, err := cfg.Connector()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SaveConnector(context.Background(), c); err != nil {
		t.Fatal(err)
	}

	return c
}

func paymentMapping() connectors.Mapping {
	return connectors.Mapping{Entity: "payment", Key: []string{"voucher_no"},
		AllocationSource: "province-sheet",
		Deleted:          &connectors.DeletedRule{Column: "is_deleted", Values: []string{"1"}},
		Fields: map[string]connectors.Field{
			"allocation_ref": {Column: "indicator"},
			"amount":         {Column: "amount"},
			"paid_on":        {Column: "paid_on"},
			"reverses":       {Column: "refund_of"},
		}}
}

func paymentSum(t *testing.T, db *postgres.DB) decimal.Decimal {
	t.Helper()
	var sum decimal.Decimal
	pgtest.Get(t, db, &sum, `SELECT COALESCE(sum(amount), 0) FROM payments WHERE NOT withdrawn`)

	return sum
}

func TestRunner_PaymentsKeepEveryMovement(t *testing.T) {
	db := pgtest.New(t)
	adir, pdir := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(adir, "a.csv"), "编号,地区,金额（万元）\nA1,湖州市,100\n")
	runOK(t, newRunner(db), byName(t, db, adir))

	pay := filepath.Join(pdir, "p.csv")
	writeFile(t, pay, "voucher_no,indicator,amount,paid_on,refund_of,is_deleted\n"+
		"V1,A1,300000.00,2024/5/12,,0\nV2,A1,200000.00,2024年6月1日,,0\n")
	c := declareEntity(t, db, "payments", pdir, paymentMapping())
	runOK(t, newRunner(db), c)
	if got := paymentSum(t, db); !got.Equal(decimal.NewFromInt(500000)) {
		t.Fatalf("paid: got %s, want 500000", got)
	}

	// A refund of part of V2, and V1 deleted at the source.
	writeFile(t, pay, "voucher_no,indicator,amount,paid_on,refund_of,is_deleted\n"+
		"V1,A1,300000.00,2024/5/12,,1\nV2,A1,200000.00,2024年6月1日,,0\n"+
		"R1,A1,(50000.00),2024-07-01,V2,0\n")
	run := runOK(t, newRunner(db), c)

	if run.Inserted != 1 || run.Updated != 1 || run.Unchanged != 1 {
		t.Errorf("counts: got %+v, want R1 inserted, V1 withdrawn, V2 unchanged", run.RunCounts)
	}
	if got := paymentSum(t, db); !got.Equal(decimal.NewFromInt(150000)) {
		t.Errorf("paid after refund and deletion: got %s, want 150000", got)
	}
	var rows, linked int
	pgtest.Get(t, db, &rows, `SELECT count(*) FROM payments`)
	pgtest.Get(t, db, &linked, `SELECT count(*) FROM payments r JOIN payments p
		ON p.id = r.reverses_id WHERE r.external_id = 'R1' AND p.external_id = 'V2'`)
	if rows != 3 || linked != 1 {
		t.Errorf("got %d payment rows and %d linked refund, want all 3 kept and R1 → V2", rows, linked)
	}
	var audits int
	pgtest.Get(t, db, &audits, `SELECT count(*) FROM audit_log WHERE actor = 'sync:payments'
		AND entity = 'payment' AND entity_id = 'V1' AND before IS NOT NULL AND after IS NOT NULL`)
	if audits != 1 {
		t.Errorf("audit records of V1's withdrawal: got %d, want 1", audits)
	}
}

func TestRunner_PaymentOfUnknownAllocationIsRejected(t *testing.T) {
	db := pgtest.New(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "p.csv"),
		"voucher_no,indicator,amount,paid_on,refund_of,is_deleted\n"+
			"V9,NOPE,1.00,2024-01-02,,0\n")
	c := declareEntity(t, db, "payments", dir, paymentMapping())

	run := runOK(t, newRunner(db), c)
	if run.Rejected != 1 {
		t.Fatalf("counts: got %+v, want V9 rejected", run.RunCounts)
	}
	if r := rejected(t, db, run)["V9"]; r == nil || *r.Field != "allocation_ref" {
		t.Errorf("V9: got %+v, want the allocation_ref named", r)
	}
}

func TestRunner_ProjectChangeIsAudited(t *testing.T) {
	db := pgtest.New(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "projects.csv")
	m := connectors.Mapping{Entity: "project", Key: []string{"code"},
		Fields: map[string]connectors.Field{
			"code": {Column: "code"}, "name": {Column: "name"}, "region": {Column: "region"},
			"direction": {Const: "GEOHAZARD"},
			"reserve_status": {Column: "status",
				Map: map[string]string{"入库": "ADMITTED", "实施中": "IN_PROGRESS"}},
			"planned_investment": {Column: "investment", Unit: "wan"},
		}}
	writeFile(t, path, "code,name,region,status,investment\nP1,滑坡治理,杭州市西湖区,入库,120\n")
	c := declareEntity(t, db, "reserve", dir, m)
	runOK(t, newRunner(db), c)

	writeFile(t, path, "code,name,region,status,investment\nP1,滑坡治理,杭州市西湖区,实施中,120\n")
	run := runOK(t, newRunner(db), c)

	var status string
	pgtest.Get(t, db, &status, `SELECT reserve_status FROM projects WHERE code = 'P1'`)
	var after string
	pgtest.Get(t, db, &after, `SELECT after->>'reserve_status' FROM audit_log
		WHERE entity = 'project' AND entity_id = 'P1' AND before->>'reserve_status' = 'ADMITTED'`)
	if run.Updated != 1 || status != "IN_PROGRESS" || after != "IN_PROGRESS" {
		t.Errorf("got %d updated, status %s, audited after %q; want 1, IN_PROGRESS twice",
			run.Updated, status, after)
	}
}

func TestRunner_DeletedAllocationIsWithdrawnNotDeleted(t *testing.T) {
	db := pgtest.New(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "a.csv")
	writeFile(t, path, "编号,地区,金额（万元）,删除\nD1,湖州市,100,0\n")
	c := declareSheet(t, db, dir, nil)
	cfg, err := connectors.ParseConfig(c)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Mapping.Deleted = &connectors.DeletedRule{Column: "删除", Values: []string{"1"}}
	if c, err = cfg.Connector(); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveConnector(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	runOK(t, newRunner(db), c)

	writeFile(t, path, "编号,地区,金额（万元）,删除\nD1,湖州市,100,1\n")
	run := runOK(t, newRunner(db), c)

	var rows int
	var withdrawn bool
	pgtest.Get(t, db, &rows, `SELECT count(*) FROM allocations`)
	pgtest.Get(t, db, &withdrawn, `SELECT withdrawn FROM allocations WHERE to_region = '330500'`)
	if run.Updated != 1 || rows != 1 || !withdrawn {
		t.Errorf("got %d updated, %d rows, withdrawn %v; want 1, 1 kept, withdrawn",
			run.Updated, rows, withdrawn)
	}
}

func TestRunner_ReportLinesFillTheQuarterlyReport(t *testing.T) {
	db := pgtest.New(t)
	adir, dir := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(adir, "a.csv"), "编号,地区,金额（万元）\nA1,湖州市,100\n")
	runOK(t, newRunner(db), byName(t, db, adir))

	path := filepath.Join(dir, "r.csv")
	writeFile(t, path, "line,region,year,quarter,indicator,paid\nL1,湖州市,2024,2,A1,30\n"+
		"L2,湖州市,2024,5,A1,1\n")
	m := connectors.Mapping{Entity: "report_line", Key: []string{"line"},
		AllocationSource: "province-sheet",
		Fields: map[string]connectors.Field{"region": {Column: "region"},
			"year": {Column: "year"}, "quarter": {Column: "quarter"},
			"allocation_ref": {Column: "indicator"},
			"paid_amount":    {Column: "paid", Unit: "wan"}}}
	c := declareEntity(t, db, "reports", dir, m)

	run := runOK(t, newRunner(db), c)
	var paid decimal.Decimal
	pgtest.Get(t, db, &paid, `SELECT l.paid_amount FROM report_lines l
		JOIN execution_reports r ON r.id = l.report_id
		WHERE r.region_code = '330500' AND r.year = 2024 AND r.quarter = 2
		AND r.status = 'DRAFT' AND l.allocation_id IS NOT NULL`)
	if run.Inserted != 1 || run.Rejected != 1 || !paid.Equal(decimal.NewFromInt(300000)) {
		t.Errorf("got %+v and %s paid, want L1 in a draft report with 300000, L2 rejected",
			run.RunCounts, paid)
	}

	// Once transmitted, the report is locked against syncs.
	pgtest.Get(t, db, new(int), `UPDATE execution_reports SET status = 'TRANSMITTED'
		RETURNING 1`)
	writeFile(t, path, "line,region,year,quarter,indicator,paid\nL1,湖州市,2024,2,A1,40\n")
	locked := runOK(t, newRunner(db), c)
	if r := rejected(t, db, locked)["L1"]; r == nil || *r.Field != "quarter" {
		t.Errorf("a line of a transmitted report: got %+v, want it rejected", r)
	}
}

func TestRunner_BulkRefusedFallsBackRowByRow(t *testing.T) {
	db := pgtest.New(t)
	adir, pdir := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(adir, "a.csv"), "编号,地区,金额（万元）\nA1,湖州市,100\n")
	runOK(t, newRunner(db), byName(t, db, adir))
	// V2's amount does not fit the column: the database refuses the whole
	// bulk statement, and the batch is loaded again row by row.
	writeFile(t, filepath.Join(pdir, "p.csv"),
		"voucher_no,indicator,amount,paid_on,refund_of,is_deleted\n"+
			"V1,A1,100.00,2024-05-12,,0\nV2,A1,100000000000000000000.00,2024-05-13,,0\n"+
			"V3,A1,50.00,2024-05-14,,0\n")
	c := declareEntity(t, db, "payments", pdir, paymentMapping())

	run := runOK(t, newRunner(db), c)
	if run.Read != 3 || run.Inserted != 2 || run.Rejected != 1 {
		t.Errorf("counts: got %+v, want 3 read, V1 and V3 in, V2 rejected", run.RunCounts)
	}
	if r := rejected(t, db, run)["V2"]; r == nil || !strings.Contains(r.Reason, "too large") {
		t.Errorf("V2: got %+v, want it kept with the reason", r)
	}
	if got := paymentSum(t, db); !got.Equal(decimal.NewFromInt(150)) {
		t.Errorf("paid: got %s, want 150", got)
	}
}
