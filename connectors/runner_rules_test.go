package connectors_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"fundhub"
	"fundhub/connectors"
	"fundhub/postgres/pgtest"
)

func TestRunner_LocalFundBelongsToItsBudget(t *testing.T) {
	db := pgtest.New(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "l.csv"), "编号,地区,金额（万元）\nL1,衢州市,10\n")
	c := declareSheet(t, db, dir, map[string]connectors.Field{
		"fund": {Const: "浙江省级地质灾害防治资金"}, "category": {Const: "LOCAL"},
		"source": {Const: "PROVINCE_MATCH"}})

	run := runOK(t, newRunner(db), c)
	if run.Inserted != 1 {
		t.Fatalf("counts: got %+v, want 1 inserted", run.RunCounts)
	}
	var f struct {
		Owner string `db:"owner_region"`
		Level string `db:"local_level"`
	}
	if err := db.SQL().Get(&f, `SELECT owner_region, local_level FROM funds
		WHERE name = '浙江省级地质灾害防治资金'`); err != nil {
		t.Fatal(err)
	}
	if f.Owner != "330000" || f.Level != "PROVINCE" {
		t.Errorf("fund: got owner %s level %s, want 330000 PROVINCE", f.Owner, f.Level)
	}
}

func TestRunner_RowRefusedByDatabaseIsKept(t *testing.T) {
	db := pgtest.New(t)
	dir := t.TempDir()
	// Two records of the source give one project code: the schema keeps
	// project codes unique, so the database refuses the second, and the
	// first still lands in the same batch.
	writeFile(t, filepath.Join(dir, "p.csv"), "key,code,name,region\n"+
		"K1,P-1,护坡工程,湖州市\nK2,P-1,护坡工程二期,湖州市\n")
	m := connectors.Mapping{Entity: "project", Key: []string{"key"},
		Fields: map[string]connectors.Field{"code": {Column: "code"},
			"name": {Column: "name"}, "region": {Column: "region"},
			"direction": {Const: "GEOHAZARD"}}}
	c := declareEntity(t, db, "reserve", dir, m)

	run := runOK(t, newRunner(db), c)
	if run.Inserted != 1 || run.Rejected != 1 {
		t.Fatalf("counts: got %+v, want 1 inserted, 1 rejected", run.RunCounts)
	}
	r := rejected(t, db, run)["K2"]
	if r == nil || !strings.Contains(r.Reason, "repeats a record the hub already has") {
		t.Errorf("K2: got %+v, want it kept with the reason", r)
	}
	if r != nil && strings.Contains(r.Reason, "violates") {
		t.Errorf("K2: reason %q carries the database's own message", r.Reason)
	}
}

func TestRunner_AmountFinerThanFenIsRejected(t *testing.T) {
	db := pgtest.New(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "f.csv"), "编号,地区,金额（万元）\nF1,湖州市,1.0000005\nF2,嘉兴市,1.00005\n")
	c := byName(t, db, dir)

	run := runOK(t, newRunner(db), c)
	if run.Inserted != 1 || run.Rejected != 1 {
		t.Fatalf("counts: got %+v, want F2 (10000.5 yuan) in and F1 rejected", run.RunCounts)
	}
	again := runOK(t, newRunner(db), c)
	if again.Updated != 0 || again.Unchanged != 1 {
		t.Errorf("second run: got %+v, want nothing updated", again.RunCounts)
	}
}

func TestRunner_CorrectedRecordMovesToItsAllocation(t *testing.T) {
	db := pgtest.New(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "m.csv")
	writeFile(t, path, "编号,地区,金额（万元）\nC1,湖州市,8\n")
	c := byName(t, db, dir)
	runOK(t, newRunner(db), c)

	// The source corrects the recipient of C1.
	writeFile(t, path, "编号,地区,金额（万元）\nC1,丽水市,8\n")
	run := runOK(t, newRunner(db), c)

	if run.Updated != 1 {
		t.Errorf("counts: got %+v, want 1 updated", run.RunCounts)
	}
	if got := amountTo(t, db, "331100"); !got.Equal(decimal.NewFromInt(80000)) {
		t.Errorf("丽水市: got %s yuan, want 80000", got)
	}
	var withdrawn bool
	if err := db.SQL().Get(&withdrawn, `SELECT withdrawn FROM allocations
		WHERE to_region = '330500'`); err != nil {
		t.Fatal(err)
	}
	if !withdrawn {
		t.Error("湖州市's allocation: got still current, want withdrawn (kept, not deleted)")
	}
}

