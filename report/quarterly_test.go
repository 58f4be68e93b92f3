package report_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"fundhub"
	"fundhub/report"
)

func rate(s string) *decimal.Decimal {
	d := decimal.RequireFromString(s)
	return &d
}

var (
	th  = fundhub.ProgressThresholds{Yellow: decimal.NewFromInt(10), Red: decimal.NewFromInt(20)}
	end = time.Date(2024, 6, 30, 0, 0, 0, 0, time.UTC)
)

// line is a line of figures graded at the end of June 2024.
func line(code, name, allocated, paid, exec string) fundhub.QuarterlyLine {
	l := fundhub.QuarterlyLine{Code: code, Name: name, Figures: fundhub.Figures{
		Allocated: decimal.RequireFromString(allocated), Paid: decimal.RequireFromString(paid),
		Received: decimal.RequireFromString(allocated), ExecutionRate: rate(exec),
		ReceivedRate: rate("100")}}
	l.Progress = fundhub.Progress(2024, end, false, l.ExecutionRate, th)

	return l
}

// sample is a hand-made report with a name that tries markup in every
// format, a yellow and a red item.
func sample() *fundhub.QuarterlyReport {
	now := line("330000", "浙江省", "12345678.90", "1975308.62", "16.00")
	before := line("330000", "浙江省", "12345678.90", "0", "0.00")
	before.Progress = fundhub.Progress(2024, end.AddDate(0, -3, 1), false, rate("0"), th)
	eco := line("ECO_RESTORATION", "生态保护修复（含海洋）", "10000000", "1000000", "10.00")
	hz := line("330100", "杭州市", "8500000", "2000000", "23.53")
	project := line("", "<b>矿山</b>*修复*[x](http://e.x)", "300", "100", "33.33")
	red := fundhub.LaggingItem{Kind: fundhub.LaggingRegion, Code: "330100", Name: "杭州市",
		Allocated: hz.Allocated, Paid: hz.Paid, Progress: hz.Progress}
	yellow := fundhub.LaggingItem{Kind: fundhub.LaggingProject, Code: "P-1",
		Name: project.Name, RegionName: "西湖区", Allocated: project.Allocated,
		Paid: project.Paid, Progress: project.Progress, New: true}

	return &fundhub.QuarterlyReport{
		Region:  &fundhub.Region{Code: "330000", Name: "浙江省", Level: fundhub.LevelProvince},
		Quarter: fundhub.Quarter{Year: 2024, Quarter: 2}, Day: end,
		Current: now, Previous: before, ByDirection: []*fundhub.QuarterlyLine{&eco},
		ByRegion: []*fundhub.QuarterlyLine{&hz}, Projects: 1,
		Lagging: []*fundhub.LaggingItem{&red, &yellow},
		Problems: []*fundhub.QuarterlyProblem{{Problem: fundhub.Problem{ID: 7, Kind: "LATE",
			Severity: "MAJOR", Status: "OPEN", Title: "湖州迟报"}, RegionName: "湖州市"}},
	}
}

// rows streams one allocation too large for an exact number and the
// project.
type rows struct{}

func (rows) EachAllocation(_ context.Context,
	fn func(*fundhub.QuarterlyAllocation) error) error {
	return fn(&fundhub.QuarterlyAllocation{Allocation: fundhub.Allocation{ID: 1,
		Amount: decimal.RequireFromString("12345678901234567.89"), IssuedOn: &end},
		FundName: "生态修复", FromName: "全国", ToName: "浙江省"})
}

func (rows) EachProject(_ context.Context, fn func(*fundhub.ProjectExecution) error) error {
	p := &fundhub.ProjectExecution{Name: "矿山修复", RegionName: "西湖区",
		ExecutionRate: rate("33.33"), PreviousWarning: fundhub.WarningNone}
	p.Allocated, p.Paid = decimal.NewFromInt(300), decimal.NewFromInt(100)
	p.Progress = fundhub.Progress(2024, end, false, p.ExecutionRate, th)

	return fn(p)
}

func workbook(t *testing.T, rep *fundhub.QuarterlyReport) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	n, err := report.WriteWorkbook(context.Background(), &buf, rep, rows{})
	if err != nil || n != int64(buf.Len()) {
		t.Fatalf("writing: %d bytes of %d, %v", n, buf.Len(), err)
	}
	f, err := excelize.OpenReader(&buf, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })

	return f
}

func cell(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}

	return v
}

