package report

import (
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/shopspring/decimal"

	"fundhub"
)

// maxListed is how many lagging items a written summary names; the
// workbook lists them all.
const maxListed = 10

// summary is what the written summary says, worked out once for Markdown
// and HTML. Names stay raw here: each format escapes them its own way.
type summary struct {
	Title, Scope          string
	Money, Progress       string
	Warning               fundhub.WarningLevel
	WarningText           string
	Targets, Counts       string
	Changes               []string
	NewLagging            string
	NewNames              []string
	MoreNew               int
	Lagging               []laggingLine
	MoreLagging, AllItems int
}

type laggingLine struct {
	Warning                 fundhub.WarningLevel
	WarningText, Name, Note string
	Rate, Gap               string
}

func newSummary(rep *fundhub.QuarterlyReport) *summary {
	now, before := &rep.Current, &rep.Previous
	lagging, newly := rep.LaggingProjects()
	s := &summary{Title: Title(rep),
		Scope: fmt.Sprintf("资金年度 %d，数据截至%s，序时进度按%s计。", rep.Quarter.Year,
			dateText(rep.Quarter.End()), dateText(rep.Day)),
		Money: fmt.Sprintf("下达资金 %s，到位 %s，已支付 %s。", amount(now.Allocated),
			amount(now.Received), amount(now.Paid)),
		Progress: fmt.Sprintf("执行率 %s，序时进度 %s，%s", percent(now.ExecutionRate),
			percent(&now.Progress.Elapsed), gapText(now.Progress)),
		Warning:     now.Progress.Warning,
		WarningText: warningText(now.Progress.Warning),
		Targets:     "暂无可考核的绩效目标。",
		Counts: fmt.Sprintf("滞后项目 %d 个，滞后下级地区 %d 个，未办结问题 %d 个。", lagging,
			rep.LaggingRegions(), len(rep.Problems)),
		Changes: []string{
			fmt.Sprintf("本季支付 %s，新下达 %s。", amount(now.Paid.Sub(before.Paid)),
				amount(now.Allocated.Sub(before.Allocated))),
			fmt.Sprintf("执行率 %s，较上季末 %s %s。", percent(now.ExecutionRate),
				percent(before.ExecutionRate), pointsText(now.ExecutionRate,
					before.ExecutionRate)),
		},
		AllItems: len(rep.Lagging),
	}
	if r := now.TargetCompletionRate; r != nil {
		s.Targets = fmt.Sprintf("绩效目标完成率 %s（%d 项目标）。", percent(r), now.TargetCount)
	}
	s.NewLagging = fmt.Sprintf("新增滞后项目 %d 个", newly)
	s.lagging(rep)

	return s
}

// lagging lists the first lagging items and the names of the newly
// lagging projects.
func (s *summary) lagging(rep *fundhub.QuarterlyReport) {
	for _, l := range rep.Lagging {
		if l.New {
			if len(s.NewNames) < maxListed {
				s.NewNames = append(s.NewNames, l.Name)
			} else {
				s.MoreNew++
			}
		}
		if len(s.Lagging) == maxListed {
			s.MoreLagging++
			continue
		}
		note := []string{label(laggingKindLabels, l.Kind)}
		if l.Kind == fundhub.LaggingProject && l.RegionName != "" {
			note = append(note, l.RegionName)
		}
		if l.New {
			note = append(note, "本季新增")
		}
		s.Lagging = append(s.Lagging, laggingLine{Warning: l.Progress.Warning,
			WarningText: warningText(l.Progress.Warning), Name: l.Name,
			Note: strings.Join(note, "，"), Rate: percent(l.Progress.ExecutionRate),
			Gap: gapText(l.Progress)})
	}
}

// amount writes money in 万元 with the exact yuan beside it.
func amount(d decimal.Decimal) string {
	return fmt.Sprintf("%s 万元（%s 元）", wan(d), yuan(d))
}

func warningText(w fundhub.WarningLevel) string {
	if w == fundhub.WarningNone {
		return "绿色（未预警）"
	}

	return label(warningLabels, w) + "预警"
}

