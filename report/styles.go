package report

import (
	"fmt"

	"github.com/xuri/excelize/v2"

	"fundhub"
)

// Fill colours of the warning levels, as spreadsheets show good, neutral
// and bad: red for red, amber for yellow, green for none. The font colour
// beside each keeps the text readable on it.
var warningColours = map[fundhub.WarningLevel][2]string{
	fundhub.WarningRed:    {"FFC7CE", "9C0006"},
	fundhub.WarningYellow: {"FFEB9C", "9C5700"},
	fundhub.WarningNone:   {"C6EFCE", "006100"},
}

// WarningFill returns the fill colour (RRGGBB) cells of level are shaded
// with, so that a reader of the workbook can check them.
func WarningFill(level fundhub.WarningLevel) string { return warningColours[level][0] }

// Number formats: yuan and 万元 with two decimals and thousands separators,
// rates in per cent, gaps in percentage points, changes with their sign.
const (
	formatMoney   = "#,##0.00"
	formatPercent = "0.00%"
	formatPoints  = "0.00"
	formatChange  = "+0.00%;-0.00%;0.00%"
	formatDate    = "yyyy-mm-dd"
	formatCount   = "#,##0"
)

// styles are the style ids of one workbook.
type styles struct {
	title, note, section, header, text, wrap         int
	money, wan, percent, points, change, date, count int
	warning                                          map[fundhub.WarningLevel]int
}

var thin = []excelize.Border{{Type: "left", Color: "BFBFBF", Style: 1},
	{Type: "right", Color: "BFBFBF", Style: 1}, {Type: "top", Color: "BFBFBF", Style: 1},
	{Type: "bottom", Color: "BFBFBF", Style: 1}}

// newStyles registers the workbook's styles.
func newStyles(f *excelize.File) (*styles, error) {
	st := &styles{warning: map[fundhub.WarningLevel]int{}}
	numbers := []struct {
		id     *int
		format string
	}{{&st.money, formatMoney}, {&st.wan, formatMoney}, {&st.percent, formatPercent},
		{&st.points, formatPoints}, {&st.change, formatChange}, {&st.date, formatDate},
		{&st.count, formatCount}}
	for _, n := range numbers {
		format := n.format
		if err := add(f, n.id, &excelize.Style{Border: thin, CustomNumFmt: &format}); err != nil {
			return nil, err
		}
	}

	center := &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}
	plain := []struct {
		id    *int
		style *excelize.Style
	}{
		{&st.title, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}},
		{&st.note, &excelize.Style{Font: &excelize.Font{Italic: true, Color: "595959"}}},
		{&st.section, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 12}}},
		{&st.header, &excelize.Style{Font: &excelize.Font{Bold: true}, Border: thin,
			Alignment: center, Fill: excelize.Fill{Type: "pattern", Pattern: 1,
				Color: []string{"DDEBF7"}}}},
		{&st.text, &excelize.Style{Border: thin}},
		{&st.wrap, &excelize.Style{Border: thin, Alignment: &excelize.Alignment{
			WrapText: true, Vertical: "top"}}},
	}
	for _, p := range plain {
		if err := add(f, p.id, p.style); err != nil {
			return nil, err
		}
	}

	for level, c := range warningColours {
		id := 0
		err := add(f, &id, &excelize.Style{Border: thin, Alignment: center,
			Font: &excelize.Font{Bold: true, Color: c[1]},
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c[0]}}})
		if err != nil {
			return nil, err
		}
		st.warning[level] = id
	}

	return st, nil
}

func add(f *excelize.File, id *int, s *excelize.Style) error {
	var err error
	if *id, err = f.NewStyle(s); err != nil {
		return fmt.Errorf("adding a workbook style: %w", err)
	}

	return nil
}
