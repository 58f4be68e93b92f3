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
	// R1's fund serves a direction the hub does not know: the database
	// refuses the fund, and so the row; R2 lands in the same batch.
	writeFile(t, filepath.Join(dir, "s.csv"), "编号,地区,金额（万元）,方向\n"+
		"R1,湖州市,5,MINING\nR2,湖州市,5,GEOHAZARD\n")
	c := declareSheet(t, db, dir, map[string]connectors.Field{
		"fund": {Column: "方向"}, "direction": {Column: "方向"}})

	run := runOK(t, newRunner(db), c)
	if run.Inserted != 1 || run.Rejected != 1 {
		t.Fatalf("counts: got %+v, want 1 inserted, 1 rejected", run.RunCounts)
	}
	r := rejected(t, db, run)["R1"]
	if r == nil || !strings.Contains(r.Reason, "refers to a record the hub does not have") {
		t.Errorf("R1: got %+v, want it kept with the reason", r)
	}
	if r != nil && strings.Contains(r.Reason, "violates") {
		t.Errorf("R1: reason %q carries the database's own message", r.Reason)
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
