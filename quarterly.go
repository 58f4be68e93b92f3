package fundhub

import (
	"time"

	"github.com/shopspring/decimal"
)

// QuarterlyQuery asks for the quarterly progress report of a region: the
// money of the quarter's fund year (资金年度) in the region's subtree, as at
// the quarter's end and the end of the quarter before.
type QuarterlyQuery struct {
	Region  string
	Quarter Quarter
	// Today caps the day time progress is measured on, as the analysis
	// caps it: a quarter still running is graded on today, not its end.
	Today time.Time
	// Thresholds grade time progress; the monitor's, so that the report,
	// the screens and the raised problems agree.
	Thresholds ProgressThresholds
}

// Day is the day time progress is measured on: the quarter's last day, or
// Today when that comes first.
func (q QuarterlyQuery) Day() time.Time { return q.dayOf(q.Quarter) }

// PreviousDay is Day of the quarter before.
func (q QuarterlyQuery) PreviousDay() time.Time { return q.dayOf(q.Quarter.Prev()) }

func (q QuarterlyQuery) dayOf(qt Quarter) time.Time {
	day := qt.End()
	if !q.Today.IsZero() && q.Today.Before(day) {
		return q.Today
	}

	return day
}

// Progress grades a rate of the report's fund year on day.
func (q QuarterlyQuery) Progress(day time.Time, byMonths bool,
	rate *decimal.Decimal) TimeProgress {
	return Progress(q.Quarter.Year, day, byMonths, rate, q.Thresholds)
}

// QuarterlyLine is one line of a report's figures: the region itself, a
// direction or a region below, as the analytical query sums it, graded
// against time progress.
type QuarterlyLine struct {
	// Code is the direction's or the region's code.
	Code string
	Name string
	// Own marks the line of money held at the report's region itself
	// (本级), beside the regions below it.
	Own bool
	Figures
	Progress TimeProgress
}

// Lagging reports whether the line is behind time progress (yellow or red).
func (l *QuarterlyLine) Lagging() bool { return l.Progress.Warning.Lagging() }

// Lagging reports whether the level is yellow or red.
func (w WarningLevel) Lagging() bool { return w == WarningYellow || w == WarningRed }

// QuarterlyReport is what a region's quarterly progress report states: its
// figures now and a quarter before, broken down by direction and by the
// regions below, the lagging items and the open problems, all within the
// reader's scope. The long lists (allocations, execution by project) are
// not held here: the store streams them.
type QuarterlyReport struct {
	Region  *Region
	Quarter Quarter
	// Day is the day the figures' time progress is measured on.
	Day time.Time
	// Current is as at the quarter's end, Previous as at the end of the
	// quarter before, both of the quarter's fund year.
	Current  QuarterlyLine
	Previous QuarterlyLine
	// ByDirection has one line per fund direction; ByRegion one per region
	// directly below (with the region's own line first when it holds
	// money), empty for a county.
	ByDirection []*QuarterlyLine
	ByRegion    []*QuarterlyLine
	// Projects counts the projects with money of the fund year.
	Projects int
	// Lagging lists the projects and the regions below that trail time
	// progress, red first.
	Lagging  []*LaggingItem
	Problems []*QuarterlyProblem
}

// LaggingProjects counts the lagging projects, and of them those that were
// not lagging a quarter before.
func (r *QuarterlyReport) LaggingProjects() (all, newly int) {
	for _, l := range r.Lagging {
		if l.Kind == LaggingProject {
			all++
			if l.New {
				newly++
			}
		}
	}

	return all, newly
}

// LaggingRegions counts the regions below that trail time progress.
func (r *QuarterlyReport) LaggingRegions() int {
	n := 0
	for _, l := range r.Lagging {
		if l.Kind == LaggingRegion {
			n++
		}
	}

	return n
}

// LaggingKind says what a lagging item is.
type LaggingKind string

// The kinds of lagging item.
const (
	LaggingProject LaggingKind = "PROJECT"
	LaggingRegion  LaggingKind = "REGION"
)

// LaggingItem is a project or a region below that trails time progress at
// the quarter's end.
type LaggingItem struct {
	Kind LaggingKind
	// Code is the project's code (empty when it has none) or the region's.
	Code       string
	Name       string
	RegionName string
	Allocated  decimal.Decimal
	Paid       decimal.Decimal
	Progress   TimeProgress
	// New marks an item that was not lagging a quarter before. Regions
	// are not compared across quarters and are never new.
	New bool
}

// ProjectExecution is one project's money of the report's fund year as at
// the quarter's end (the figures of ProjectProgress) and as at the end of
// the quarter before, with what describes the project on a sheet.
type ProjectExecution struct {
	ProjectProgress
	Code          *string       `db:"code"`
	Name          string        `db:"name"`
	RegionCode    string        `db:"region_code"`
	RegionName    string        `db:"region_name"`
	Direction     Direction     `db:"direction"`
	DirectionName string        `db:"direction_name"`
	ReserveStatus ReserveStatus `db:"reserve_status"`
	// ExecutionRate is Paid over Allocated in per cent, two decimals; nil
	// when nothing was allocated.
	ExecutionRate *decimal.Decimal `db:"execution_rate"`
	ByMonths      bool             `db:"by_months"`
	// PreviousWarning is the project's light a quarter before.
	PreviousWarning WarningLevel     `db:"-"`
	PreviousRate    *decimal.Decimal `db:"previous_rate"`
}

// QuarterlyAllocation is an allocation into the report's subtree, with the
// names a sheet shows beside it.
type QuarterlyAllocation struct {
	Allocation
	FundName      string       `db:"fund_name"`
	FundCategory  FundCategory `db:"fund_category"`
	DirectionName string       `db:"direction_name"`
	FromName      string       `db:"from_name"`
	ToName        string       `db:"to_name"`
	ProjectName   *string      `db:"project_name"`
}

// QuarterlyProblem is an open problem in the report's subtree, with the
// names of its region and project.
type QuarterlyProblem struct {
	Problem
	RegionName  string  `db:"region_name"`
	ProjectName *string `db:"project_name"`
}
