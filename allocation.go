package fundhub

import (
	"context"
	"time"

	"github.com/shopspring/decimal"
)

// Allocation is one step of money moving down the hierarchy (资金下达): an
// amount of one fund, from one source, issued by one region to a lower one
// and, optionally, to a named project, under an approval document. Children
// of an allocation (ParentID) break it down further and never add up to more
// than it.
//
// One allocation may be reported by several sources; each report is kept as
// an AllocationSourceRecord, and Conflict is set when their amounts differ.
type Allocation struct {
	ID         int64           `db:"id"`
	FundID     int64           `db:"fund_id"`
	FromRegion string          `db:"from_region"`
	ToRegion   string          `db:"to_region"`
	ProjectID  *int64          `db:"project_id"`
	Amount     decimal.Decimal `db:"amount"`
	Source     FundSource      `db:"source"`
	DocumentID *int64          `db:"document_id"`
	// DocumentNo is the number of the approval document, loaded with the
	// allocation for display.
	DocumentNo *string    `db:"document_no"`
	IssuedOn   *time.Time `db:"issued_on"`
	ReceivedOn *time.Time `db:"received_on"`
	FiledOn    *time.Time `db:"filed_on"`
	ParentID   *int64     `db:"parent_id"`
	// Conflict is set when the sources reporting this allocation disagree
	// on its amount; Amount then keeps the first source's figure.
	Conflict bool `db:"conflict"`
	// ReserveException says why money went to a project outside the
	// reserve, when it did.
	ReserveException *string   `db:"reserve_exception"`
	CreatedAt        time.Time `db:"created_at"`
	UpdatedAt        time.Time `db:"updated_at"`
	Provenance
}

// AllocationSourceRecord is what one source system reported about an
// allocation, kept beside the allocation so no source's figure is lost.
type AllocationSourceRecord struct {
	ID           int64           `db:"id"`
	AllocationID int64           `db:"allocation_id"`
	SourceSystem string          `db:"source_system"`
	ExternalID   string          `db:"external_id"`
	Amount       decimal.Decimal `db:"amount"`
	DocumentNo   *string         `db:"document_no"`
	LastSyncedAt time.Time       `db:"last_synced_at"`
}

// AllocationFilter selects allocations. Nil fields do not filter.
type AllocationFilter struct {
	FundID *int64
	Year   *int
	// RegionUnder keeps allocations whose recipient lies in this subtree,
	// the region itself included.
	RegionUnder *string
	ToRegion    *string
	FromRegion  *string
	FromLevel   *RegionLevel
	Category    *FundCategory
	Direction   *Direction
	Source      *FundSource
	ProjectID   *int64
	Conflict    *bool
}

// AllocationDimension is a dimension allocation totals can be grouped by.
type AllocationDimension string

// Dimensions of AllocationTotals.
const (
	DimCategory  AllocationDimension = "CATEGORY"
	DimSource    AllocationDimension = "SOURCE"
	DimDirection AllocationDimension = "DIRECTION"
	DimYear      AllocationDimension = "YEAR"
	DimFund      AllocationDimension = "FUND"
	DimRegion    AllocationDimension = "REGION"
)

// TotalsQuery asks for allocation totals. With DimRegion in GroupBy, every
// recipient is rolled up to its ancestor at RegionLevel (PROVINCE when nil),
// so a province's row includes its cities and counties.
type TotalsQuery struct {
	Filter      AllocationFilter
	GroupBy     []AllocationDimension
	RegionLevel *RegionLevel
}

// AllocationTotal is one group of TotalsQuery. Keys not grouped by are nil.
// SeparatelyPlannedAmount is the part of Amount that went to 计划单列市
// inside the group's region, so a province's figure can be read with or
// without them.
type AllocationTotal struct {
	Category                *FundCategory   `db:"category"`
	Source                  *FundSource     `db:"source"`
	Direction               *Direction      `db:"direction"`
	Year                    *int            `db:"year"`
	FundID                  *int64          `db:"fund_id"`
	RegionCode              *string         `db:"region_code"`
	Amount                  decimal.Decimal `db:"amount"`
	SeparatelyPlannedAmount decimal.Decimal `db:"separately_planned_amount"`
	Count                   int             `db:"count"`
}

// AllocationList is one page of allocations with the count and the summed
// amount of every allocation matching the query, read in one snapshot.
type AllocationList struct {
	Allocations []*Allocation
	Total       int
	Amount      decimal.Decimal
}

// AllocationService reads allocations and their totals.
type AllocationService interface {
	// FindAllocation returns the allocation, or ENOTFOUND if it does not
	// exist or lies outside the scope.
	FindAllocation(ctx context.Context, scope Scope, id int64) (*Allocation, error)
	// FindAllocations returns one page, newest year first, with the count
	// and amount of all visible allocations that match.
	FindAllocations(ctx context.Context, scope Scope, f AllocationFilter,
		p Page) (*AllocationList, error)
	// AllocationTotals sums visible allocations by the requested dimensions.
	AllocationTotals(ctx context.Context, scope Scope, q TotalsQuery) ([]*AllocationTotal, error)
	// SourceRecordsByAllocation returns the source records of each
	// allocation id, for dataloaders.
	SourceRecordsByAllocation(ctx context.Context,
		ids []int64) (map[int64][]*AllocationSourceRecord, error)
}
