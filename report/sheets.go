package report

import (
	"context"
	"fmt"

	"github.com/xuri/excelize/v2"

	"fundhub"
)

// lineHeader heads the lines of the summary sheet; lineCells fills them.
var lineHeader = []string{"下达（元）", "下达（万元）", "到位（元）", "支付（元）",
	"支付（万元）", "执行率", "到位率", "序时进度", "差距（百分点）", "预警",
	"绩效目标完成率", "项目数"}

var lineWidths = []float64{26, 18, 14, 18, 18, 14, 10, 10, 10, 12, 8, 14, 8}

func (b *book) lineCells(name string, l *fundhub.QuarterlyLine) []any {
	return []any{b.text(name), b.money(l.Allocated), wanOf{"B", l.Allocated},
		b.money(l.Received), b.money(l.Paid), wanOf{"E", l.Paid},
		b.percent(l.ExecutionRate), b.percent(l.ReceivedRate),
		b.percent(&l.Progress.Elapsed), b.points(l.Progress.Gap),
		b.warning(l.Progress.Warning), b.percent(l.TargetCompletionRate),
		b.count(l.ProjectCount)}
}

// summary writes the region's figures now and a quarter before, what
// changed, the counts of lagging items and problems, and the breakdowns by
// direction and by the regions below.
func (b *book) summary() error {
	s, err := b.open(SheetSummary, lineWidths, 4)
	if err != nil {
		return err
	}
	if err := b.summaryHead(s); err != nil {
		return err
	}
	if err := b.summaryTotals(s); err != nil {
		return err
	}

	for _, part := range []struct {
		title, first string
		lines        []*fundhub.QuarterlyLine
	}{
		{"按资金方向", "方向", b.rep.ByDirection},
		{"按下级地区", "地区", b.rep.ByRegion},
	} {
		if len(part.lines) == 0 {
			continue
		}
		s.row++
		if err := s.add(excelize.Cell{StyleID: b.st.section, Value: part.title}); err != nil {
			return err
		}
		if err := s.header(append([]string{part.first}, lineHeader...)...); err != nil {
			return err
		}
		for _, l := range part.lines {
			name := l.Name
			if l.Own {
				name += "本级"
			}
			if err := s.add(b.lineCells(name, l)...); err != nil {
				return err
			}
		}
	}

	return s.close()
}

// summaryHead writes the title, what the figures cover, and the header.
func (b *book) summaryHead(s *sheet) error {
	rep := b.rep
	note := fmt.Sprintf("资金年度 %d；截至 %s，上季末 %s；序时进度按 %s 计；"+
		"金额单位：元，万元列为元÷10000", rep.Quarter.Year, rep.Quarter.End().Format("2006-01-02"),
		rep.Quarter.Prev().End().Format("2006-01-02"), rep.Day.Format("2006-01-02"))
	if err := s.add(excelize.Cell{StyleID: b.st.title, Value: Title(rep)}); err != nil {
		return err
	}
	if err := s.add(excelize.Cell{StyleID: b.st.note, Value: note}); err != nil {
		return err
	}
	for _, row := range []int{1, 2} {
		from, to := fmt.Sprintf("A%d", row), fmt.Sprintf("M%d", row)
		if err := s.sw.MergeCell(from, to); err != nil {
			return fmt.Errorf("merging row %d of the summary: %w", row, err)
		}
	}
	s.row++

	return s.header(append([]string{"项目"}, lineHeader...)...)
}

// summaryTotals writes the region's lines now and a quarter before, the
// change between them, and the counts.
func (b *book) summaryTotals(s *sheet) error {
	rep := b.rep
	now, before := &rep.Current, &rep.Previous
	rows := [][]any{
		b.lineCells(fmt.Sprintf("本季末（%s）", rep.Quarter), now),
		b.lineCells(fmt.Sprintf("上季末（%s）", rep.Quarter.Prev()), before),
		{b.text("本季变化"), b.money(now.Allocated.Sub(before.Allocated)),
			wanOf{"B", now.Allocated.Sub(before.Allocated)},
			b.money(now.Received.Sub(before.Received)), b.money(now.Paid.Sub(before.Paid)),
			wanOf{"E", now.Paid.Sub(before.Paid)},
			b.change(now.ExecutionRate, before.ExecutionRate),
			b.change(now.ReceivedRate, before.ReceivedRate)},
		nil,
	}
	lagging, newly := rep.LaggingProjects()
	for _, c := range []struct {
		name string
		n    int
	}{{"滞后项目（个）", lagging}, {"其中本季新增滞后项目（个）", newly},
		{"滞后下级地区（个）", rep.LaggingRegions()}, {"有资金的项目（个）", rep.Projects},
		{"未办结问题（个）", len(rep.Problems)}} {
		rows = append(rows, []any{b.text(c.name), b.count(c.n)})
	}

	for _, r := range rows {
		if err := s.add(r...); err != nil {
			return err
		}
	}

	return nil
}