func TestRunner_InterruptedRunIsMarkedFailed(t *testing.T) {
	db := pgtest.New(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "i.csv"), "编号,地区,金额（万元）\nI1,湖州市,1\n")
	c := byName(t, db, dir)
	stale, err := db.StartRun(context.Background(), c.ID, "test")
	if err != nil {
		t.Fatal(err)
	}

	runOK(t, newRunner(db), c)

	got, err := db.FindRun(context.Background(), stale.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != fundhub.RunFailed || got.Error == nil || got.FinishedAt == nil {
		t.Errorf("stale run: got %s %v, want FAILED with a reason", got.Status, got.Error)
	}
}

func TestRunner_MissingFolderIsReportedPlainly(t *testing.T) {
	db := pgtest.New(t)
	c := byName(t, db, filepath.Join(t.TempDir(), "gone"))

	run, err := newRunner(db).Run(context.Background(), c, "test")
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != fundhub.RunFailed || run.Error == nil ||
		!strings.Contains(*run.Error, "reading source of province-sheet") {
		t.Errorf("got %s %v, want FAILED naming the source", run.Status, run.Error)
	}
}

func TestRunner_MoneyOnlyMovesDown(t *testing.T) {
	db := pgtest.New(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "u.csv"), "编号,地区,金额（万元）\nU1,浙江省,5\nU2,江苏省,5\n")
	c := byName(t, db, dir)

	run := runOK(t, newRunner(db), c)
	if run.Rejected != 2 {
		t.Errorf("counts: got %+v, want both rows rejected", run.RunCounts)
	}
}

func TestRunner_RepeatedKeyIsRejected(t *testing.T) {
	db := pgtest.New(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "d.csv"), "编号,地区,金额（万元）\nK1,湖州市,100\nK1,丽水市,200\n")
	c := byName(t, db, dir)

	run := runOK(t, newRunner(db), c)
	again := runOK(t, newRunner(db), c)

	if run.Inserted != 1 || run.Rejected != 1 || again.Updated != 0 {
		t.Errorf("got %+v then %+v, want the second K1 rejected and nothing updated later",
			run.RunCounts, again.RunCounts)
	}
	if got := amountTo(t, db, "330500"); !got.Equal(decimal.NewFromInt(1000000)) {
		t.Errorf("湖州市: got %s yuan, want the first row's 1000000", got)
	}
}

func TestRunner_NULInACellRejectsOnlyThatRow(t *testing.T) {
	db := pgtest.New(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "n.csv"), "编号,地区,金额（万元）,备注\n"+
		"N1,湖州市,10,ok\nN2,丽水市,20,bad\x00note\n")
	c := byName(t, db, dir)

	run := runOK(t, newRunner(db), c)
	if run.Inserted != 1 || run.Rejected != 1 {
		t.Errorf("counts: got %+v, want N1 in and N2 rejected", run.RunCounts)
	}
}

func TestRunner_SameNamedLocalFundsStayApart(t *testing.T) {
	db := pgtest.New(t)
	zj, js := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(zj, "z.csv"), "编号,地区,金额（万元）\nZ1,湖州市,10\n")
	writeFile(t, filepath.Join(js, "j.csv"), "编号,地区,金额（万元）\nJ1,苏州市,20\n")
	local := map[string]connectors.Field{"fund": {Const: "省级生态保护修复专项资金"},
		"category": {Const: "LOCAL"}, "source": {Const: "PROVINCE_MATCH"}}
	runOK(t, newRunner(db), declareSheet(t, db, zj, local))
	js1 := map[string]connectors.Field{"from_region": {Const: "320000"}}
	for k, v := range local {
		js1[k] = v
	}
	cfg := declareSheet(t, db, js, js1)
	cfg.Name = "jiangsu-sheet"
	if err := db.SaveConnector(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	runOK(t, newRunner(db), cfg)

	var owners []string
	pgtest.Select(t, db, &owners, `SELECT owner_region FROM funds
		WHERE name = '省级生态保护修复专项资金' ORDER BY owner_region`)
	if len(owners) != 2 || owners[0] != "320000" || owners[1] != "330000" {
		t.Errorf("fund owners: got %v, want one fund each for 320000 and 330000", owners)
	}
}

