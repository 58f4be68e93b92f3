package postgres

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"fundhub"
	"fundhub/authz"
)

// lineFacts is a stored report line with what the checks before
// submission need of the allocation, project and target it names.
type lineFacts struct {
	ID           int64            `db:"id"`
	AllocationID *int64           `db:"allocation_id"`
	ProjectID    *int64           `db:"project_id"`
	Source       *string          `db:"source"`
	PaidAmount   *decimal.Decimal `db:"paid_amount"`
	TargetID     *int64           `db:"target_id"`
	ActualValue  *decimal.Decimal `db:"actual_value"`
	Unit         *string          `db:"unit"`
	Note         *string          `db:"note"`
	Withdrawn    bool             `db:"withdrawn"`
	SourceSystem *string          `db:"source_system"`
	// Direction is the line's: its allocation's fund's, else its
	// project's, else its target's fund's; nil when it has none.
	Direction *string `db:"direction"`

	AllocRegion         *string          `db:"alloc_region"`
	AllocAmount         *decimal.Decimal `db:"alloc_amount"`
	AllocSource         *string          `db:"alloc_source"`
	ProjectRegion       *string          `db:"project_region"`
	TargetRegion        *string          `db:"target_region"`
	TargetUnit          *string          `db:"target_unit"`
	TargetAllocRegion   *string          `db:"target_alloc_region"`
	TargetProjectRegion *string          `db:"target_project_region"`
}

// direction returns the line's direction, or every direction for a line
// that names nothing with one.
func (l *lineFacts) direction() fundhub.Direction {
	if l.Direction == nil {
		return authz.AnyDirection
	}

	return fundhub.Direction(*l.Direction)
}

// loadLineFacts returns every line of the report with id, in the order
// the report lists them (by id), withdrawn ones included so that lines[i]
// means the same line to the checks and to the client.
func loadLineFacts(ctx context.Context, tx *sqlx.Tx, id int64) ([]*lineFacts, error) {
	var out []*lineFacts
	err := tx.SelectContext(ctx, &out, `SELECT rl.id, rl.allocation_id, rl.project_id,
		rl.source, rl.paid_amount, rl.target_id, rl.actual_value, rl.unit, rl.note,
		rl.withdrawn, rl.source_system,
		COALESCE(af.direction, p.direction, tf.direction) AS direction,
		a.to_region AS alloc_region, a.amount AS alloc_amount, a.source AS alloc_source,
		p.region_code AS project_region, t.region_code AS target_region,
		t.unit AS target_unit, ta.to_region AS target_alloc_region,
		tp.region_code AS target_project_region
		FROM report_lines rl
		LEFT JOIN allocations a ON a.id = rl.allocation_id
		LEFT JOIN funds af ON af.id = a.fund_id
		LEFT JOIN projects p ON p.id = rl.project_id
		LEFT JOIN performance_targets t ON t.id = rl.target_id
		LEFT JOIN funds tf ON tf.id = t.fund_id
		LEFT JOIN allocations ta ON ta.id = t.allocation_id
		LEFT JOIN projects tp ON tp.id = t.project_id
		WHERE rl.report_id = $1
		ORDER BY rl.id`, id)
	if err != nil {
		return nil, fmt.Errorf("loading lines of report %d: %w", id, err)
	}

	return out, nil
}

// checkLines returns every fault of a report of region with lines, one
// BAD_USER_INPUT per fault naming lines[i] and the field: money and
// targets of another region, a source that is not the allocation's, a
// negative payment, more paid on an allocation than it carries, an actual
// value without its target or in another unit. Withdrawn lines are not
// checked.
func checkLines(region string, lines []*lineFacts) fundhub.Errors {
	var errs fundhub.Errors
	paid := make(map[int64]decimal.Decimal)
	live := 0
	for i, l := range lines {
		if l.Withdrawn {
			continue
		}
		live++
		fault := func(field, format string, args ...any) {
			errs = append(errs, fundhub.Invalid(lineField(i, field),
				"line %d: "+format, append([]any{l.ID}, args...)...))
		}
		checkWhose(region, l, fault)
		checkPaid(l, paid, fault)
		checkActual(region, l, fault)
	}
	if live == 0 {
		errs = append(errs, fundhub.Invalid("lines", "the report has no line to submit"))
	}

	return errs
}

type faultFunc func(field, format string, args ...any)

// checkWhose faults an allocation or project of another region, and a
// source that is not the allocation's.
func checkWhose(region string, l *lineFacts, fault faultFunc) {
	if l.AllocRegion != nil && *l.AllocRegion != region {
		fault("allocationId", "allocation %d went to %s, not to %s", *l.AllocationID,
			*l.AllocRegion, region)
	}
	if l.ProjectRegion != nil && *l.ProjectRegion != region {
		fault("projectId", "project %d is in %s, not in %s", *l.ProjectID,
			*l.ProjectRegion, region)
	}
	if l.Source != nil && l.AllocSource != nil && *l.Source != *l.AllocSource {
		fault("source", "allocation %d carries %s, not %s", *l.AllocationID,
			*l.AllocSource, *l.Source)
	}
}

// checkPaid faults a negative payment and the line at which the payments
// on one allocation add up to more than it carries; paid keeps the running
// sums.
func checkPaid(l *lineFacts, paid map[int64]decimal.Decimal, fault faultFunc) {
	if l.PaidAmount == nil {
		return
	}
	if l.PaidAmount.IsNegative() {
		fault("paidAmount", "a cumulative payment cannot be negative, not %s",
			l.PaidAmount)
		return
	}
	if l.AllocationID == nil || l.AllocAmount == nil {
		return
	}

	id := *l.AllocationID
	before := paid[id]
	paid[id] = before.Add(*l.PaidAmount)
	if before.LessThanOrEqual(*l.AllocAmount) && paid[id].GreaterThan(*l.AllocAmount) {
		fault("paidAmount", "%s paid in all on allocation %d is more than its amount %s",
			paid[id], id, l.AllocAmount)
	}
}

// checkActual faults an actual value without its target, a unit that is
// not the target's, and a target that is not the region's.
func checkActual(region string, l *lineFacts, fault faultFunc) {
	if l.ActualValue != nil && l.TargetID == nil {
		fault("targetId", "an actual value needs the target it measures")
	}
	if l.TargetID == nil {
		return
	}

	if l.Unit != nil && (l.TargetUnit == nil || *l.Unit != *l.TargetUnit) {
		fault("unit", "target %d is measured in %s, not %s", *l.TargetID,
			orNone(l.TargetUnit), *l.Unit)
	}
	if !oneOf(region, l.TargetRegion, l.TargetAllocRegion, l.TargetProjectRegion) {
		fault("targetId", "target %d is not one of %s or of its allocations and projects",
			*l.TargetID, region)
	}
}

func orNone(s *string) string {
	if s == nil {
		return "no unit"
	}

	return *s
}

// oneOf reports whether any of codes is region.
func oneOf(region string, codes ...*string) bool {
	for _, c := range codes {
		if c != nil && *c == region {
			return true
		}
	}

	return false
}
