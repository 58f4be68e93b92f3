package fundhub

import (
	"context"
	"time"

	"github.com/shopspring/decimal"
)

// ReportStatus is where a quarterly execution report is on its review path.
type ReportStatus string

// Review path of an execution report.
const (
	ReportDraft       ReportStatus = "DRAFT"
	ReportSubmitted   ReportStatus = "SUBMITTED"
	ReportReturned    ReportStatus = "RETURNED"
	ReportReviewed    ReportStatus = "REVIEWED"
	ReportTransmitted ReportStatus = "TRANSMITTED"
)

// ExecutionReport is one region's quarterly report (执行填报) of what has been
// paid and achieved as of the quarter's end.
type ExecutionReport struct {
	ID            int64        `db:"id"`
	RegionCode    string       `db:"region_code"`
	Year          int          `db:"year"`
	Quarter       int          `db:"quarter"`
	Status        ReportStatus `db:"status"`
	SubmittedAt   *time.Time   `db:"submitted_at"`
	ReviewedAt    *time.Time   `db:"reviewed_at"`
	TransmittedAt *time.Time   `db:"transmitted_at"`
	ReturnReason  *string      `db:"return_reason"`
	Provenance
}

// ReportLine is one line of a report: the cumulative amount paid from one
// source on one allocation or project, or the actual value of one target.
type ReportLine struct {
	ID           int64            `db:"id"`
	ReportID     int64            `db:"report_id"`
	AllocationID *int64           `db:"allocation_id"`
	ProjectID    *int64           `db:"project_id"`
	Source       *FundSource      `db:"source"`
	PaidAmount   *decimal.Decimal `db:"paid_amount"`
	TargetID     *int64           `db:"target_id"`
	ActualValue  *decimal.Decimal `db:"actual_value"`
	Unit         *string          `db:"unit"`
	Note         *string          `db:"note"`
}

// ReportFilter selects execution reports. Nil fields do not filter.
type ReportFilter struct {
	RegionUnder *string
	Year        *int
	Quarter     *int
	Status      *ReportStatus
}

// ReportService reads execution reports.
type ReportService interface {
	// FindReports returns one page of visible reports and the total count.
	FindReports(ctx context.Context, scope Scope, f ReportFilter, p Page) ([]*ExecutionReport,
		int, error)
	// LinesByReport returns the lines of each report id that the scope's
	// directions reach, for dataloaders.
	LinesByReport(ctx context.Context, scope Scope, ids []int64) (map[int64][]*ReportLine,
		error)
}
