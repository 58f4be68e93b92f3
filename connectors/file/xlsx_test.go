package file

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"fundhub/connectors"
)

// workbook builds a test workbook, failing the test on any error.
type workbook struct {
	t     *testing.T
	file  *excelize.File
	sheet string
}

// writeWorkbook saves to path a workbook that build fills in.
func writeWorkbook(t *testing.T, path string, build func(*workbook)) {
	t.Helper()

	book := &workbook{t: t, file: excelize.NewFile(), sheet: "Sheet1"}
	defer book.file.Close()

	build(book)
	if err := book.file.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// set sets a cell of the current sheet.
func (b *workbook) set(cell string, value any) {
	b.t.Helper()

	if err := b.file.SetCellValue(b.sheet, cell, value); err != nil {
		b.t.Fatal(err)
	}
}

// merge merges a range of the current sheet.
func (b *workbook) merge(from, to string) {
	b.t.Helper()

	if err := b.file.MergeCell(b.sheet, from, to); err != nil {
		b.t.Fatal(err)
	}
}

// format gives a cell of the current sheet a custom number format.
func (b *workbook) format(cell, code string) {
	b.t.Helper()

	style, err := b.file.NewStyle(&excelize.Style{CustomNumFmt: &code})
	if err != nil {
		b.t.Fatal(err)
	}

	if err := b.file.SetCellStyle(b.sheet, cell, cell, style); err != nil {
		b.t.Fatal(err)
	}
}

// addSheet adds a sheet and makes it the current one.
func (b *workbook) addSheet(name string) {
	b.t.Helper()

	if _, err := b.file.NewSheet(name); err != nil {
		b.t.Fatal(err)
	}

	b.sheet = name
}

// buildAllocation lays out a sheet as the poverty-area transfer tables are:
// a title, a unit line, and a header over rows 3 and 4.
func buildAllocation(b *workbook) {
	b.set("A1", "2020年中央财政专项扶贫资金分配表")
	b.merge("A1", "F1")
	b.set("F2", "单位：万元")

	for cell, text := range map[string]string{
		"A3": "地区", "B3": "已经下达", "E3": "备 注", "F3": "下达日期",
		"B4": "小计", "C4": "三区三州补助", "D4": "其他深度贫困地区补助",
	} {
		b.set(cell, text)
	}

	b.merge("A3", "A4")
	b.merge("B3", "D3")
	b.merge("E3", "E4")
	b.merge("F3", "F4")

	b.set("A5", "四川省")
	b.set("B5", 1234.5)
	b.format("B5", "#,##0.00")
	b.set("C5", 1000)
	b.set("D5", 234.5)
	b.set("F5", time.Date(2024, 5, 12, 0, 0, 0, 0, time.UTC))
	b.set("A7", "云南省")
	b.set("B7", 10)
}

func TestRead_XLSXMergedHeader(t *testing.T) {
	dir := t.TempDir()
	writeWorkbook(t, filepath.Join(dir, "demo.xlsx"), buildAllocation)

	tests := []struct {
		name    string
		columns []string
	}{
		{"combined name", []string{"地区", "已经下达/三区三州补助"}},
		{"lower row only", []string{"其他深度贫困地区补助"}},
		{"vertical merges", []string{"地区", "备注", "下达日期"}},
		{"no columns", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := readAll(Options{Dir: dir, Columns: tt.columns})
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}

			want := []string{"demo.xlsx!Sheet1:5", "demo.xlsx!Sheet1:7"}
			if got := refs(rows); !slices.Equal(got, want) {
				t.Fatalf("got refs %q, want %q", got, want)
			}

			checkAllocationRow(t, rows[0])
		})
	}
}

// checkAllocationRow checks row 5 of the sheet buildAllocation lays out.
func checkAllocationRow(t *testing.T, row connectors.Row) {
	t.Helper()

	checkValues(t, row, map[string]string{
		"地区":          "四川省",
		"已经下达/小计":     "1234.5",
		"小计":          "1234.5",
		"已经下达/三区三州补助": "1000",
		"三区三州补助":      "1000",
		"已经下达/其他深度贫困地区补助": "234.5",
		"备注": "",
	})

	if _, ok := row.Values["已经下达"]; ok {
		t.Errorf("got key 已经下达 for one of the three columns it spans, want none")
	}

	date, err := connectors.ParseDate(row.Values["下达日期"])
	if want := time.Date(2024, 5, 12, 0, 0, 0, 0, time.UTC); err != nil || !date.Equal(want) {
		t.Errorf("下达日期: got %v (error %v) from %q, want %v",
			date, err, row.Values["下达日期"], want)
	}
}

func TestRead_XLSXSheet(t *testing.T) {
	dir := t.TempDir()
	writeWorkbook(t, filepath.Join(dir, "book.xlsx"), func(b *workbook) {
		b.set("A1", "说明：见第二张表")
		b.addSheet("Data")
		buildAllocation(b)
	})

	tests := []struct {
		name, sheet, wantRef, wantErr string
	}{
		{"named, any case", "data", "book.xlsx!Data:5", ""},
		{"first by default", "", "", `reading book.xlsx: header not found`},
		{"missing", "汇总", "", `reading book.xlsx: no sheet "汇总"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := readAll(Options{Dir: dir, Sheet: tt.sheet, Columns: []string{"地区"}})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
				}

				return
			}

			if err != nil || len(rows) == 0 || rows[0].Ref != tt.wantRef {
				t.Fatalf("got refs %q and error %v, want first ref %s",
					refs(rows), err, tt.wantRef)
			}
		})
	}
}
