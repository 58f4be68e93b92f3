package file

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"golang.org/x/text/encoding/simplifiedchinese"

	"fundhub/connectors"
)

// writeFile writes data to name in dir.
func writeFile(t *testing.T, dir, name string, data []byte) {
	t.Helper()

	if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// gb18030 encodes text as GB18030.
func gb18030(t *testing.T, text string) []byte {
	t.Helper()

	data, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(text))
	if err != nil {
		t.Fatal(err)
	}

	return data
}

// readAll returns the rows Read yields for o.
func readAll(o Options) ([]connectors.Row, error) {
	var rows []connectors.Row
	err := Read(context.Background(), o, func(row connectors.Row) error {
		rows = append(rows, row)

		return nil
	})

	return rows, err
}

// refs returns the Ref of each row.
func refs(rows []connectors.Row) []string {
	out := make([]string, len(rows))
	for i, row := range rows {
		out[i] = row.Ref
	}

	return out
}

// checkValues compares the named values of row with want.
func checkValues(t *testing.T, row connectors.Row, want map[string]string) {
	t.Helper()

	for key, value := range want {
		got, ok := row.Values[key]
		if !ok {
			t.Errorf("%s: got keys %q, want key %q", row.Ref,
				slices.Sorted(maps.Keys(row.Values)), key)

			continue
		}

		if got != value {
			t.Errorf("%s: Values[%q]: got %q, want %q", row.Ref, key, got, value)
		}
	}
}

const allocationCSV = "2020年中央对地方重点生态功能区转移支付分配情况表\r\n" +
	"单位：万元\r\n" +
	"地区,项目名称,金额（万元）\r\n" +
	"河北省,塞罕坝生态修复,\"1,234.5\"\r\n" +
	"山西省,汾河流域治理,\"１２，０００\"\r\n"

func TestRead_GB18030CSV(t *testing.T) {
	tests := []struct {
		name, encoding string
	}{
		{"auto", ""},
		{"explicit", "gb18030"},
		{"alias gbk", "GBK"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "alloc.csv", gb18030(t, allocationCSV))

			rows, err := readAll(Options{
				Dir:      dir,
				Encoding: tt.encoding,
				Columns:  []string{"地区", "金额（万元）"},
			})
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}

			want := []string{"alloc.csv:4", "alloc.csv:5"}
			if got := refs(rows); !slices.Equal(got, want) {
				t.Fatalf("got refs %q, want %q", got, want)
			}

			checkValues(t, rows[0], map[string]string{
				"地区": "河北省", "项目名称": "塞罕坝生态修复", "金额(万元)": "1,234.5",
				"金额（万元）": "1,234.5",
			})
			checkTotal(t, rows, "金额（万元）", "132345000")
		})
	}
}

// checkTotal sums a column of amounts in 万元 and compares the sum in yuan.
func checkTotal(t *testing.T, rows []connectors.Row, column, want string) {
	t.Helper()

	total := decimal.Zero
	for _, row := range rows {
		amount, err := connectors.ParseAmount(row.Values[column], connectors.UnitWan)
		if err != nil {
			t.Fatalf("%s: got error %v, want an amount", row.Ref, err)
		}

		total = total.Add(amount)
	}

	if !total.Equal(decimal.RequireFromString(want)) {
		t.Errorf("total of %s: got %s, want %s", column, total, want)
	}
}

func TestRead_UTF8BOMCSV(t *testing.T) {
	tests := []struct {
		name, encoding string
	}{
		{"auto", "auto"},
		{"explicit", "utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			data := "\ufeff\"地区\",金额\n河北省,100\n"
			writeFile(t, dir, "bom.csv", []byte(data))

			o := Options{Dir: dir, Encoding: tt.encoding, Columns: []string{"地区"}}
			rows, err := readAll(o)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}

			if len(rows) != 1 {
				t.Fatalf("got %d rows, want 1", len(rows))
			}

			checkValues(t, rows[0], map[string]string{"地区": "河北省", "金额": "100"})
		})
	}
}

func TestRead_UnevenCSV(t *testing.T) {
	dir := t.TempDir()
	data := "地区,金额,备注\n" +
		"河北省,100\n" +
		"山西省,200,补报,多余,\"stray \"quote\"\n" +
		",, \n" +
		"\n" +
		"\"内蒙古\n自治区\",300,\n"
	writeFile(t, dir, "uneven.csv", []byte(data))

	rows, err := readAll(Options{Dir: dir})
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}

	want := []string{"uneven.csv:2", "uneven.csv:3", "uneven.csv:6"}
	if got := refs(rows); !slices.Equal(got, want) {
		t.Fatalf("got refs %q, want %q", got, want)
	}

	checkValues(t, rows[0], map[string]string{"地区": "河北省", "金额": "100", "备注": ""})
	checkValues(t, rows[1], map[string]string{"备注": "补报"})
	checkValues(t, rows[2], map[string]string{"地区": "内蒙古\n自治区", "金额": "300"})

	if got := len(rows[1].Values); got != 3 {
		t.Errorf("got %d values in a long row, want 3", got)
	}
}