func fill(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil || len(st.Fill.Color) == 0 {
		return ""
	}

	return st.Fill.Color[0]
}

func TestQuarterlyWorkbook_ExactFiguresStylesAndLayout(t *testing.T) {
	f := workbook(t, sample())

	want := []string{report.SheetSummary, report.SheetAllocations, report.SheetProjects,
		report.SheetLagging, report.SheetProblems}
	if got := f.GetSheetList(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("sheets %v, want %v", got, want)
	}
	for _, c := range []struct{ sheet, ref, want string }{
		{report.SheetSummary, "A5", "本季末（2024Q2）"},
		{report.SheetSummary, "B5", "12345678.9"},
		{report.SheetSummary, "E5", "1975308.62"},
		{report.SheetSummary, "G5", "0.16"},
		{report.SheetSummary, "K5", "红色"},
		{report.SheetSummary, "E7", "1975308.62"},
		// Too many digits for a double: kept as the exact text.
		{report.SheetAllocations, "J2", "12345678901234567.89"},
		{report.SheetProjects, "J2", "0.3333"},
		{report.SheetProjects, "M2", "黄色"},
		{report.SheetLagging, "C3", "<b>矿山</b>*修复*[x](http://e.x)"},
		{report.SheetProblems, "C2", "重大"},
	} {
		if got := cell(t, f, c.sheet, c.ref); got != c.want {
			t.Errorf("%s!%s: got %q, want %q", c.sheet, c.ref, got, c.want)
		}
	}
	if got, _ := f.GetCellFormula(report.SheetSummary, "C5"); got != "B5/10000" {
		t.Errorf("万元 of the summary: formula %q, want B5/10000", got)
	}
	if got := cell(t, f, report.SheetSummary, "C5"); got != "1234.56789" {
		t.Errorf("万元 cached: got %q, want 1234.56789", got)
	}

	for _, c := range []struct {
		sheet, ref string
		level      fundhub.WarningLevel
	}{{report.SheetSummary, "K5", fundhub.WarningRed},
		{report.SheetProjects, "M2", fundhub.WarningYellow},
		{report.SheetProjects, "N2", fundhub.WarningNone},
		{report.SheetLagging, "J2", fundhub.WarningRed}} {
		if got := fill(t, f, c.sheet, c.ref); got != report.WarningFill(c.level) {
			t.Errorf("%s!%s fill %q, want %q for %s", c.sheet, c.ref, got,
				report.WarningFill(c.level), c.level)
		}
	}
	if panes, err := f.GetPanes(report.SheetProjects); err != nil || !panes.Freeze ||
		panes.YSplit != 1 {
		t.Errorf("project sheet panes %+v %v, want the header frozen", panes, err)
	}
	if w, _ := f.GetColWidth(report.SheetProjects, "B"); w < 20 {
		t.Errorf("project name column %v wide, want room for names", w)
	}
}

func TestQuarterlyMarkdown_KeyFiguresAndEscapedNames(t *testing.T) {
	md := report.Markdown(sample())

	for _, want := range []string{
		"# 浙江省2024年第2季度资金监测进度报告",
		"下达资金 1,234.57 万元（12,345,678.90 元）",
		"已支付 197.53 万元（1,975,308.62 元）",
		"执行率 16.00%，序时进度 49.73%，落后序时进度 33.73 个百分点，**红色预警**",
		"滞后项目 1 个，滞后下级地区 1 个，未办结问题 1 个",
		"本季支付 197.53 万元（1,975,308.62 元）",
		"较上季末 0.00% 提高 16.00 个百分点",
		"新增滞后项目 1 个：\\<b\\>矿山\\<\\/b\\>\\*修复\\*\\[x\\]\\(http\\:\\/\\/e\\.x\\)。",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "<b>") || strings.Contains(md, "](http") {
		t.Errorf("markdown carries a name's markup:\n%s", md)
	}
}

func TestQuarterlyHTML_EscapesNames(t *testing.T) {
	var buf bytes.Buffer
	if err := report.WriteHTML(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	page := buf.String()

	for _, want := range []string{"<title>浙江省2024年第2季度资金监测进度报告</title>",
		"&lt;b&gt;矿山&lt;/b&gt;*修复*", "已支付 197.53 万元（1,975,308.62 元）",
		`<span class="light RED">红色预警</span>`, "background: #FFC7CE"} {
		if !strings.Contains(page, want) {
			t.Errorf("html lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, "<b>") {
		t.Errorf("html carries a name's markup:\n%s", page)
	}
}
