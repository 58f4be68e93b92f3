package fundhub

import (
	"context"
	"time"

	"github.com/shopspring/decimal"
)

// ReserveStatus is where a project stands in the project reserve (项目储备库).
type ReserveStatus string

// Reserve statuses, in the order a project normally passes through them.
const (
	ReserveApplied    ReserveStatus = "APPLIED"
	ReserveFiled      ReserveStatus = "FILED"
	ReserveAdmitted   ReserveStatus = "ADMITTED"
	ReserveFunded     ReserveStatus = "FUNDED"
	ReserveInProgress ReserveStatus = "IN_PROGRESS"
	ReserveCompleted  ReserveStatus = "COMPLETED"
	ReserveAdjusted   ReserveStatus = "ADJUSTED"
	ReserveTerminated ReserveStatus = "TERMINATED"
	ReserveWithdrawn  ReserveStatus = "WITHDRAWN"
)

// Valid reports whether s is a known reserve status.
func (s ReserveStatus) Valid() bool {
	switch s {
	case ReserveApplied, ReserveFiled, ReserveAdmitted, ReserveFunded, ReserveInProgress,
		ReserveCompleted, ReserveAdjusted, ReserveTerminated, ReserveWithdrawn:
		return true
	}

	return false
}

// Project is a project applied for, filed or admitted to the reserve and
// then funded and carried out in one region.
type Project struct {
	ID                 int64           `db:"id"`
	Code               *string         `db:"code"`
	Name               string          `db:"name"`
	RegionCode         string          `db:"region_code"`
	Direction          Direction       `db:"direction"`
	ReserveStatus      ReserveStatus   `db:"reserve_status"`
	StartOn            *time.Time      `db:"start_on"`
	EndOn              *time.Time      `db:"end_on"`
	PlannedInvestment  decimal.Decimal `db:"planned_investment"`
	ImplementingUnitID *int64          `db:"implementing_unit_id"`
	ApprovalRef        *string         `db:"approval_ref"`
	Provenance
}

// ProjectFilter selects projects. Nil fields do not filter.
type ProjectFilter struct {
	RegionUnder   *string
	Direction     *Direction
	ReserveStatus *ReserveStatus
	NameContains  *string
}

// ProjectService reads projects.
type ProjectService interface {
	// FindProject returns the project, or ENOTFOUND if it does not exist or
	// lies outside the scope.
	FindProject(ctx context.Context, scope Scope, id int64) (*Project, error)
	// FindProjects returns one page and the count of all that match.
	FindProjects(ctx context.Context, scope Scope, f ProjectFilter, p Page) ([]*Project, int, error)
	// ProjectsByIDs returns the visible projects among ids, for dataloaders.
	ProjectsByIDs(ctx context.Context, scope Scope, ids []int64) ([]*Project, error)
}
