package fundhub

import (
	"time"

	"github.com/shopspring/decimal"
)

// InspectionInput asks for a data-quality inspection (数据质量监督检查) of the
// subtree of RegionCode for Year: every project, or, with SampleSize, a
// random sample of that many projects drawn from Seed, so a spot check can
// be drawn again the same.
type InspectionInput struct {
	RegionCode string
	Year       int
	SampleSize *int
	Seed       *int64
}

// InspectionRun is one inspection and how many findings it kept.
type InspectionRun struct {
	ID           int64     `db:"id"`
	RegionCode   string    `db:"region_code"`
	Year         int       `db:"year"`
	SampleSize   *int      `db:"sample_size"`
	Seed         *int64    `db:"seed"`
	StartedBy    string    `db:"started_by"`
	StartedAt    time.Time `db:"started_at"`
	FindingCount int       `db:"findings"`
}

// InspectionFinding is one thing an inspection found, on the record it
// names, with the check that found it and why.
type InspectionFinding struct {
	ID           int64      `db:"id"`
	RunID        int64      `db:"run_id"`
	Check        string     `db:"check_name"`
	Severity     string     `db:"severity"`
	RegionCode   string     `db:"region_code"`
	Direction    *Direction `db:"direction"`
	AllocationID *int64     `db:"allocation_id"`
	ProjectID    *int64     `db:"project_id"`
	PaymentID    *int64     `db:"payment_id"`
	ReportID     *int64     `db:"report_id"`
	TargetID     *int64     `db:"target_id"`
	Detail       string     `db:"detail"`
}

// EvaluationInput records what a performance evaluation (绩效评价) found a
// target reached.
type EvaluationInput struct {
	TargetID    int64
	Value       decimal.Decimal
	EvaluatedOn time.Time
	Note        *string
}