func TestRunner_FundCategoryClashIsRejected(t *testing.T) {
	db := pgtest.New(t)
	a, b := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(a, "a.csv"), "编号,地区,金额（万元）\nC1,湖州市,10\n")
	writeFile(t, filepath.Join(b, "b.csv"), "编号,地区,金额（万元）\nC2,湖州市,10\n")
	runOK(t, newRunner(db), byName(t, db, a))
	c := declareSheet(t, db, b, map[string]connectors.Field{"direction": {Const: "ECO_RESTORATION"}})
	c.Name = "other-sheet"
	if err := db.SaveConnector(context.Background(), c); err != nil {
		t.Fatal(err)
	}

	run := runOK(t, newRunner(db), c)
	if r := rejected(t, db, run)["C2"]; r == nil || r.Field == nil || *r.Field != "direction" {
		t.Errorf("C2: got %+v, want rejected for the direction that clashes", r)
	}
}

func TestRunner_ReprocessReplaysTheNewestRejectionOnce(t *testing.T) {
	db := pgtest.New(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "r.csv")
	unmapped := map[string]connectors.Field{"category": {Column: "类别"}}
	c := declareSheet(t, db, dir, unmapped)

	// R1 is rejected in two runs (its category is not mapped); K1 repeats.
	writeFile(t, path, "编号,地区,金额（万元）,类别\nR1,湖州市,10,中央\n"+
		"K1,丽水市,1,CENTRAL\nK1,衢州市,2,CENTRAL\n")
	runOK(t, newRunner(db), c)
	writeFile(t, path, "编号,地区,金额（万元）,类别\nR1,湖州市,12,中央\n"+
		"K1,丽水市,1,CENTRAL\nK1,衢州市,2,CENTRAL\n")
	runOK(t, newRunner(db), c)

	fixed := map[string]connectors.Field{"category": {Column: "类别",
		Map: map[string]string{"中央": "CENTRAL"}}}
	c = declareSheet(t, db, dir, fixed)
	run, body, err := newRunner(db).StartReprocess(context.Background(), c)
	if err != nil || body == nil {
		t.Fatalf("starting the reprocess: %v", err)
	}
	if err := body(context.Background()); err != nil {
		t.Fatal(err)
	}

	if run.Read != 1 || run.Inserted != 1 {
		t.Errorf("reprocess: got %+v, want only R1's newest rejection read and loaded",
			run.RunCounts)
	}
	if got := amountTo(t, db, "330500"); !got.Equal(decimal.NewFromInt(120000)) {
		t.Errorf("湖州市: got %s, want the newest figure 120000", got)
	}
	var pending int
	pgtest.Get(t, db, &pending, `SELECT count(*) FROM rejected_rows
		WHERE resolved_at IS NULL AND external_id = 'R1'`)
	if pending != 0 {
		t.Errorf("R1's rejections left pending: got %d, want 0", pending)
	}
}

func TestRunner_ReprocessNeverBringsBackAStaleRow(t *testing.T) {
	db := pgtest.New(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "s.csv")
	c := declareSheet(t, db, dir, map[string]connectors.Field{"category": {Column: "类别"}})
	writeFile(t, path, "编号,地区,金额（万元）,类别\nM1,湖州市,111,中央\n")
	runOK(t, newRunner(db), c) // rejected: 中央 is not mapped

	fixed := map[string]connectors.Field{"category": {Column: "类别",
		Map: map[string]string{"中央": "CENTRAL"}}}
	c = declareSheet(t, db, dir, fixed)
	writeFile(t, path, "编号,地区,金额（万元）,类别\nM1,湖州市,999,中央\n")
	runOK(t, newRunner(db), c) // the newer version lands

	run, body, err := newRunner(db).StartReprocess(context.Background(), c)
	if err != nil || body == nil {
		t.Fatalf("starting the reprocess: %v", err)
	}
	if err := body(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := amountTo(t, db, "330500"); run.Read != 0 || !got.Equal(decimal.NewFromInt(9990000)) {
		t.Errorf("got %d rows reprocessed and %s yuan, want none and the newer 9990000",
			run.Read, got)
	}
}
