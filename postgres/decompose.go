package postgres

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"fundhub"
)

// parentTarget is a target of the parent allocation.
type parentTarget struct {
	ID         int64   `db:"id"`
	Indicator  string  `db:"indicator"`
	Unit       *string `db:"unit"`
	Comparator *string `db:"comparator"`
}

// decompose stores the targets that travel with allocation id and checks
// that they break down every target of the parent: each names a target of
// the parent, in its unit, and no target of the parent is left without a
// share. What a missing share does is d.MissingTargets.
func (d *DB) decompose(ctx context.Context, tx *sqlx.Tx, g fundhub.Guard,
	in fundhub.AllocationInput, f *allocFund, parent *allocParent, id int64) error {
	var parents []parentTarget
	if parent != nil {
		err := tx.SelectContext(ctx, &parents, `SELECT id, indicator, unit, comparator
			FROM performance_targets WHERE allocation_id = $1 ORDER BY id`, parent.ID)
		if err != nil {
			return fmt.Errorf("reading the targets of allocation %d: %w", parent.ID, err)
		}
	}

	covered := map[int64]bool{}
	for i, t := range in.Targets {
		if err := checkShare(t, i, parents); err != nil {
			return err
		}
		if t.ParentID != nil {
			covered[*t.ParentID] = true
		}
		if err := insertTarget(ctx, tx, g, in, f, id, t); err != nil {
			return err
		}
	}

	for _, p := range parents {
		if !covered[p.ID] {
			return d.missingTarget(ctx, tx, g, in, id, p)
		}
	}

	return nil
}

// checkShare checks that target i of the input names a target of the
// parent, when it names one, in the parent's unit.
func checkShare(t *fundhub.TargetInput, i int, parents []parentTarget) error {
	if t.ParentID == nil {
		return nil
	}

	field := fmt.Sprintf("targets[%d]", i)
	for _, p := range parents {
		if p.ID != *t.ParentID {
			continue
		}
		switch {
		case p.Unit != nil && *p.Unit != t.Unit:
			return fundhub.Invalid(field+".unit", "%s is measured in %s, not %s",
				p.Indicator, *p.Unit, t.Unit)
		case t.Indicator != p.Indicator:
			return fundhub.Invalid(field+".indicator", "a share of %s keeps its indicator, "+
				"not %s", p.Indicator, t.Indicator)
		case p.Comparator != nil && comparatorOf(t) != *p.Comparator:
			return fundhub.Invalid(field+".comparator", "a share of %s keeps its comparator "+
				"%s", p.Indicator, *p.Comparator)
		}
		return nil
	}

	return fundhub.Invalid(field+".parentId", "target %d is not a target of the parent "+
		"allocation", *t.ParentID)
}

// comparatorOf is the comparator of t, >= when it gives none.
func comparatorOf(t *fundhub.TargetInput) string {
	if t.Comparator != nil {
		return *t.Comparator
	}

	return ">="
}

func insertTarget(ctx context.Context, tx *sqlx.Tx, g fundhub.Guard,
	in fundhub.AllocationInput, f *allocFund, allocationID int64,
	t *fundhub.TargetInput) error {
	comparator := comparatorOf(t)

	var id int64
	err := tx.GetContext(ctx, &id, `INSERT INTO performance_targets (allocation_id,
		project_id, region_code, fund_id, year, parent_id, level1, level2, indicator, unit,
		comparator, target_value) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		RETURNING id`, allocationID, in.ProjectID, in.ToRegion, f.ID, f.Year, t.ParentID,
		t.Level1, t.Level2, t.Indicator, t.Unit, comparator, t.TargetValue)
	if err != nil {
		return fmt.Errorf("storing target %s of allocation %d: %w", t.Indicator,
			allocationID, inputError(err))
	}

	return auditChange(ctx, tx, g, "target.create", "target", id, in.ToRegion, nil, "")
}

// missingTarget refuses an allocation that leaves target p of its parent
// without a share, or, when d.MissingTargets is FlagMissingTargets, raises
// a problem on it.
func (d *DB) missingTarget(ctx context.Context, tx *sqlx.Tx, g fundhub.Guard,
	in fundhub.AllocationInput, id int64, p parentTarget) error {
	if d.MissingTargets != FlagMissingTargets {
		return fundhub.Invalid("targets", "the parent's target %d (%s) is not broken down: "+
			"targets travel with the money", p.ID, p.Indicator)
	}

	var pid int64
	err := tx.GetContext(ctx, &pid, `INSERT INTO problems (kind, severity, region_code,
		allocation_id, rule, dedup_key, title, detail, raised_by)
		VALUES ('DATA_INCONSISTENCY', 'MINOR', $1, $2, 'targets_not_decomposed',
		$3, $4, $5, $6) RETURNING id`, in.ToRegion, id,
		fmt.Sprintf("targets_not_decomposed:%d", id),
		fmt.Sprintf("资金下达未同步分解绩效目标 (allocation %d)", id),
		fmt.Sprintf("The allocation does not break down the parent's target %d (%s); "+
			"targets must travel with the money.", p.ID, p.Indicator), g.Caller().Actor())
	if err != nil {
		return fmt.Errorf("raising the missing-target problem of allocation %d: %w", id, err)
	}

	return auditChange(ctx, tx, g, "problem.raise", "problem", pid, in.ToRegion, nil, "")
}
