package fundhub

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// IsTotalLabel reports whether s labels a total row rather than a region:
// 合计, 总计 or 共计 alone, or anything ending in 合计, 总计 or 小计 (地方合计,
// 全国合计). Spaces (合　计), a trailing colon and a note in parentheses
// (合计（万元）, 浙江省（小计）) do not hide a total.
func IsTotalLabel(s string) bool {
	base, note := splitRegionNote(strings.TrimRight(cleanRegionName(s), ":"))

	for _, label := range []string{base + note, base} {
		switch {
		case label == "合计", label == "总计", label == "共计":
			return true
		case strings.HasSuffix(label, "合计"), strings.HasSuffix(label, "总计"),
			strings.HasSuffix(label, "小计"):
			return true
		}
	}

	return false
}

// cleanRegionName drops every space (full-width ones too) and invisible
// mark, and folds full-width ASCII (（, ３) to half-width.
func cleanRegionName(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case unicode.IsSpace(c), c == '\u200b', c == '\ufeff':
			continue
		case c >= 0xFF01 && c <= 0xFF5E:
			c -= 0xFEE0
		}
		b.WriteRune(c)
	}

	return b.String()
}

// splitRegionNote splits a cleaned name ending in a parenthesised note into
// the part before it and the note; a name that is all note is its own base.
func splitRegionNote(s string) (base, note string) {
	open := strings.LastIndexByte(s, '(')
	if open < 0 || !strings.HasSuffix(s, ")") {
		return s, ""
	}

	base, note = s[:open], s[open+1:len(s)-1]
	if base == "" {
		return note, ""
	}

	return base, note
}

// isRegionCode reports whether s is six ASCII digits.
func isRegionCode(s string) bool {
	if len(s) != 6 {
		return false
	}

	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}

	return true
}

// regionSuffix is an administrative suffix that a short name leaves out.
type regionSuffix struct {
	text string
	// ethnic marks the autonomous suffixes, whose stem also drops the ethnic
	// groups before them (广西壮族 → 广西).
	ethnic bool
	// kind is appended to the stem as a second short name (恩施州).
	kind string
	// more lets a shorter suffix apply too (神农架林区 → 神农架, and
	// 万柏林区 → 万柏林, since the text cannot tell them apart).
	more bool
}

// regionSuffixes are tried in order, longest first.
var regionSuffixes = []regionSuffix{
	{text: "特别行政区"},
	{text: "自治区", ethnic: true},
	{text: "自治州", ethnic: true, kind: "州"},
	{text: "自治县", ethnic: true, kind: "县"},
	{text: "自治旗", ethnic: true, kind: "旗"},
	{text: "地区"},
	{text: "特区"},
	{text: "林区", more: true},
	{text: "新区", more: true},
	{text: "省"},
	{text: "市"},
	{text: "盟"},
	{text: "州"},
	{text: "县"},
	{text: "区"},
	{text: "旗"},
}

// regionShortNames returns the short names of a full name: the name without
// its administrative suffix, and without the ethnic groups of an autonomous
// region (恩施土家族苗族自治州 → 恩施州, 恩施). A short name is never shorter
// than two characters; a suffix that would leave less is skipped.
func regionShortNames(name string) []string {
	var out []string
	for _, suf := range regionSuffixes {
		stem, ok := strings.CutSuffix(name, suf.text)
		if !ok || utf8.RuneCountInString(stem) < 2 {
			continue
		}
		if suf.ethnic {
			stem = stripEthnicGroups(stem)
		}

		for _, short := range []string{stem + suf.kind, stem} {
			if !slices.Contains(out, short) {
				out = append(out, short)
			}
		}
		if !suf.more {
			break
		}
	}

	return out
}

// stripEthnicGroups drops the ethnic groups ending stem (积石山保安族东乡族撒拉族
// → 积石山). When nothing would be left, as in 东乡族自治县, it keeps the group
// name without 族 (东乡).
func stripEthnicGroups(stem string) string {
	for {
		next, ok := trimEthnicGroup(stem)
		if !ok {
			return stem
		}

		if utf8.RuneCountInString(next) < 2 {
			bare, cut := strings.CutSuffix(stem, "族")
			if cut && utf8.RuneCountInString(bare) >= 2 {
				return bare
			}
			return stem
		}
		stem = next
	}
}

// trimEthnicGroup removes one ethnic group from the end of stem: "X族" for any
// group, or the bare name of a group of two characters or more (伊犁哈萨克).
func trimEthnicGroup(stem string) (string, bool) {
	for _, g := range ethnicGroups {
		if rest, ok := strings.CutSuffix(stem, g+"族"); ok {
			return rest, true
		}
		if utf8.RuneCountInString(g) < 2 {
			continue
		}
		if rest, ok := strings.CutSuffix(stem, g); ok {
			return rest, true
		}
	}

	return stem, false
}

// ethnicGroups are the 55 minority ethnic groups, without 族.
var ethnicGroups = []string{
	"蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗",
	"瑶", "白", "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山",
	"拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌",
	"布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米", "塔吉克", "怒",
	"乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔", "独龙",
	"鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
}
