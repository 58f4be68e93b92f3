package fundhub

import (
	"time"

	"github.com/shopspring/decimal"
)

// WarningLevel is the light time progress shows: officials act on red and
// watch yellow.
type WarningLevel string

// The warning levels.
const (
	WarningNone   WarningLevel = "NONE"
	WarningYellow WarningLevel = "YELLOW"
	WarningRed    WarningLevel = "RED"
)

// ProgressThresholds are the gaps, in percentage points of the year, from
// which execution trailing time turns yellow and red. The monitor's slow
// payment rule uses the same ones, so screens and problems agree.
type ProgressThresholds struct {
	Yellow decimal.Decimal
	Red    decimal.Decimal
}

// TimeProgress is 序时进度: the execution rate beside the elapsed share of
// the fund's year on a day. Gap is Elapsed minus ExecutionRate; nil when
// there is no rate (nothing allocated).
type TimeProgress struct {
	AsOf          time.Time
	Elapsed       decimal.Decimal
	ExecutionRate *decimal.Decimal
	Gap           *decimal.Decimal
	Warning       WarningLevel
}

// ElapsedShare is the elapsed share of year on day, in per cent: by days
// (the day itself counted), or by whole months ended, as the fund counts
// it. Before the year it is 0, after it 100.
func ElapsedShare(year int, day time.Time, byMonths bool) decimal.Decimal {
	start := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(1, 0, 0)
	switch {
	case day.Before(start):
		return decimal.Zero
	case !day.Before(end):
		return decimal.NewFromInt(100)
	case byMonths:
		return decimal.NewFromInt(int64(day.Month()-1) * 100).Div(decimal.NewFromInt(12))
	}

	elapsed := int64(day.Sub(start).Hours()/24) + 1
	total := int64(end.Sub(start).Hours() / 24)

	return decimal.NewFromInt(elapsed * 100).Div(decimal.NewFromInt(total))
}

// Progress grades an execution rate against the elapsed share of year on
// day. The elapsed share and the gap are rounded to two decimals, as rates
// are shown.
func Progress(year int, day time.Time, byMonths bool, rate *decimal.Decimal,
	th ProgressThresholds) TimeProgress {
	p := TimeProgress{AsOf: day, Elapsed: ElapsedShare(year, day, byMonths).Round(2),
		ExecutionRate: rate, Warning: WarningNone}
	if rate == nil {
		return p
	}

	gap := p.Elapsed.Sub(*rate).Round(2)
	p.Gap = &gap
	switch {
	case gap.GreaterThanOrEqual(th.Red):
		p.Warning = WarningRed
	case gap.GreaterThanOrEqual(th.Yellow):
		p.Warning = WarningYellow
	}

	return p
}

// ProjectProgressQuery asks for the time progress of projects funded by
// money of one fund year, as of a day, largest gap first.
type ProjectProgressQuery struct {
	Year       int
	AsOf       time.Time
	Region     *string
	Directions []Direction
	Warnings   []WarningLevel
	Thresholds ProgressThresholds
	Page       Page
}

// ProjectProgress is one project's money of a fund year and its time
// progress. Allocated is the money allocated for the project, counted once
// however many steps carried it; Paid what was paid from it by the day.
type ProjectProgress struct {
	ProjectID int64           `db:"project_id"`
	Year      int             `db:"year"`
	Allocated decimal.Decimal `db:"allocated"`
	Paid      decimal.Decimal `db:"paid"`
	Progress  TimeProgress    `db:"-"`
}

// UnitCostBasis says what a unit cost divides.
type UnitCostBasis string

// The unit cost bases.
const (
	PaidPerAchieved     UnitCostBasis = "PAID_PER_ACHIEVED"
	AllocatedPerPlanned UnitCostBasis = "ALLOCATED_PER_PLANNED"
)

// UnitCostQuery asks for the unit costs of a direction's projects with a
// quantity indicator, grouped by region at a level and fund year.
type UnitCostQuery struct {
	Direction   Direction
	Indicator   *string
	Unit        *string
	Basis       UnitCostBasis
	RegionLevel RegionLevel
	Region      *string
	Years       []int
}

// UnitCostItem is one project's cost per unit of output in a fund year.
type UnitCostItem struct {
	ProjectID int64           `db:"project_id"`
	Year      int             `db:"year"`
	Amount    decimal.Decimal `db:"amount"`
	Quantity  decimal.Decimal `db:"quantity"`
	UnitCost  decimal.Decimal `db:"unit_cost"`
	Outlier   bool            `db:"outlier"`
}

// UnitCostGroup summarises the unit costs of one region, year, indicator
// and unit: count, extremes and quartiles, and the outliers by Tukey's
// fences (beyond one and a half interquartile ranges).
type UnitCostGroup struct {
	Region    *string         `db:"region_code"`
	Year      int             `db:"year"`
	Indicator string          `db:"indicator"`
	Unit      string          `db:"unit"`
	Count     int             `db:"count"`
	Min       decimal.Decimal `db:"min"`
	Q1        decimal.Decimal `db:"q1"`
	Median    decimal.Decimal `db:"median"`
	Q3        decimal.Decimal `db:"q3"`
	Max       decimal.Decimal `db:"max"`
	Outliers  []*UnitCostItem `db:"-"`
}
