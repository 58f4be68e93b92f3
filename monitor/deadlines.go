// Package monitor turns stored figures into supervision: it computes the
// deadlines of the working procedure on the real holiday calendar (and, in
// time, the rules that raise problems). It holds no storage of its own: the
// store hands it the facts under a lock and keeps what it computes.
package monitor

import (
	"fmt"
	"time"

	"fundhub"
)

// Deadlines computes every deadline the facts give rise to. A deadline
// whose due date the calendar does not cover is kept with no due date and
// a note saying so, never guessed.
func Deadlines(f fundhub.MonitorFacts) []fundhub.Deadline {
	var out []fundhub.Deadline
	for _, a := range f.Allocations {
		out = append(out, allocationDeadlines(f.Calendar, a)...)
	}

	return append(out, reportDeadlines(f)...)
}

// allocationDeadlines are a province's deadline to pass money on, and a
// city's or county's deadlines to file its breakdown and its targets.
func allocationDeadlines(c *fundhub.Calendar, a fundhub.AllocationFacts) []fundhub.Deadline {
	if a.ReceivedOn == nil {
		return nil
	}
	passedOn := a.Passed.GreaterThanOrEqual(a.Amount) && a.LastPassedOn != nil
	var metPassing *time.Time
	if passedOn {
		metPassing = a.LastPassedOn
	}

	switch a.ToLevel {
	case fundhub.LevelProvince:
		return []fundhub.Deadline{due(c, a, fundhub.DeadlinePassOn, *a.ReceivedOn,
			fundhub.PassOnDays, metPassing)}
	case fundhub.LevelCity, fundhub.LevelCounty:
		// The breakdown ends when the money is passed on whole; until then
		// the 30 days run from its receipt.
		end := *a.ReceivedOn
		if passedOn {
			end = *a.LastPassedOn
		}
		out := []fundhub.Deadline{due(c, a, fundhub.DeadlineFiling, end, fundhub.FilingDays,
			a.FiledOn)}
		if a.HasTargets {
			out = append(out, due(c, a, fundhub.DeadlineTargetFiling, *a.ReceivedOn,
				fundhub.TargetFilingDays, a.FiledOn))
		}
		return out
	}

	return nil
}

// due is the deadline of kind about allocation a, days after start.
func due(c *fundhub.Calendar, a fundhub.AllocationFacts, kind fundhub.DeadlineKind, start time.Time,
	days int, met *time.Time) fundhub.Deadline {
	id, dir := a.ID, a.Direction
	d := fundhub.Deadline{Key: fmt.Sprintf("%s:allocation:%d", kind, a.ID), Kind: kind,
		RegionCode: a.ToRegion, AllocationID: &id, Direction: &dir, StartsOn: &start,
		MetOn: met}
	setDue(&d, func() (time.Time, error) { return c.DueAfter(start, days) })

	return d
}

// setDue sets d's due date, or, when the calendar cannot tell it, a note.
func setDue(d *fundhub.Deadline, compute func() (time.Time, error)) {
	on, err := compute()
	if err != nil {
		note := fundhub.ErrorMessage(err)
		d.Note = &note
		return
	}
	d.DueOn = &on
}

// reportDeadlines are the quarterly reports of every city and county that
// received money in a year, for each quarter that has begun.
func reportDeadlines(f fundhub.MonitorFacts) []fundhub.Deadline {
	submitted := map[string]*time.Time{}
	for _, r := range f.Reports {
		submitted[reportKey(r.Region, r.Year, r.Quarter)] = r.SubmittedOn
	}

	var out []fundhub.Deadline
	for _, ry := range f.Reporting {
		for q := 1; q <= 4; q++ {
			start := time.Date(ry.Year, time.Month(3*q-2), 1, 0, 0, 0, 0, time.UTC)
			if start.After(f.Today) {
				break
			}
			if ry.FirstMoneyOn != nil && !start.AddDate(0, 3, 0).After(*ry.FirstMoneyOn) {
				continue // the quarter ended before the region had money to report
			}
			year, quarter := ry.Year, q
			d := fundhub.Deadline{Key: reportKey(ry.Region, ry.Year, q),
				Kind: fundhub.DeadlineQuarterReport, RegionCode: ry.Region, Year: &year,
				Quarter: &quarter, StartsOn: &start,
				MetOn: submitted[reportKey(ry.Region, ry.Year, q)]}
			setDue(&d, func() (time.Time, error) {
				return f.Calendar.QuarterReportDue(year, quarter)
			})
			out = append(out, d)
		}
	}

	return out
}

func reportKey(region string, year, quarter int) string {
	return fmt.Sprintf("%s:%s:%d:%d", fundhub.DeadlineQuarterReport, region, year, quarter)
}