// allocations streams the allocations into the region's subtree.
func (b *book) allocations(ctx context.Context, rows Rows) error {
	s, err := b.open(SheetAllocations,
		[]float64{8, 30, 14, 20, 20, 14, 14, 26, 22, 18, 14, 12, 12}, 1)
	if err != nil {
		return err
	}
	if err := s.header("编号", "资金名称", "资金类别", "方向", "资金来源", "下达地区",
		"接收地区", "项目", "文号", "金额（元）", "金额（万元）", "下达日期",
		"到位日期"); err != nil {
		return err
	}

	err = rows.EachAllocation(ctx, func(a *fundhub.QuarterlyAllocation) error {
		return s.add(b.count(int(a.ID)), b.text(a.FundName),
			b.text(label(categoryLabels, a.FundCategory)), b.text(a.DirectionName),
			b.text(label(sourceLabels, a.Source)), b.text(a.FromName), b.text(a.ToName),
			b.optText(a.ProjectName), b.optText(a.DocumentNo), b.money(a.Amount),
			wanOf{"J", a.Amount}, b.date(a.IssuedOn), b.date(a.ReceivedOn))
	})
	if err != nil {
		return fmt.Errorf("writing the allocations: %w", err)
	}

	return s.close()
}

// projects streams the execution of every project with money.
func (b *book) projects(ctx context.Context, rows Rows) error {
	s, err := b.open(SheetProjects,
		[]float64{16, 30, 14, 20, 12, 18, 14, 18, 14, 10, 10, 12, 8, 10}, 1)
	if err != nil {
		return err
	}
	if err := s.header("项目编码", "项目名称", "所在地区", "方向", "储备状态", "下达（元）",
		"下达（万元）", "支付（元）", "支付（万元）", "执行率", "序时进度", "差距（百分点）",
		"预警", "上季末预警"); err != nil {
		return err
	}

	err = rows.EachProject(ctx, func(p *fundhub.ProjectExecution) error {
		return s.add(b.optText(p.Code), b.text(p.Name), b.text(p.RegionName),
			b.text(p.DirectionName), b.text(label(reserveLabels, p.ReserveStatus)),
			b.money(p.Allocated), wanOf{"F", p.Allocated}, b.money(p.Paid),
			wanOf{"H", p.Paid}, b.percent(p.ExecutionRate),
			b.percent(&p.Progress.Elapsed), b.points(p.Progress.Gap),
			b.warning(p.Progress.Warning), b.warning(p.PreviousWarning))
	})
	if err != nil {
		return fmt.Errorf("writing the execution by project: %w", err)
	}

	return s.close()
}

// lagging writes the projects and regions below that trail time progress.
func (b *book) lagging() error {
	s, err := b.open(SheetLagging, []float64{10, 16, 30, 14, 18, 18, 10, 10, 12, 8, 10}, 1)
	if err != nil {
		return err
	}
	if err := s.header("类别", "编码", "名称", "所在地区", "下达（元）", "支付（元）",
		"执行率", "序时进度", "差距（百分点）", "预警", "本季新增"); err != nil {
		return err
	}

	for _, l := range b.rep.Lagging {
		isNew := ""
		if l.New {
			isNew = "是"
		}
		err := s.add(b.text(label(laggingKindLabels, l.Kind)), b.text(l.Code), b.text(l.Name),
			b.text(l.RegionName), b.money(l.Allocated), b.money(l.Paid),
			b.percent(l.Progress.ExecutionRate), b.percent(&l.Progress.Elapsed),
			b.points(l.Progress.Gap), b.warning(l.Progress.Warning), b.text(isNew))
		if err != nil {
			return err
		}
	}

	return s.close()
}

// problems writes the open problems, the most severe first.
func (b *book) problems() error {
	s, err := b.open(SheetProblems, []float64{8, 16, 10, 10, 14, 26, 30, 50, 18, 8}, 1)
	if err != nil {
		return err
	}
	if err := s.header("编号", "类别", "严重程度", "状态", "地区", "项目", "标题", "详情",
		"提出时间", "已报部"); err != nil {
		return err
	}

	for _, p := range b.rep.Problems {
		escalated := ""
		if p.Escalated {
			escalated = "是"
		}
		err := s.add(b.count(int(p.ID)), b.text(label(problemKindLabels, p.Kind)),
			b.text(label(severityLabels, p.Severity)), b.text(label(statusLabels, p.Status)),
			b.text(p.RegionName), b.optText(p.ProjectName), b.text(p.Title),
			excelize.Cell{StyleID: b.st.wrap, Value: p.Detail},
			b.text(p.RaisedAt.In(chinaTime).Format("2006-01-02 15:04")), b.text(escalated))
		if err != nil {
			return err
		}
	}

	return s.close()
}
