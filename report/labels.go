// Package report writes the quarterly progress report of a region: an XLSX
// workbook for the officials who file and check the figures, and a short
// written summary in Markdown and HTML. It formats what the store read; it
// reads nothing itself, and computes no money in floating point.
package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"fundhub"
)

// Labels the officials read, in their own words (see the glossary).
var (
	warningLabels = map[fundhub.WarningLevel]string{
		fundhub.WarningRed: "红色", fundhub.WarningYellow: "黄色", fundhub.WarningNone: "绿色",
	}
	categoryLabels = map[fundhub.FundCategory]string{
		fundhub.CategoryCentral: "中央财政专项", fundhub.CategoryLocal: "地方财政专项",
		fundhub.CategorySocial: "社会资金",
	}
	sourceLabels = map[fundhub.FundSource]string{
		fundhub.SourceCentralTransfer:  "中央财政直接下达",
		fundhub.SourceProvinceMatch:    "省级财政筹措",
		fundhub.SourceCityMatch:        "市级财政筹措",
		fundhub.SourceCountyMatch:      "县级财政筹措",
		fundhub.SourceResponsibleParty: "责任人出资",
		fundhub.SourceSocialInvestment: "社会组织或市场主体出资",
	}
	reserveLabels = map[fundhub.ReserveStatus]string{
		fundhub.ReserveApplied: "已申报", fundhub.ReserveFiled: "已备案",
		fundhub.ReserveAdmitted: "已入库", fundhub.ReserveFunded: "已安排资金",
		fundhub.ReserveInProgress: "实施中", fundhub.ReserveCompleted: "已完工",
		fundhub.ReserveAdjusted: "已调整", fundhub.ReserveTerminated: "已终止",
		fundhub.ReserveWithdrawn: "已撤回",
	}
	problemKindLabels = map[string]string{
		"SLOW_PAYMENT": "资金支付缓慢", "SLOW_PROGRESS": "绩效目标进展不畅",
		"UNAPPROVED_CHANGE": "擅自调整终止项目", "MISUSE": "挪用套取财政资金",
		"DATA_INCONSISTENCY": "数据不一致", "OUT_OF_RESERVE": "项目库外安排资金",
		"LATE": "逾期未办", "OTHER": "其他",
	}
	severityLabels = map[string]string{
		"INFO": "提示", "MINOR": "一般", "MAJOR": "重大", "CRITICAL": "特别重大",
	}
	laggingKindLabels = map[fundhub.LaggingKind]string{
		fundhub.LaggingProject: "项目", fundhub.LaggingRegion: "下级地区",
	}
	statusLabels = map[string]string{
		"OPEN": "待处理", "ACKNOWLEDGED": "处理中", "RESOLVED": "已解决", "CLOSED": "已关闭",
	}
)

// label returns the label of v, or v itself for a value added after these
// lists were written.
func label[K ~string](labels map[K]string, v K) string {
	if l, ok := labels[v]; ok {
		return l
	}

	return string(v)
}

// Filename is the name a report downloads under: 330000-2024Q2.xlsx.
func Filename(region string, q fundhub.Quarter, ext string) string {
	return fmt.Sprintf("%s-%s.%s", region, q, ext)
}

// Title is the report's heading: 浙江省2024年第2季度资金监测进度报告.
func Title(rep *fundhub.QuarterlyReport) string {
	return fmt.Sprintf("%s%d年第%d季度资金监测进度报告", rep.Region.Name, rep.Quarter.Year,
		rep.Quarter.Quarter)
}

// yuan writes an amount in yuan with thousands separators: 1,234,567.89.
func yuan(d decimal.Decimal) string { return grouped(d.StringFixed(2)) }

// wan writes an amount in 万元 with two decimals: 123.46. Moving the point
// is exact; only the display rounds.
func wan(d decimal.Decimal) string { return grouped(d.Shift(-4).StringFixed(2)) }

// grouped puts thousands separators into a fixed-point number.
func grouped(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteString("." + frac)
	}

	return sign + b.String()
}

// percent writes a rate in per cent, "—" when there is none.
func percent(rate *decimal.Decimal) string {
	if rate == nil {
		return "—"
	}

	return rate.StringFixed(2) + "%"
}

// gapText says how far execution trails (or leads) time progress.
func gapText(p fundhub.TimeProgress) string {
	switch {
	case p.Gap == nil:
		return "无下达资金，不计进度差距"
	case p.Gap.IsPositive():
		return fmt.Sprintf("落后序时进度 %s 个百分点", p.Gap.StringFixed(2))
	case p.Gap.IsNegative():
		return fmt.Sprintf("快于序时进度 %s 个百分点", p.Gap.Neg().StringFixed(2))
	}

	return "与序时进度持平"
}

// pointsText says how a rate moved, in percentage points.
func pointsText(now, before *decimal.Decimal) string {
	if now == nil || before == nil {
		return "无可比执行率"
	}
	d := now.Sub(*before)
	switch {
	case d.IsPositive():
		return fmt.Sprintf("提高 %s 个百分点", d.StringFixed(2))
	case d.IsNegative():
		return fmt.Sprintf("下降 %s 个百分点", d.Neg().StringFixed(2))
	}

	return "持平"
}

// chinaTime is the zone officials read times in.
var chinaTime = time.FixedZone("CST", 8*60*60)

// dateText writes a day as 2024年6月30日.
func dateText(t time.Time) string {
	return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
}
