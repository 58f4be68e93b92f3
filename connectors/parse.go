package connectors

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// ErrEmpty is what ParseAmount and ParseDate return, unwrapped, for a value
// that holds nothing but spaces. Test for it with errors.Is to skip blank
// cells when a blank is allowed.
var ErrEmpty = errors.New("empty value")

// The units of ParseAmount: the unit a column is written in when its cells
// carry no suffix.
const (
	// UnitYuan is 元.
	UnitYuan = "yuan"
	// UnitWan is 万元, 10,000 yuan.
	UnitWan = "wan"
	// UnitYi is 亿元, 100,000,000 yuan.
	UnitYi = "yi"
)

// significantDigits is the precision of a spreadsheet number. Longer numbers
// are the binary noise of a stored float (1.0349999999999999 for 1.035).
const significantDigits = 15

var unitFactors = map[string]decimal.Decimal{
	UnitYuan: decimal.NewFromInt(1),
	UnitWan:  decimal.NewFromInt(10_000),
	UnitYi:   decimal.NewFromInt(100_000_000),
}

// unitSuffixes is ordered so that a longer suffix is tried before its tail.
var unitSuffixes = []struct{ text, unit string }{
	{"万元", UnitWan},
	{"亿元", UnitYi},
	{"元", UnitYuan},
	{"万", UnitWan},
	{"亿", UnitYi},
}

// ParseAmount reads an amount of money as people write it in Chinese
// government spreadsheets and returns it in yuan, exactly.
//
// unit is UnitYuan, UnitWan or UnitYi: the unit of the column. A suffix 元,
// 万, 万元, 亿 or 亿元 on the value overrides it, so "1.5亿" is 150,000,000
// yuan whatever the unit. Full-width digits and punctuation are read as
// their ASCII forms; commas and spaces inside the number are dropped wherever
// they are; a leading + or -, or parentheses around the number, give its
// sign. An exponent (1.5E-2) is accepted, as spreadsheets store one. Like a
// spreadsheet, ParseAmount keeps 15 significant digits: a longer number is
// rounded to 15 before scaling, which turns a stored float such as
// 1.0349999999999999 back into 1.035.
//
// A blank value returns ErrEmpty; a percentage, text, or a second decimal
// point returns an error that quotes the value.
func ParseAmount(s, unit string) (decimal.Decimal, error) {
	factor, ok := unitFactors[unit]
	if !ok {
		return decimal.Decimal{}, fmt.Errorf("unknown unit %q, want yuan, wan or yi", unit)
	}

	text := strings.TrimSpace(foldWidth(s))
	if text == "" {
		return decimal.Decimal{}, ErrEmpty
	}

	number, err := parseAmountText(text, factor)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("amount %q: %w", s, err)
	}

	return number, nil
}

// parseAmountText reads a folded, trimmed, non-empty amount in yuan.
func parseAmountText(text string, factor decimal.Decimal) (decimal.Decimal, error) {
	text, factor, suffixed := cutUnitSuffix(text, factor)

	negative, body, err := cutSign(text)
	if err != nil {
		return decimal.Decimal{}, err
	}

	if !suffixed {
		body, factor, _ = cutUnitSuffix(body, factor)
	}

	number, err := parseNumber(body)
	if err != nil {
		return decimal.Decimal{}, err
	}

	if negative {
		number = number.Neg()
	}

	return number.Mul(factor), nil
}

// cutUnitSuffix removes a unit suffix from text and returns the factor it
// names, or factor unchanged when there is none.
func cutUnitSuffix(text string, factor decimal.Decimal) (string, decimal.Decimal, bool) {
	for _, suffix := range unitSuffixes {
		if rest, ok := strings.CutSuffix(text, suffix.text); ok {
			return strings.TrimSpace(rest), unitFactors[suffix.unit], true
		}
	}

	return text, factor, false
}

// cutSign removes the sign of an amount: parentheses around it, or a leading
// + or -.
func cutSign(text string) (negative bool, body string, err error) {
	if inner, ok := strings.CutPrefix(text, "("); ok {
		inner, closed := strings.CutSuffix(inner, ")")
		if !closed {
			return false, "", errors.New("unbalanced parentheses")
		}

		inner = strings.TrimSpace(inner)
		if strings.HasPrefix(inner, "-") || strings.HasPrefix(inner, "+") {
			return false, "", errors.New("sign inside parentheses")
		}

		return true, inner, nil
	}

	if rest, ok := strings.CutPrefix(text, "-"); ok {
		return true, strings.TrimSpace(rest), nil
	}

	return false, strings.TrimSpace(strings.TrimPrefix(text, "+")), nil
}

