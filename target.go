package fundhub

import (
	"context"

	"github.com/shopspring/decimal"
)

// PerformanceTarget is one quantified indicator (绩效目标) that travels with
// money: level 1 is output, benefit or satisfaction (产出/效益/满意度), level 2
// the kind (数量, 质量, 时效, 成本, ...). A target belongs to an allocation or
// a project and may decompose a parent target of the level above.
type PerformanceTarget struct {
	ID           int64            `db:"id"`
	AllocationID *int64           `db:"allocation_id"`
	ProjectID    *int64           `db:"project_id"`
	RegionCode   string           `db:"region_code"`
	FundID       *int64           `db:"fund_id"`
	Year         int              `db:"year"`
	ParentID     *int64           `db:"parent_id"`
	Level1       *string          `db:"level1"`
	Level2       *string          `db:"level2"`
	Indicator    string           `db:"indicator"`
	Unit         *string          `db:"unit"`
	Comparator   *string          `db:"comparator"`
	TargetValue  *decimal.Decimal `db:"target_value"`
	// TargetText is the target as published when it is not a number
	// (定性, 2023年底), or the published text beside the parsed value.
	TargetText *string `db:"target_text"`
	Provenance
}

// TargetFilter selects performance targets. Nil fields do not filter.
type TargetFilter struct {
	RegionUnder  *string
	Year         *int
	AllocationID *int64
	ProjectID    *int64
	FundID       *int64
}

// TargetService reads performance targets.
type TargetService interface {
	// FindTargets returns one page of visible targets and the total count.
	FindTargets(ctx context.Context, scope Scope, f TargetFilter, p Page) ([]*PerformanceTarget,
		int, error)
}
