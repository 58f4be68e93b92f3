package monitor_test

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"fundhub"
	"fundhub/monitor"
	"fundhub/refdata"
)

func calendar(t *testing.T) *fundhub.Calendar {
	t.Helper()
	c, err := refdata.EmbeddedCalendar()
	if err != nil {
		t.Fatal(err)
	}

	return c
}

func day(s string) *time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}

	return &d
}

func text(t *time.Time) string {
	if t == nil {
		return "-"
	}

	return t.Format(time.DateOnly)
}

func TestDeadlines_OnTheRealCalendar(t *testing.T) {
	yuan := decimal.RequireFromString
	facts := fundhub.MonitorFacts{Calendar: calendar(t), Today: *day("2024-05-20"),
		Allocations: []fundhub.AllocationFacts{
			// Received 2 September 2023: 30 days end on 2 October, inside the
			// National Day holiday; due on the make-up Saturday, 7 October.
			{ID: 1, ToRegion: "330000", ToLevel: fundhub.LevelProvince, Amount: yuan("100"),
				ReceivedOn: day("2023-09-02"), Passed: yuan("100"),
				LastPassedOn: day("2023-10-09")},
			// A county that received on 12 January 2024 files within 30 days:
			// 11 February is in the Spring Festival, so 18 February.
			{ID: 2, ToRegion: "330106", ToLevel: fundhub.LevelCounty, Amount: yuan("50"),
				ReceivedOn: day("2024-01-12"), FiledOn: day("2024-02-18"), HasTargets: true},
			// Received 8 September 2023: due Sunday 8 October, a make-up working day.
			{ID: 3, ToRegion: "330100", ToLevel: fundhub.LevelCity, Amount: yuan("50"),
				ReceivedOn: day("2023-09-08")},
			// Received on 20 December 2026: due in 2027, beyond the calendar.
			{ID: 4, ToRegion: "330110", ToLevel: fundhub.LevelCounty, Amount: yuan("5"),
				ReceivedOn: day("2026-12-20")},
		},
		Reporting: []fundhub.ReportingYear{{Region: "330106", Year: 2023},
			// 余杭's first money came on 1 August: no report of Q1 or Q2 is due.
			{Region: "330110", Year: 2023, FirstMoneyOn: day("2023-08-01")}},
		Reports: []fundhub.ReportFacts{{Region: "330106", Year: 2023, Quarter: 2,
			SubmittedOn: day("2023-07-18")}},
	}

	got := map[string]string{}
	for _, d := range monitor.Deadlines(facts) {
		note := ""
		if d.Note != nil {
			note = " (" + *d.Note + ")"
		}
		got[d.Key] = text(d.DueOn) + " met " + text(d.MetOn) + note
	}
	want := map[string]string{
		"PASS_ON:allocation:1":         "2023-10-07 met 2023-10-09",
		"FILING:allocation:2":          "2024-02-18 met 2024-02-18",
		"TARGET_FILING:allocation:2":   "2024-02-18 met 2024-02-18",
		"FILING:allocation:3":          "2023-10-08 met -",
		"QUARTER_REPORT:330106:2023:1": "2023-04-17 met -",
		"QUARTER_REPORT:330106:2023:2": "2023-07-17 met 2023-07-18",
		"QUARTER_REPORT:330106:2023:3": "2023-10-16 met -",
		"QUARTER_REPORT:330106:2023:4": "2024-01-15 met -",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: got %q, want %q", k, got[k], w)
		}
	}
	for _, q := range []string{"1", "2"} {
		if v, ok := got["QUARTER_REPORT:330110:2023:"+q]; ok {
			t.Errorf("余杭 Q%s, before its money: %q, want no deadline", q, v)
		}
	}
	if _, ok := got["QUARTER_REPORT:330110:2023:3"]; !ok {
		t.Error("余杭 Q3, after its money: no deadline")
	}
	beyond := got["FILING:allocation:4"]
	if beyond[:1] != "-" || len(beyond) < 12 {
		t.Errorf("a deadline beyond the calendar: got %q, want no due date and a note", beyond)
	}
}