// parseNumber reads an unsigned number, dropping the commas and spaces in it.
func parseNumber(text string) (decimal.Decimal, error) {
	digits := strings.Map(dropSeparator, text)

	mantissa, exponent, hasExponent := strings.Cut(strings.ToLower(digits), "e")
	if err := checkMantissa(mantissa); err != nil {
		return decimal.Decimal{}, err
	}

	if hasExponent {
		if err := checkExponent(exponent); err != nil {
			return decimal.Decimal{}, err
		}
	}

	number, err := decimal.NewFromString(digits)
	if err != nil {
		return decimal.Decimal{}, errors.New("not a number")
	}

	return roundSignificant(number), nil
}

// dropSeparator is a strings.Map function removing thousands separators.
func dropSeparator(r rune) rune {
	if r == ',' || unicode.IsSpace(r) {
		return -1
	}

	return r
}

// checkMantissa accepts digits with at most one decimal point.
func checkMantissa(text string) error {
	points, digits := 0, 0
	for _, r := range text {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '.':
			points++
		case r == '%':
			return errors.New("a percentage is not an amount")
		default:
			return fmt.Errorf("unexpected %q", r)
		}
	}

	if points > 1 {
		return errors.New("more than one decimal point")
	}

	if digits == 0 {
		return errors.New("no digits")
	}

	return nil
}

// checkExponent accepts a signed exponent of one to three digits.
func checkExponent(text string) error {
	unsigned := strings.TrimLeft(text, "+-")
	if len(text)-len(unsigned) > 1 || len(unsigned) == 0 || len(unsigned) > 3 {
		return fmt.Errorf("bad exponent %q", text)
	}

	for _, r := range unsigned {
		if r < '0' || r > '9' {
			return fmt.Errorf("bad exponent %q", text)
		}
	}

	return nil
}

// roundSignificant rounds d to significantDigits significant digits.
func roundSignificant(d decimal.Decimal) decimal.Decimal {
	digits := len(d.Coefficient().String())
	if d.IsNegative() {
		digits--
	}

	if digits <= significantDigits {
		return d
	}

	return d.Round(-d.Exponent() - int32(digits-significantDigits))
}

// excelEpoch is day 0 of the 1900 date system for serials from 61 on; serials
// before 60 count from one day later, because the system counts 1900-02-29.
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// maxSerial is 9999-12-31, the last day a spreadsheet can hold.
const maxSerial = 2958465

// clockLayouts are the times of day ParseDate accepts, and drops, after a
// date. Fractional seconds are accepted by time.Parse itself.
var clockLayouts = []string{"15:04:05Z07:00", "15:04:05Z0700", "15:04:05", "15:04"}

// ParseDate reads a date as people and spreadsheets write it and returns it
// at midnight UTC.
//
// It accepts 2024-05-12, 2024/5/12, 2024.5.12, 2024年5月12日, 20240512, any of
// the separated forms followed by a time of day after "T" or a space (the
// time and any zone are dropped: the date is kept as written), and a
// spreadsheet serial number in the 1900 date system, with or without a
// fraction of a day: 45424 is 2024-05-12. The 1900 system counts a 29
// February 1900 that never was, serial 60, which is an error; serials before
// it are one day later than the count suggests. Year comes first: 5/12/2024
// is an error. A blank value returns ErrEmpty.
func ParseDate(s string) (time.Time, error) {
	text := strings.TrimSpace(foldWidth(s))
	if text == "" {
		return time.Time{}, ErrEmpty
	}

	date, err := parseDateText(text)
	if err != nil {
		return time.Time{}, fmt.Errorf("date %q: %w", s, err)
	}

	return date, nil
}

// parseDateText tells the forms of a folded, trimmed, non-empty date apart.
func parseDateText(text string) (time.Time, error) {
	whole, fraction, hasFraction := strings.Cut(text, ".")
	if isDigits(whole) && (!hasFraction || isDigits(fraction)) {
		if len(whole) == 8 && !hasFraction {
			return makeDate(whole[:4], whole[4:6], whole[6:])
		}

		return fromSerial(whole)
	}

	if strings.Contains(text, "年") {
		text = chineseDate.Replace(strings.Join(strings.Fields(text), ""))
	}

	date, clock, hasClock := strings.Cut(text, " ")
	if !hasClock {
		date, clock, hasClock = strings.Cut(text, "T")
	}

	if hasClock && !isClock(strings.TrimSpace(clock)) {
		return time.Time{}, fmt.Errorf("bad time of day %q", clock)
	}

	return separatedDate(date)
}

