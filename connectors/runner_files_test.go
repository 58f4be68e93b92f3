package connectors_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"fundhub"
	"fundhub/connectors"
	"fundhub/postgres"
	"fundhub/postgres/pgtest"
)

// byName declares one connector over dir with a mapping that reads a
// recipient by name and an amount in 万元, as provincial spreadsheets do.
func byName(t *testing.T, db *postgres.DB, dir string, patterns ...string) *fundhub.Connector {
	t.Helper()
	return declareSheet(t, db, dir, nil, patterns...)
}

// declareSheet is byName with some mapping fields replaced.
func declareSheet(t *testing.T, db *postgres.DB, dir string, fields map[string]connectors.Field,
	patterns ...string) *fundhub.Connector {
	t.Helper()
	cfg := &connectors.Config{
		Name: "province-sheet", Kind: "file",
		File: &connectors.FileConfig{Dir: dir, Patterns: patterns},
		Mapping: connectors.Mapping{
			Entity: "allocation", Key: []string{"编号"}, TotalColumn: "地区",
			Fields: map[string]connectors.Field{
				"fund":        {Const: "地质灾害防治资金"},
				"year":        {Const: "2024"},
				"category":    {Const: "CENTRAL"},
				"direction":   {Const: "GEOHAZARD"},
				"source":      {Const: "CENTRAL_TRANSFER"},
				"from_region": {Const: "330000"},
				"to_region":   {Column: "地区"},
				"amount":      {Column: "金额（万元）", Unit: "wan"},
			},
		},
	}
	for k, v := range fields {
		cfg.Mapping.Fields[k] = v
	}
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

func rejected(t *testing.T, db *postgres.DB, run *fundhub.SyncRun) map[string]*fundhub.RejectedRow {
	t.Helper()
	rows, _, err := db.FindRejectedRows(context.Background(), run.ID, fundhub.Page{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*fundhub.RejectedRow{}
	for _, r := range rows {
		out[*r.ExternalID] = r
	}

	return out
}

func amountTo(t *testing.T, db *postgres.DB, region string) decimal.Decimal {
	t.Helper()
	var sum decimal.Decimal
	if err := db.SQL().Get(&sum, `SELECT COALESCE(sum(amount), 0) FROM allocations
		WHERE to_region = $1`, region); err != nil {
		t.Fatal(err)
	}

	return sum
}

func TestRunner_BadRowsKeptGoodRowsLand(t *testing.T) {
	db := pgtest.New(t)
	dir := t.TempDir()
	text := "编号,地区,金额（万元）\n" +
		"A1,杭州市西湖区,\"1,234.5\"\n" +
		"A2,浙江省宁波市,两千\n" +
		"A3,火星市,100\n" +
		"A4,鼓楼区,100\n" +
		"A5,温州,\"2,000\"\n" +
		"合计,合计,\"3,334.5\"\n"
	writeFile(t, filepath.Join(dir, "sheet.csv"), text)
	c := byName(t, db, dir)

	run := runOK(t, newRunner(db), c)
	if run.Inserted != 2 || run.Rejected != 3 || run.Skipped != 1 {
		t.Fatalf("counts: got %+v, want 2 inserted, 3 rejected, 1 skipped", run.RunCounts)
	}
	if got := amountTo(t, db, "330106"); !got.Equal(decimal.NewFromInt(12345000)) {
		t.Errorf("西湖区: got %s yuan, want 12345000", got)
	}
	if got := amountTo(t, db, "330300"); !got.Equal(decimal.NewFromInt(20000000)) {
		t.Errorf("温州: got %s yuan, want 20000000", got)
	}

	rej := rejected(t, db, run)
	tests := []struct{ id, field, contains string }{
		{"A2", "amount", "两千"},
		{"A3", "to_region", "unknown region name \"火星市\""},
		{"A4", "to_region", "ambiguous"},
		{"A4", "to_region", "320106"},
	}
	for _, tt := range tests {
		r, ok := rej[tt.id]
		if !ok {
			t.Errorf("%s: not kept as a rejected row", tt.id)
			continue
		}
		if r.Field == nil || *r.Field != tt.field || !strings.Contains(r.Reason, tt.contains) {
			t.Errorf("%s: got field %v reason %q, want field %s and a reason with %q",
				tt.id, r.Field, r.Reason, tt.field, tt.contains)
		}
		if !strings.Contains(r.Reason, "province-sheet") || !strings.Contains(string(r.Data), tt.id) {
			t.Errorf("%s: reason %q or data %s does not name the connector and row",
				tt.id, r.Reason, r.Data)
		}
	}
}

func TestRunner_GB18030File(t *testing.T) {
	db := pgtest.New(t)
	dir := t.TempDir()
	text := "2024年地质灾害防治资金分配表\n单位：万元\n编号,地区,金额（万元）\n" +
		"G1,浙江省杭州市西湖区,\"12,000\"\nG2,衢州市,\"3,500.25\"\n"
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "gb.csv"), gb)
	c := byName(t, db, dir)

	run := runOK(t, newRunner(db), c)
	if run.Inserted != 2 || run.Rejected != 0 {
		t.Fatalf("counts: got %+v, want 2 inserted", run.RunCounts)
	}
	if got := amountTo(t, db, "330800"); !got.Equal(decimal.RequireFromString("35002500")) {
		t.Errorf("衢州市: got %s yuan, want 35002500", got)
	}
}

func TestRunner_XLSXTitleAndTwoRowHeader(t *testing.T) {
	db := pgtest.New(t)
	dir := t.TempDir()
	writeWorkbook(t, filepath.Join(dir, "alloc.xlsx"))
	c := declareSheet(t, db, dir, map[string]connectors.Field{
		"amount": {Column: "下达金额/小计", Unit: "wan"}}, "*.xlsx")

	run := runOK(t, newRunner(db), c)
	if run.Inserted != 2 || run.Skipped != 1 || run.Rejected != 0 {
		t.Fatalf("counts: got %+v, want 2 inserted, 1 skipped (total row)", run.RunCounts)
	}
	if got := amountTo(t, db, "330100"); !got.Equal(decimal.NewFromInt(15000000)) {
		t.Errorf("杭州市: got %s yuan, want 15000000", got)
	}
}

// writeWorkbook writes a sheet as provinces publish it: a merged title row,
// a header whose 下达金额 spans two columns over 小计 and 其中提前下达, and a
// total row.
func writeWorkbook(t *testing.T, path string) {
	t.Helper()
	f := excelize.NewFile()
	s := f.GetSheetName(0)
	set := func(cell string, v any) { f.SetCellValue(s, cell, v) }
	set("A1", "2024年地质灾害防治资金分配表")
	f.MergeCell(s, "A1", "D1")
	set("A2", "编号")
	set("B2", "地区")
	set("C2", "下达金额")
	f.MergeCell(s, "A2", "A3")
	f.MergeCell(s, "B2", "B3")
	f.MergeCell(s, "C2", "D2")
	set("C3", "小计")
	set("D3", "其中提前下达")
	rows := [][]any{{"X1", "杭州市", 1500, 500}, {"X2", "宁波市", 800.5, 0}, {"", "合计", 2300.5, 500}}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+4)
		f.SetSheetRow(s, cell, &r)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

func TestRunner_OverlappingRunIsSkipped(t *testing.T) {
	db := pgtest.New(t)
	cs := declare(t, db, "")
	c := cs["published-allocations"]

	release, ok, err := db.TryLockConnector(context.Background(), c.ID)
	if err != nil || !ok {
		t.Fatalf("taking the lock: ok=%v err=%v", ok, err)
	}
	defer release()

	run, err := newRunner(db).Run(context.Background(), c, "test")
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != fundhub.RunSkipped || run.Read != 0 {
		t.Errorf("got status %s with %d rows read, want SKIPPED with 0", run.Status, run.Read)
	}
}

func TestRunner_MergedAmountIsNotCountedTwice(t *testing.T) {
	db := pgtest.New(t)
	dir := t.TempDir()
	f := excelize.NewFile()
	s := f.GetSheetName(0)
	rows := [][]any{{"编号", "地区", "金额（万元）"}, {"M1", "杭州市", 100}, {"M2", nil, nil},
		{"M3", "宁波市", 300}, {"M4", nil, 400}}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		f.SetSheetRow(s, cell, &r)
	}
	f.MergeCell(s, "B2", "B3") // 杭州市 labels M1 and M2: fine
	f.MergeCell(s, "C2", "C3") // one amount for two rows: ambiguous
	f.MergeCell(s, "B4", "B5") // 宁波市 labels M3 and M4, each with its amount
	if err := f.SaveAs(filepath.Join(dir, "merged.xlsx")); err != nil {
		t.Fatal(err)
	}
	c := byName(t, db, dir, "*.xlsx")

	run := runOK(t, newRunner(db), c)
	if run.Inserted != 3 || run.Rejected != 1 {
		t.Fatalf("counts: got %+v, want 3 inserted and M2 rejected", run.RunCounts)
	}
	if r := rejected(t, db, run)["M2"]; r == nil || !strings.Contains(r.Reason, "merged") {
		t.Errorf("M2: got %+v, want it rejected because its amount cell is merged", r)
	}
	if got := amountTo(t, db, "330200"); !got.Equal(decimal.NewFromInt(7000000)) {
		t.Errorf("宁波市: got %s yuan, want 7000000 (two rows under one merged label)", got)
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
