package report

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"fundhub"
)

// Rows streams the long lists of a report, so that a province's thousands
// of allocations and projects go to the workbook as they are read. Each
// method calls fn once per row, in the order the sheet shows them, and
// stops at fn's first error.
type Rows interface {
	EachAllocation(ctx context.Context, fn func(*fundhub.QuarterlyAllocation) error) error
	EachProject(ctx context.Context, fn func(*fundhub.ProjectExecution) error) error
}

// The sheets of the workbook, in order.
const (
	SheetSummary     = "汇总"
	SheetAllocations = "资金下达"
	SheetProjects    = "项目执行"
	SheetLagging     = "滞后事项"
	SheetProblems    = "问题"
)

// WriteWorkbook builds the report's workbook, streaming every sheet row by
// row (a large sheet spills to a temporary file rather than memory), and
// writes it to w, returning the bytes written. Nothing reaches w when a
// read or a sheet fails, so a caller may still answer with an error. Yuan
// cells hold the exact amount; 万元 cells are formulas over them.
func WriteWorkbook(ctx context.Context, w io.Writer, rep *fundhub.QuarterlyReport,
	rows Rows) (int64, error) {
	f := excelize.NewFile()
	defer f.Close()

	b, err := newBook(f, rep)
	if err != nil {
		return 0, err
	}
	steps := []func() error{
		b.summary,
		func() error { return b.allocations(ctx, rows) },
		func() error { return b.projects(ctx, rows) },
		b.lagging,
		b.problems,
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return 0, err
		}
	}

	n, err := f.WriteTo(w)
	if err != nil {
		return n, fmt.Errorf("writing the workbook of %s %s: %w", rep.Region.Code,
			rep.Quarter, err)
	}

	return n, nil
}

// book is a workbook being written.
type book struct {
	f   *excelize.File
	st  *styles
	rep *fundhub.QuarterlyReport
}

func newBook(f *excelize.File, rep *fundhub.QuarterlyReport) (*book, error) {
	st, err := newStyles(f)
	if err != nil {
		return nil, err
	}
	if err := f.SetSheetName("Sheet1", SheetSummary); err != nil {
		return nil, fmt.Errorf("naming the summary sheet: %w", err)
	}
	for _, name := range []string{SheetAllocations, SheetProjects, SheetLagging,
		SheetProblems} {
		if _, err := f.NewSheet(name); err != nil {
			return nil, fmt.Errorf("adding sheet %s: %w", name, err)
		}
	}
	title := Title(rep)
	if err := f.SetDocProps(&excelize.DocProperties{Title: title, Creator: "fundhub",
		Language: "zh-CN"}); err != nil {
		return nil, fmt.Errorf("setting the workbook's properties: %w", err)
	}

	return &book{f: f, st: st, rep: rep}, nil
}

// sheet is one worksheet being streamed and the number of its last row.
type sheet struct {
	b   *book
	sw  *excelize.StreamWriter
	row int
}

// open starts streaming a sheet with its column widths and frozen top rows,
// printed on A4 landscape, fitted to the page's width, the frozen rows
// repeated on every page.
func (b *book) open(name string, widths []float64, frozen int) (*sheet, error) {
	landscape, a4, one, auto, fit := "landscape", 9, 1, 0, true
	if err := b.f.SetPageLayout(name, &excelize.PageLayoutOptions{Size: &a4,
		Orientation: &landscape, FitToWidth: &one, FitToHeight: &auto}); err != nil {
		return nil, fmt.Errorf("laying out sheet %s: %w", name, err)
	}
	if err := b.f.SetSheetProps(name, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return nil, fmt.Errorf("fitting sheet %s: %w", name, err)
	}
	if err := b.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles",
		RefersTo: fmt.Sprintf("'%s'!$1:$%d", name, frozen), Scope: name}); err != nil {
		return nil, fmt.Errorf("repeating the header of sheet %s: %w", name, err)
	}

	sw, err := b.f.NewStreamWriter(name)
	if err != nil {
		return nil, fmt.Errorf("opening sheet %s: %w", name, err)
	}
	for i, w := range widths {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return nil, fmt.Errorf("sizing sheet %s: %w", name, err)
		}
	}
	err = sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: frozen, ActivePane: "bottomLeft",
		TopLeftCell: fmt.Sprintf("A%d", frozen+1)})
	if err != nil {
		return nil, fmt.Errorf("freezing the header of sheet %s: %w", name, err)
	}

	return &sheet{b: b, sw: sw}, nil
}

