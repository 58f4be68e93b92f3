package fundhub

import (
	"time"

	"github.com/shopspring/decimal"
)

// DeadlineKind is one of the deadlines of the working procedure.
type DeadlineKind string

// Kinds of deadlines (工作规程 art. 9–11).
const (
	// DeadlinePassOn: a province passes the money it received on to its
	// cities and counties within 30 days.
	DeadlinePassOn DeadlineKind = "PASS_ON"
	// DeadlineFiling: a city or county files its breakdown of the money
	// upward within 30 days of finishing it.
	DeadlineFiling DeadlineKind = "FILING"
	// DeadlineTargetFiling: a city or county files how it decomposed the
	// targets within 30 days of receiving them with the money.
	DeadlineTargetFiling DeadlineKind = "TARGET_FILING"
	// DeadlineQuarterReport: a city or county reports each quarter by the
	// 15th of the month after it.
	DeadlineQuarterReport DeadlineKind = "QUARTER_REPORT"
)

// DeadlineState is where a deadline stands on a given day.
type DeadlineState string

// States of a deadline.
const (
	DeadlinePending DeadlineState = "PENDING"
	DeadlineMet     DeadlineState = "MET"
	DeadlineMetLate DeadlineState = "MET_LATE"
	DeadlineLate    DeadlineState = "LATE"
	// DeadlineUnknown: the calendar does not cover the due date.
	DeadlineUnknown DeadlineState = "UNKNOWN"
)

// PassOnDays, FilingDays and TargetFilingDays are the 30 calendar days of
// the procedure.
const (
	PassOnDays       = 30
	FilingDays       = 30
	TargetFilingDays = 30
)

// Deadline is one deadline of one region about one subject: an
// allocation, or a quarter's report.
type Deadline struct {
	ID           int64        `db:"id"`
	Key          string       `db:"key"`
	Kind         DeadlineKind `db:"kind"`
	RegionCode   string       `db:"region_code"`
	AllocationID *int64       `db:"allocation_id"`
	Direction    *Direction   `db:"direction"`
	Year         *int         `db:"year"`
	Quarter      *int         `db:"quarter"`
	StartsOn     *time.Time   `db:"starts_on"`
	DueOn        *time.Time   `db:"due_on"`
	MetOn        *time.Time   `db:"met_on"`
	Note         *string      `db:"note"`
	// State and LateDays are as of the day the deadline was read.
	State    DeadlineState `db:"state"`
	LateDays *int          `db:"late_days"`
}

// DeadlineFilter selects deadlines. Nil fields do not filter.
type DeadlineFilter struct {
	RegionUnder *string
	Kind        *DeadlineKind
	State       *DeadlineState
	Year        *int
}

// AllocationFacts is what the deadlines need of one allocation.
type AllocationFacts struct {
	ID         int64           `db:"id"`
	ToRegion   string          `db:"to_region"`
	ToLevel    RegionLevel     `db:"to_level"`
	Direction  Direction       `db:"direction"`
	Amount     decimal.Decimal `db:"amount"`
	ReceivedOn *time.Time      `db:"received_on"`
	FiledOn    *time.Time      `db:"filed_on"`
	HasTargets bool            `db:"has_targets"`
	// Passed is what its children add up to, and LastPassedOn the latest
	// day one of them was issued.
	Passed       decimal.Decimal `db:"passed"`
	LastPassedOn *time.Time      `db:"last_passed_on"`
	// What the rules read besides: the issue date, the fund's year and how
	// it counts time, the payments made from it, its children's count,
	// and whether its parent carries targets.
	IssuedOn         *time.Time      `db:"issued_on"`
	FundYear         int             `db:"fund_year"`
	ProgressByMonths bool            `db:"progress_by_months"`
	Paid             decimal.Decimal `db:"paid"`
	Children         int             `db:"children"`
	ParentHasTargets bool            `db:"parent_has_targets"`
	// ProjectID, ProjectStatus and ReserveException are set for money
	// sent to a project.
	ProjectID        *int64         `db:"project_id"`
	ProjectStatus    *ReserveStatus `db:"project_status"`
	ReserveException *string        `db:"reserve_exception"`
}

// TargetFacts is a quantified target with the latest actual value a
// report gave for it.
type TargetFacts struct {
	ID           int64            `db:"id"`
	Region       string           `db:"region_code"`
	Year         int              `db:"year"`
	Indicator    string           `db:"indicator"`
	Unit         *string          `db:"unit"`
	Comparator   *string          `db:"comparator"`
	TargetValue  decimal.Decimal  `db:"target_value"`
	AllocationID *int64           `db:"allocation_id"`
	Actual       *decimal.Decimal `db:"actual"`
	// ActualYear and ActualQuarter are of the report that gave Actual.
	ActualYear    int `db:"actual_year"`
	ActualQuarter int `db:"actual_quarter"`
}

// ReportedPaid is what a report said was paid from an allocation by the
// end of a quarter, beside what the finance system recorded by then.
type ReportedPaid struct {
	AllocationID int64           `db:"allocation_id"`
	Region       string          `db:"region_code"`
	Year         int             `db:"year"`
	Quarter      int             `db:"quarter"`
	Reported     decimal.Decimal `db:"reported"`
	Recorded     decimal.Decimal `db:"recorded"`
}

// ProjectFacts is what the rules need of a project.
type ProjectFacts struct {
	ID          int64         `db:"id"`
	Region      string        `db:"region_code"`
	Status      ReserveStatus `db:"reserve_status"`
	ApprovalRef *string       `db:"approval_ref"`
}

// Finding is what a monitoring rule found: a problem to raise, or to keep
// open, under its dedup key. Detail explains in plain words why it fired.
type Finding struct {
	Rule         string
	Key          string
	Kind         string
	Severity     string
	RegionCode   string
	AllocationID *int64
	ProjectID    *int64
	Title        string
	Detail       string
}

// ReportingYear is a city or county that received money in a year, and so
// reports each quarter of it.
type ReportingYear struct {
	Region string `db:"region_code"`
	Year   int    `db:"year"`
	// FirstMoneyOn is when its first money of the year arrived (or was
	// issued); no report is due for a quarter that ended before it. Nil
	// when the sources gave no date.
	FirstMoneyOn *time.Time `db:"first_money_on"`
}

// ReportFacts is when a quarter's report was first submitted.
type ReportFacts struct {
	Region      string     `db:"region_code"`
	Year        int        `db:"year"`
	Quarter     int        `db:"quarter"`
	SubmittedOn *time.Time `db:"submitted_on"`
}

// MonitorFacts is everything the monitor reads, taken in one snapshot.
type MonitorFacts struct {
	Calendar    *Calendar
	Allocations []AllocationFacts
	Reporting   []ReportingYear
	Reports     []ReportFacts
	Projects    []ProjectFacts
	Targets     []TargetFacts
	Paid        []ReportedPaid
	Deadlines   []Deadline
	// Today is the day in China the deadlines are computed on.
	Today time.Time
}

// MonitorResult says what a monitor run did.
type MonitorResult struct {
	// Ran is false when another replica's run held the lock.
	Ran       bool
	Deadlines int
	Findings  int
	// Raised counts problems raised for the first time, Reopened those a
	// rule had closed whose condition holds again, Closed those closed
	// because their condition cleared.
	Raised   int
	Reopened int
	Closed   int
}
