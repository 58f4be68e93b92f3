package postgres

import (
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"fundhub"
)

func dec(s string) *decimal.Decimal {
	d := decimal.RequireFromString(s)
	return &d
}

func str(s string) *string { return &s }

func id(n int64) *int64 { return &n }

// paidOn is a line paying amount on allocation 7, which went to 330106
// and carries 100 of central transfer.
func paidOn(amount string) *lineFacts {
	return &lineFacts{AllocationID: id(7), PaidAmount: dec(amount), AllocRegion: str("330106"),
		AllocAmount: dec("100"), AllocSource: str("CENTRAL_TRANSFER")}
}

// progress is a line of actual value on target 9 of 330106, in 公顷.
func progress(value string, unit *string) *lineFacts {
	return &lineFacts{TargetID: id(9), ActualValue: dec(value), Unit: unit,
		TargetRegion: str("330106"), TargetUnit: str("公顷")}
}

func fields(errs fundhub.Errors) []string {
	out := []string{}
	for _, e := range errs {
		out = append(out, e.Field)
	}

	return out
}

func TestCheckLines(t *testing.T) {
	withSource := paidOn("1")
	withSource.Source = str("PROVINCE_MATCH")
	elsewhere := progress("1", nil)
	elsewhere.TargetRegion = str("330108")
	viaAllocation := progress("1", nil)
	viaAllocation.TargetRegion, viaAllocation.TargetAllocRegion = str("330000"), str("330106")
	withdrawn := paidOn("500")
	withdrawn.Withdrawn = true
	project := &lineFacts{ProjectID: id(3), PaidAmount: dec("1"),
		ProjectRegion: str("330108")}

	tests := []struct {
		name  string
		lines []*lineFacts
		want  []string
	}{
		{"a sound report", []*lineFacts{paidOn("60"), paidOn("40"), progress("3", str("公顷"))},
			[]string{}},
		{"no line", nil, []string{"lines"}},
		{"only withdrawn lines", []*lineFacts{withdrawn}, []string{"lines"}},
		{"a withdrawn line is not counted", []*lineFacts{withdrawn, paidOn("100")},
			[]string{}},
		{"paid above the allocation, named where it crosses",
			[]*lineFacts{paidOn("60"), paidOn("41"), paidOn("1")},
			[]string{"lines[1].paidAmount"}},
		{"a negative payment", []*lineFacts{paidOn("-1")}, []string{"lines[0].paidAmount"}},
		{"another source", []*lineFacts{withSource}, []string{"lines[0].source"}},
		{"another unit", []*lineFacts{progress("3", str("亩"))}, []string{"lines[0].unit"}},
		{"an actual value without a target",
			[]*lineFacts{{ActualValue: dec("1")}}, []string{"lines[0].targetId"}},
		{"a target of another region", []*lineFacts{elsewhere},
			[]string{"lines[0].targetId"}},
		{"a target of an allocation to the region", []*lineFacts{viaAllocation},
			[]string{}},
		{"a project of another region", []*lineFacts{project},
			[]string{"lines[0].projectId"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fields(checkLines("330106", tt.lines)); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCheckChanges(t *testing.T) {
	lines := []*lineFacts{{ID: 1, PaidAmount: dec("10")}, {ID: 2, Note: str("一期"),
		ActualValue: dec("3")}}
	tests := []struct {
		name    string
		changes []*fundhub.LineChange
		want    []string
	}{
		{"a new paid amount", []*fundhub.LineChange{{LineID: 1, PaidAmount: dec("11")}},
			[]string{}},
		{"a new note", []*fundhub.LineChange{{LineID: 2, Note: str("二期")}}, []string{}},
		{"another report's line", []*fundhub.LineChange{{LineID: 3, Note: str("x")}},
			[]string{"changes[0].lineId"}},
		{"nothing changed", []*fundhub.LineChange{{LineID: 1, PaidAmount: dec("10.00")},
			{LineID: 2}}, []string{"changes[0]", "changes[1]"}},
		{"a line twice", []*fundhub.LineChange{{LineID: 1, PaidAmount: dec("11")},
			{LineID: 1, PaidAmount: dec("12")}}, []string{"changes[1].lineId"}},
		{"a negative payment", []*fundhub.LineChange{{LineID: 1, PaidAmount: dec("-1")}},
			[]string{"changes[0].paidAmount"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fields(checkChanges(tt.changes, lines)); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCheckPeriod(t *testing.T) {
	now := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		year, quarter int
		want          string
	}{
		{2025, 1, ""},
		{1949, 4, ""},
		{2025, 0, "quarter"},
		{2025, 5, "quarter"},
		{1948, 1, "year"},
		{2026, 1, "year"},
	}
	for _, tt := range tests {
		if got := fundhub.ErrorField(checkPeriod(tt.year, tt.quarter, now)); got != tt.want {
			t.Errorf("%dQ%d: got %q, want %q", tt.year, tt.quarter, got, tt.want)
		}
	}
}
