package connectors

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func TestParseAmount(t *testing.T) {
	tests := []struct {
		name, in, unit, want string
	}{
		{"plain yuan", "1234.5", UnitYuan, "1234.5"},
		{"spaces around", "  42 ", UnitYuan, "42"},
		{"wan", "12.5", UnitWan, "125000"},
		{"yi exact", "1.035", UnitYi, "103500000"},
		{"thousands commas", "1,234,567.89", UnitYuan, "1234567.89"},
		{"full-width comma", "1，234", UnitWan, "12340000"},
		{"spaces inside", "1 234 567", UnitYuan, "1234567"},
		{"full-width digits", "１２３４．５", UnitYuan, "1234.5"},
		{"ideographic space", "\u3000８\u3000", UnitYuan, "8"},
		{"minus", "-1,234.5", UnitYuan, "-1234.5"},
		{"full-width minus", "－５", UnitWan, "-50000"},
		{"minus sign", "\u22123", UnitYuan, "-3"},
		{"plus", "+7", UnitYuan, "7"},
		{"parentheses", "(1,234.5)", UnitYuan, "-1234.5"},
		{"full-width parentheses", "（1,234.5）", UnitWan, "-12345000"},
		{"suffix yi overrides", "1.5亿", UnitWan, "150000000"},
		{"suffix yi yuan", "2亿元", UnitYuan, "200000000"},
		{"suffix wan", "3万", UnitYi, "30000"},
		{"suffix wan yuan", "3 万元", UnitYuan, "30000"},
		{"suffix yuan", "500元", UnitWan, "500"},
		{"suffix after parentheses", "（1.5）万元", UnitYuan, "-15000"},
		{"suffix inside parentheses", "(1.5万)", UnitYuan, "-15000"},
		{"zero", "0", UnitYi, "0"},
		{"leading point", ".5", UnitWan, "5000"},
		{"exponent", "1.5E-2", UnitWan, "150"},
		{"stored float noise", "1.0349999999999999", UnitYi, "103500000"},
		{"stored float noise small", "0.30000000000000004", UnitYuan, "0.3"},
		{"fifteen digits kept", "123456789012.345", UnitYuan, "123456789012.345"},
		{"loose separators", "12,34", UnitYuan, "1234"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAmount(tt.in, tt.unit)
			if err != nil {
				t.Fatalf("ParseAmount(%q, %q): got error %v, want %s",
					tt.in, tt.unit, err, tt.want)
			}

			if want := decimal.RequireFromString(tt.want); !got.Equal(want) {
				t.Errorf("ParseAmount(%q, %q): got %s, want %s", tt.in, tt.unit, got, want)
			}
		})
	}
}

