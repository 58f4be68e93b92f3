package fundhub

import "time"

// CalendarDay is a listed day of the holiday calendar: a day off for a public
// holiday, or a weekend day made a working day (调休上班). Days not listed
// follow the week: Monday to Friday work, Saturday and Sunday off.
type CalendarDay struct {
	Day    time.Time `db:"day"`
	Name   string    `db:"name"`
	OffDay bool      `db:"is_off_day"`
}

// CalendarImportResult counts what a calendar import did.
type CalendarImportResult struct {
	Added     int
	Changed   int
	Unchanged int
	Years     []int
}

// Calendar answers which days are working days, from the days a holiday
// calendar lists and the years it covers. It never guesses: a date in a
// year the calendar does not cover is an error, since next year's
// holidays are not known until the State Council publishes them.
type Calendar struct {
	years map[int]bool
	// listed maps the listed days (UTC midnight) to whether they are off.
	listed map[time.Time]bool
}

// NewCalendar returns the calendar of days, covering years.
func NewCalendar(days []CalendarDay, years []int) *Calendar {
	c := &Calendar{years: map[int]bool{}, listed: map[time.Time]bool{}}
	for _, y := range years {
		c.years[y] = true
	}
	for _, d := range days {
		c.listed[dateOf(d.Day)] = d.OffDay
	}

	return c
}

// dateOf is the calendar date of t, as UTC midnight.
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// WorkingDay reports whether day is a working day: a listed day is what
// the list says (a make-up working day on a weekend works), any other day
// works from Monday to Friday. A day outside the covered years is an
// EINVALID error naming the year.
func (c *Calendar) WorkingDay(day time.Time) (bool, error) {
	d := dateOf(day)
	if !c.years[d.Year()] {
		return false, &Error{Code: EINVALID, Field: "date", Message: "the holiday calendar " +
			"does not cover " + d.Format("2006") + "; import it with fundhub calendar import"}
	}
	if off, ok := c.listed[d]; ok {
		return !off, nil
	}
	wd := d.Weekday()

	return wd != time.Saturday && wd != time.Sunday, nil
}

// OnOrAfter returns day when it is a working day, else the first working
// day after it: where a due date that falls on a day off moves.
func (c *Calendar) OnOrAfter(day time.Time) (time.Time, error) {
	d := dateOf(day)
	for range 366 {
		ok, err := c.WorkingDay(d)
		if err != nil || ok {
			return d, err
		}
		d = d.AddDate(0, 0, 1)
	}

	return time.Time{}, Errorf(EINTERNAL, "no working day within a year after %s",
		dateOf(day).Format(time.DateOnly))
}

// DueAfter returns the due date of a deadline of days calendar days from
// start (30 for passing money on and filing), moved to the next working
// day when it falls on a day off. A due date on a make-up working day
// stands.
func (c *Calendar) DueAfter(start time.Time, days int) (time.Time, error) {
	return c.OnOrAfter(dateOf(start).AddDate(0, 0, days))
}

// QuarterReportDue returns when the report of quarter q of year is due:
// the 15th of the month after the quarter (January of the next year for
// the fourth), moved to the next working day when that day is off.
func (c *Calendar) QuarterReportDue(year, quarter int) (time.Time, error) {
	if quarter < 1 || quarter > 4 {
		return time.Time{}, Invalid("quarter", "must be 1 to 4, not %d", quarter)
	}

	return c.OnOrAfter(time.Date(year, time.Month(3*quarter+1), 15, 0, 0, 0, 0, time.UTC))
}

// LateBy returns how many days met (nil: not yet) is after due, counting
// from asOf when not yet met; zero or less means on time.
func LateBy(due time.Time, met *time.Time, asOf time.Time) int {
	end := dateOf(asOf)
	if met != nil {
		end = dateOf(*met)
	}

	return int(end.Sub(dateOf(due)).Hours() / 24)
}
