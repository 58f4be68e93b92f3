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