func TestParseAmount_Errors(t *testing.T) {
	tests := []struct {
		name, in, unit, want string
	}{
		{"text", "abc", UnitYuan, `unexpected 'a'`},
		{"two points", "1.2.3", UnitYuan, "more than one decimal point"},
		{"percent", "12%", UnitYuan, "percentage"},
		{"full-width percent", "12％", UnitYuan, "percentage"},
		{"sign only", "-", UnitYuan, "no digits"},
		{"dash placeholder", "—", UnitYuan, "unexpected"},
		{"unbalanced", "(12", UnitYuan, "unbalanced parentheses"},
		{"sign inside parentheses", "(-12)", UnitYuan, "sign inside parentheses"},
		{"double sign", "--1", UnitYuan, "unexpected '-'"},
		{"bad exponent", "1e+", UnitYuan, "bad exponent"},
		{"huge exponent", "1e9999", UnitYuan, "bad exponent"},
		{"unit suffix only", "万元", UnitYuan, "no digits"},
		{"unknown unit", "1", "qian", `unknown unit "qian"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAmount(tt.in, tt.unit)
			if err == nil {
				t.Fatalf("ParseAmount(%q): got %s, want error containing %q", tt.in, got, tt.want)
			}

			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseAmount(%q): got error %q, want it to contain %q",
					tt.in, err, tt.want)
			}

			if errors.Is(err, ErrEmpty) {
				t.Errorf("ParseAmount(%q): got ErrEmpty, want another error", tt.in)
			}
		})
	}
}

func TestParseAmount_Empty(t *testing.T) {
	for _, in := range []string{"", "   ", "\u3000", "\u00a0\t"} {
		_, err := ParseAmount(in, UnitWan)
		if !errors.Is(err, ErrEmpty) {
			t.Errorf("ParseAmount(%q): got error %v, want ErrEmpty", in, err)
		}
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"iso", "2024-05-12", "2024-05-12"},
		{"slashes", "2024/5/12", "2024-05-12"},
		{"dots", "2024.5.12", "2024-05-12"},
		{"chinese", "2024年5月12日", "2024-05-12"},
		{"chinese padded and spaced", " 2024 年 05 月 12 日 ", "2024-05-12"},
		{"chinese with time", "2024年5月12日 10:30", "2024-05-12"},
		{"compact", "20240512", "2024-05-12"},
		{"full-width", "２０２４－０５－１２", "2024-05-12"},
		{"timestamp utc", "2024-05-12T08:30:00Z", "2024-05-12"},
		{"timestamp zone keeps written date", "2024-05-12T23:30:00-05:00", "2024-05-12"},
		{"timestamp fraction", "2024-05-12T08:30:00.123+08:00", "2024-05-12"},
		{"timestamp space", "2024-05-12 08:30:00", "2024-05-12"},
		{"slashes with time", "2024/5/12 8:30", "2024-05-12"},
		{"serial", "45424", "2024-05-12"},
		{"serial with fraction", "45424.75", "2024-05-12"},
		{"serial one", "1", "1900-01-01"},
		{"serial 59", "59", "1900-02-28"},
		{"serial 61", "61", "1900-03-01"},
		{"serial 1900 end", "366", "1900-12-31"},
		{"serial last", "2958465", "9999-12-31"},
		{"leap day", "2024-02-29", "2024-02-29"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDate(tt.in)
			if err != nil {
				t.Fatalf("ParseDate(%q): got error %v, want %s", tt.in, err, tt.want)
			}

			want, _ := time.Parse(time.DateOnly, tt.want)
			if !got.Equal(want) || got.Location() != time.UTC {
				t.Errorf("ParseDate(%q): got %v, want %v", tt.in, got, want)
			}
		})
	}
}

func TestParseDate_Errors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"text", "soon", "unrecognized date"},
		{"serial 60", "60", "never was"},
		{"serial 0", "0", "out of range"},
		{"serial too big", "2958466", "out of range"},
		{"day after month end", "2023-02-29", "no such day 2023-02-29"},
		{"month 13", "2024/13/1", "no such day"},
		{"compact bad day", "20240532", "no such day"},
		{"year last", "12/5/2024", "year first"},
		{"mixed separators", "2024-5/12", "unrecognized date"},
		{"bad clock", "2024-05-12 noon", "bad time of day"},
		{"month only", "2024年5月", "unrecognized date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDate(tt.in)
			if err == nil {
				t.Fatalf("ParseDate(%q): got %v, want error containing %q", tt.in, got, tt.want)
			}

			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseDate(%q): got error %q, want it to contain %q", tt.in, err, tt.want)
			}
		})
	}
}

func TestParseDate_Empty(t *testing.T) {
	for _, in := range []string{"", " \u3000 "} {
		_, err := ParseDate(in)
		if !errors.Is(err, ErrEmpty) {
			t.Errorf("ParseDate(%q): got error %v, want ErrEmpty", in, err)
		}
	}
}

func TestNormalizeText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "地区", "地区"},
		{"trim spaces", "  地区\t", "地区"},
		{"ideographic and no-break spaces", "\u3000地区\u00a0", "地区"},
		{"bom", "\ufeff地区", "地区"},
		{"full-width ascii", "金额（万元）", "金额(万元)"},
		{"full-width letters", "ＧＤＰ", "GDP"},
		{"space between cjk dropped", "地　区", "地区"},
		{"line break in cell", "合计\n(万元)", "合计(万元)"},
		{"space before ascii after cjk", "金额 (万元)", "金额(万元)"},
		{"ascii words keep one space", "Fund   name", "Fund name"},
		{"case kept", "Region", "Region"},
		{"empty", " \u3000 ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NormalizeText(tt.in); got != tt.want {
				t.Errorf("NormalizeText(%q): got %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