// wanOf is the 万元 cell beside a yuan amount in column col of the same
// row: a formula over the yuan cell, so the exact yuan stays the one
// figure, with its value cached for readers that do not recalculate.
type wanOf struct {
	col  string
	yuan decimal.Decimal
}

// add writes the next row.
func (s *sheet) add(cells ...any) error {
	s.row++
	if s.row > excelize.TotalRows {
		return fundhub.Errorf(fundhub.EINVALID, "sheet %s needs more than %d rows; "+
			"ask for a smaller region", s.sw.Sheet, excelize.TotalRows)
	}
	for i, c := range cells {
		if w, ok := c.(wanOf); ok {
			cells[i] = excelize.Cell{StyleID: s.b.st.wan, Value: number(w.yuan.Shift(-4)),
				Formula: fmt.Sprintf("%s%d/10000", w.col, s.row)}
		}
	}
	if err := s.sw.SetRow(fmt.Sprintf("A%d", s.row), cells); err != nil {
		return fmt.Errorf("writing row %d of sheet %s: %w", s.row, s.sw.Sheet, err)
	}

	return nil
}

// header writes a header row.
func (s *sheet) header(names ...string) error {
	cells := make([]any, len(names))
	for i, n := range names {
		cells[i] = excelize.Cell{StyleID: s.b.st.header, Value: n}
	}

	return s.add(cells...)
}

// close ends the sheet's stream.
func (s *sheet) close() error {
	if err := s.sw.Flush(); err != nil {
		return fmt.Errorf("finishing sheet %s: %w", s.sw.Sheet, err)
	}

	return nil
}

// number is the cell value of an exact decimal: a number whose shortest
// decimal form is exactly d (within Excel's 15 significant digits), or
// else the digits as text, so no figure is ever stored rounded.
func number(d decimal.Decimal) any {
	s := d.String()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || strconv.FormatFloat(f, 'f', -1, 64) != s || significant(s) > 15 {
		return s
	}

	return f
}

// significant counts the significant digits of a decimal numeral.
func significant(s string) int {
	n := 0
	for _, c := range s {
		if c >= '1' && c <= '9' || c == '0' && n > 0 {
			n++
		}
	}

	return n
}

func (b *book) text(s string) excelize.Cell {
	return excelize.Cell{StyleID: b.st.text, Value: s}
}

func (b *book) money(d decimal.Decimal) excelize.Cell {
	return excelize.Cell{StyleID: b.st.money, Value: number(d)}
}

// percent is a rate given in per cent, stored as a fraction for Excel's
// percent format: 16.00 is stored as 0.16.
func (b *book) percent(rate *decimal.Decimal) excelize.Cell {
	return b.rate(b.st.percent, rate)
}

// change is a difference of rates in percentage points, shown signed.
func (b *book) change(now, before *decimal.Decimal) excelize.Cell {
	if now == nil || before == nil {
		return excelize.Cell{StyleID: b.st.change}
	}
	d := now.Sub(*before)

	return b.rate(b.st.change, &d)
}

func (b *book) rate(style int, rate *decimal.Decimal) excelize.Cell {
	if rate == nil {
		return excelize.Cell{StyleID: style}
	}

	return excelize.Cell{StyleID: style, Value: number(rate.Shift(-2))}
}

func (b *book) points(gap *decimal.Decimal) excelize.Cell {
	if gap == nil {
		return excelize.Cell{StyleID: b.st.points}
	}

	return excelize.Cell{StyleID: b.st.points, Value: number(*gap)}
}

func (b *book) warning(level fundhub.WarningLevel) excelize.Cell {
	return excelize.Cell{StyleID: b.st.warning[level], Value: label(warningLabels, level)}
}

func (b *book) count(n int) excelize.Cell {
	return excelize.Cell{StyleID: b.st.count, Value: n}
}

func (b *book) date(t *time.Time) excelize.Cell {
	if t == nil {
		return excelize.Cell{StyleID: b.st.date}
	}

	return excelize.Cell{StyleID: b.st.date, Value: *t}
}

func (b *book) optText(s *string) excelize.Cell {
	if s == nil {
		return b.text("")
	}

	return b.text(*s)
}