// Markdown writes the report's written summary in Markdown. Names from the
// data are escaped, so a name cannot add links, markup or raw HTML.
func Markdown(rep *fundhub.QuarterlyReport) string {
	s := newSummary(rep)
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }

	line("# %s\n", mdEscape(s.Title))
	line("%s\n", s.Scope)
	line("## 主要指标\n")
	line("- %s", s.Money)
	line("- %s，**%s**。", s.Progress, s.WarningText)
	line("- %s", s.Targets)
	line("- %s\n", s.Counts)
	line("## 较上季度变化\n")
	for _, c := range s.Changes {
		line("- %s", c)
	}
	line("- %s%s\n", s.NewLagging, namesText(s, mdEscape))
	if len(s.Lagging) > 0 {
		line("## 滞后事项\n")
		for _, l := range s.Lagging {
			line("- %s · %s（%s）：执行率 %s，%s。", l.WarningText, mdEscape(l.Name),
				mdEscape(l.Note), l.Rate, l.Gap)
		}
		if s.MoreLagging > 0 {
			line("\n共 %d 项，另 %d 项见工作簿“滞后事项”表。", s.AllItems, s.MoreLagging)
		}
	}

	return b.String()
}

// namesText ends the newly-lagging sentence: "：甲、乙。" or "。".
func namesText(s *summary, escape func(string) string) string {
	if len(s.NewNames) == 0 {
		return "。"
	}
	names := make([]string, len(s.NewNames))
	for i, n := range s.NewNames {
		names[i] = escape(n)
	}
	more := ""
	if s.MoreNew > 0 {
		more = fmt.Sprintf("等（另 %d 个）", s.MoreNew)
	}

	return "：" + strings.Join(names, "、") + more + "。"
}

// mdEscape escapes every ASCII punctuation mark, which CommonMark reads as
// literal when escaped, and folds line breaks, so a name stays text.
func mdEscape(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c == '\n' || c == '\r':
			b.WriteByte(' ')
		case c < 0x80 && strings.ContainsRune("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", c):
			b.WriteByte('\\')
			b.WriteRune(c)
		default:
			b.WriteRune(c)
		}
	}

	return b.String()
}

// WriteHTML writes the report's written summary as a standalone HTML page.
// html/template escapes every name; warnings are coloured as in the
// workbook.
func WriteHTML(w io.Writer, rep *fundhub.QuarterlyReport) error {
	s := newSummary(rep)
	data := struct {
		*summary
		NamesText string
		Style     template.CSS
	}{s, namesText(s, func(n string) string { return n }), warningStyle()}
	if err := summaryPage.Execute(w, data); err != nil {
		return fmt.Errorf("writing the summary of %s %s: %w", rep.Region.Code, rep.Quarter, err)
	}

	return nil
}

// warningStyle is the CSS of the warning lights, from the workbook's
// colours (constants of this package, never data).
func warningStyle() template.CSS {
	var b strings.Builder
	for _, level := range []fundhub.WarningLevel{fundhub.WarningRed, fundhub.WarningYellow,
		fundhub.WarningNone} {
		c := warningColours[level]
		fmt.Fprintf(&b, ".%s { background: #%s; color: #%s; }\n", level, c[0], c[1])
	}

	return template.CSS(b.String())
}

var summaryPage = template.Must(template.New("summary").Parse(`<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
body { font-family: sans-serif; max-width: 48em; margin: 2em auto; line-height: 1.6; }
.light { padding: 0 .4em; border-radius: 3px; font-weight: bold; }
{{.Style}}
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p>{{.Scope}}</p>
<h2>主要指标</h2>
<ul>
<li>{{.Money}}</li>
<li>{{.Progress}}，<span class="light {{.Warning}}">{{.WarningText}}</span>。</li>
<li>{{.Targets}}</li>
<li>{{.Counts}}</li>
</ul>
<h2>较上季度变化</h2>
<ul>
{{- range .Changes}}
<li>{{.}}</li>
{{- end}}
<li>{{.NewLagging}}{{.NamesText}}</li>
</ul>
{{- if .Lagging}}
<h2>滞后事项</h2>
<ul>
{{- range .Lagging}}
<li><span class="light {{.Warning}}">{{.WarningText}}</span>
{{.Name}}（{{.Note}}）：执行率 {{.Rate}}，{{.Gap}}。</li>
{{- end}}
</ul>
{{- if .MoreLagging}}
<p>共 {{.AllItems}} 项，另 {{.MoreLagging}} 项见工作簿“滞后事项”表。</p>
{{- end}}
{{- end}}
</body>
</html>
`))