func TestRead_CSVTwoRowHeader(t *testing.T) {
	dir := t.TempDir()
	data := "地区,已经下达,,\n" +
		",小计,三区三州补助,其他深度贫困地区补助\n" +
		"四川省,30,20,10\n"
	writeFile(t, dir, "two.csv", []byte(data))

	rows, err := readAll(Options{Dir: dir, Columns: []string{"地区", "三区三州补助"}})
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}

	if len(rows) != 1 || rows[0].Ref != "two.csv:3" {
		t.Fatalf("got refs %q, want [two.csv:3]", refs(rows))
	}

	checkValues(t, rows[0], map[string]string{
		"地区": "四川省", "已经下达/小计": "30", "小计": "30", "三区三州补助": "20",
	})
}

func TestRead_HeaderNotFound(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "alloc.csv", gb18030(t, allocationCSV))

	tests := []struct {
		name string
		o    Options
		want []string
	}{
		{
			"detected",
			Options{Dir: dir, Columns: []string{"地区", "拨付金额", "下达文号"}},
			[]string{"reading alloc.csv", `"拨付金额", "下达文号"`, "row 3 comes closest"},
		},
		{
			"fixed row",
			Options{Dir: dir, Columns: []string{"地区"}, HeaderRow: 2},
			[]string{"reading alloc.csv", "header row 2 lacks columns \"地区\""},
		},
		{
			"fixed row past the end",
			Options{Dir: dir, HeaderRow: 40},
			[]string{"reading alloc.csv", "no row 40"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := readAll(tt.o)
			if !errors.Is(err, ErrNoHeader) {
				t.Fatalf("got error %v and %d rows, want ErrNoHeader", err, len(rows))
			}

			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("got error %q, want it to contain %q", err, want)
				}
			}
		})
	}
}

func TestRead_HeaderRow(t *testing.T) {
	dir := t.TempDir()
	data := "说明,2020年\n\n地区,金额\n河北省,1\n"
	writeFile(t, dir, "a.csv", []byte(data))

	tests := []struct {
		name      string
		headerRow int
		want      []string
	}{
		{"detected without columns", 0, []string{"a.csv:3", "a.csv:4"}},
		{"fixed, by line", 3, []string{"a.csv:4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := readAll(Options{Dir: dir, HeaderRow: tt.headerRow})
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}

			if got := refs(rows); !slices.Equal(got, tt.want) {
				t.Errorf("got refs %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRead_FilesInNameOrder(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "b.csv", []byte("地区,金额\n乙,2\n"))
	writeFile(t, dir, "a.csv", []byte("地区,金额\n甲,1\n"))
	writeFile(t, dir, "~$c.xlsx", []byte("lock file, not a workbook"))
	writeFile(t, dir, "notes.txt", []byte("ignored"))
	writeWorkbook(t, filepath.Join(dir, "c.xlsx"), func(book *workbook) {
		book.set("A1", "地区")
		book.set("B1", "金额")
		book.set("A2", "丙")
		book.set("B2", 3)
	})

	rows, err := readAll(Options{Dir: dir, Columns: []string{"地区", "金额"}})
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}

	want := []string{"a.csv:2", "b.csv:2", "c.xlsx!Sheet1:2"}
	if got := refs(rows); !slices.Equal(got, want) {
		t.Errorf("got refs %q, want %q", got, want)
	}
}

func TestRead_StopsOnFnError(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.csv", []byte("地区,金额\n甲,1\n乙,2\n"))
	stop := errors.New("stop")

	calls := 0
	err := Read(context.Background(), Options{Dir: dir}, func(connectors.Row) error {
		calls++

		return stop
	})
	if err != stop || calls != 1 {
		t.Errorf("got error %v after %d calls, want %v after 1", err, calls, stop)
	}
}

func TestRead_Cancelled(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.csv", []byte("地区,金额\n甲,1\n乙,2\n"))
	ctx, cancel := context.WithCancel(context.Background())

	calls := 0
	err := Read(ctx, Options{Dir: dir}, func(connectors.Row) error {
		calls++
		cancel()

		return nil
	})
	if !errors.Is(err, context.Canceled) || calls != 1 {
		t.Errorf("got error %v after %d calls, want %v after 1", err, calls, context.Canceled)
	}
}

func TestRead_Errors(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "gb.csv", gb18030(t, allocationCSV))
	writeFile(t, dir, "x.txt", []byte("地区,金额\n"))

	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"no dir", Options{}, "no Dir"},
		{"missing dir", Options{Dir: filepath.Join(dir, "none")}, "reading folder"},
		{"bad encoding", Options{Dir: dir, Encoding: "big5"}, `encoding "big5" unknown`},
		{"negative header row", Options{Dir: dir, HeaderRow: -1}, "negative"},
		{"blank column", Options{Dir: dir, Columns: []string{" "}}, "blank name"},
		{"bad pattern", Options{Dir: dir, Patterns: []string{"["}}, `file pattern "["`},
		{"unsupported type", Options{Dir: dir, Patterns: []string{"*.txt"}},
			`reading x.txt: unsupported file type ".txt"`},
		{"utf-8 forced on gb18030", Options{Dir: dir, Encoding: "utf-8"},
			"reading gb.csv: not valid utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readAll(tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestRead_NoFiles(t *testing.T) {
	rows, err := readAll(Options{Dir: t.TempDir()})
	if !errors.Is(err, ErrNoFiles) || len(rows) != 0 {
		t.Errorf("got %d rows and error %v, want ErrNoFiles", len(rows), err)
	}
}