// chineseDate turns 2024年5月12日 into 2024-5-12.
var chineseDate = strings.NewReplacer("年", "-", "月", "-", "日", " ", "号", " ")

// isClock reports whether text is a time of day in one of clockLayouts.
func isClock(text string) bool {
	if text == "" {
		return true
	}

	for _, layout := range clockLayouts {
		if _, err := time.Parse(layout, text); err == nil {
			return true
		}
	}

	return false
}

// separatedDate reads year, month and day separated by "-", "/" or ".".
func separatedDate(text string) (time.Time, error) {
	sep := strings.IndexFunc(text, func(r rune) bool { return r < '0' || r > '9' })
	if sep != 4 || !strings.ContainsRune("-/.", rune(text[sep])) {
		return time.Time{}, errors.New("unrecognized date, want year first as in 2024-05-12")
	}

	parts := strings.Split(text, text[sep:sep+1])
	if len(parts) != 3 || !isDayOrMonth(parts[1]) || !isDayOrMonth(parts[2]) {
		return time.Time{}, errors.New("unrecognized date, want year first as in 2024-05-12")
	}

	return makeDate(parts[0], parts[1], parts[2])
}

// makeDate checks that year, month and day name a real day.
func makeDate(year, month, day string) (time.Time, error) {
	y, errY := strconv.Atoi(year)
	m, errM := strconv.Atoi(month)
	d, errD := strconv.Atoi(day)
	if errors.Join(errY, errM, errD) != nil || !isDigits(year+month+day) {
		return time.Time{}, errors.New("year, month and day must be numbers")
	}

	date := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if y < 1 || date.Year() != y || date.Month() != time.Month(m) || date.Day() != d {
		return time.Time{}, fmt.Errorf("no such day %04d-%02d-%02d", y, m, d)
	}

	return date, nil
}

// fromSerial converts a 1900-system spreadsheet serial number to a date.
func fromSerial(whole string) (time.Time, error) {
	n, err := strconv.Atoi(whole)
	if err != nil || n < 1 || n > maxSerial {
		return time.Time{}, fmt.Errorf("serial %s out of range 1 to %d", whole, maxSerial)
	}

	switch {
	case n == 60:
		return time.Time{}, errors.New("serial 60 is 1900-02-29, a day that never was")
	case n < 60:
		return excelEpoch.AddDate(0, 0, n+1), nil
	}

	return excelEpoch.AddDate(0, 0, n), nil
}

// isDayOrMonth reports whether text is one or two digits.
func isDayOrMonth(text string) bool {
	return len(text) <= 2 && isDigits(text)
}

// isDigits reports whether text is one or more ASCII digits.
func isDigits(text string) bool {
	for _, r := range text {
		if r < '0' || r > '9' {
			return false
		}
	}

	return text != ""
}

// NormalizeText folds a header text for comparison: it removes byte order
// marks and zero-width spaces, reads full-width ASCII (Ａ, １, （, ，) as
// ASCII, trims all spaces including the ideographic space U+3000 and
// no-break spaces, and collapses each run of spaces, tabs and line breaks
// inside it: to nothing when the run touches a CJK character ("地 区" and
// "合计\n(万元)" become "地区" and "合计(万元)"), else to one space. Letter
// case is kept.
func NormalizeText(s string) string {
	fields := strings.Fields(foldWidth(s))
	if len(fields) == 0 {
		return ""
	}

	var b strings.Builder
	b.WriteString(fields[0])
	for i, field := range fields[1:] {
		before, _ := utf8.DecodeLastRuneInString(fields[i])
		after, _ := utf8.DecodeRuneInString(field)
		if !isCJK(before) && !isCJK(after) {
			b.WriteByte(' ')
		}

		b.WriteString(field)
	}

	return b.String()
}

// isCJK reports whether r is a Han character or CJK punctuation.
func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) ||
		(r >= 0x3000 && r <= 0x303F) ||
		(r >= 0xFF00 && r <= 0xFFEF)
}

// foldWidth reads full-width ASCII as ASCII, the ideographic and no-break
// spaces as a space, the minus sign as a hyphen, and drops byte order marks
// and zero-width spaces.
func foldWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			return r - 0xFEE0
		case r == 0x3000 || r == 0x00A0 || r == 0x202F:
			return ' '
		case r == 0x2212:
			return '-'
		case r == 0xFEFF || r == 0x200B:
			return -1
		}

		return r
	}, s)
}
