package fundhub_test

import (
	"testing"
	"time"

	"fundhub"
	"fundhub/refdata"
)

// realCalendar is the holiday calendar shipped in refdata/.
func realCalendar(t *testing.T) *fundhub.Calendar {
	t.Helper()
	c, err := refdata.EmbeddedCalendar()
	if err != nil {
		t.Fatal(err)
	}

	return c
}

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}

	return d
}

func TestCalendar_QuarterReportsMovePastDaysOff(t *testing.T) {
	c := realCalendar(t)
	tests := []struct {
		year, quarter int
		want          string
	}{
		// Every quarterly 15th of 2023 after the first quarter falls on a
		// weekend: Saturday 15 April, Saturday 15 July, Sunday 15 October,
		// and Monday 15 January 2024 for the fourth quarter.
		{2023, 1, "2023-04-17"},
		{2023, 2, "2023-07-17"},
		{2023, 3, "2023-10-16"},
		{2023, 4, "2024-01-15"},
		{2022, 4, "2023-01-16"}, // Sunday 15 January 2023
		{2024, 1, "2024-04-15"},
	}
	for _, tt := range tests {
		got, err := c.QuarterReportDue(tt.year, tt.quarter)
		if err != nil || !got.Equal(day(tt.want)) {
			t.Errorf("%dQ%d: got %s %v, want %s", tt.year, tt.quarter,
				got.Format(time.DateOnly), err, tt.want)
		}
	}
}

func TestCalendar_ThirtyDayDeadlines(t *testing.T) {
	c := realCalendar(t)
	tests := []struct {
		name, start, want string
	}{
		{"ends on a make-up working day (Sunday 8 October 2023): it stands",
			"2023-09-08", "2023-10-08"},
		{"ends inside the National Day holiday: moves to the make-up Saturday after it",
			"2023-09-03", "2023-10-07"},
		{"ends inside the Spring Festival: moves past it", "2024-01-12", "2024-02-18"},
		{"ends on a plain Saturday: moves to Monday", "2024-05-02", "2024-06-03"},
		{"ends inside Qingming: moves to the make-up Sunday", "2024-03-06", "2024-04-07"},
		{"ends on a working day", "2024-03-11", "2024-04-10"},
	}
	for _, tt := range tests {
		got, err := c.DueAfter(day(tt.start), 30)
		if err != nil || !got.Equal(day(tt.want)) {
			t.Errorf("%s: got %s %v, want %s", tt.name, got.Format(time.DateOnly), err,
				tt.want)
		}
	}
}

func TestCalendar_BeyondTheLoadedYearsIsAnError(t *testing.T) {
	c := realCalendar(t)
	if _, err := c.DueAfter(day("2026-12-20"), 30); fundhub.ErrorCode(err) != fundhub.EINVALID {
		t.Errorf("a deadline in 2027: got %v, want an error naming the calendar", err)
	}
	if _, err := c.WorkingDay(day("2019-06-03")); err == nil {
		t.Error("a day of 2019 got an answer")
	}
}

func TestLateBy(t *testing.T) {
	met := day("2024-04-20")
	if n := fundhub.LateBy(day("2024-04-15"), &met, day("2024-06-01")); n != 5 {
		t.Errorf("met 5 days late: got %d", n)
	}
	if n := fundhub.LateBy(day("2024-04-15"), nil, day("2024-04-10")); n != -5 {
		t.Errorf("not met, 5 days before due: got %d", n)
	}
}
