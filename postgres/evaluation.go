package postgres

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"fundhub"
	"fundhub/authz"
)

// RecordEvaluation stores what an evaluation found a target reached, when
// the guard lets the caller review above the target's region, and audits
// it. A target out of the caller's sight answers as a missing one.
func (d *DB) RecordEvaluation(ctx context.Context, g fundhub.Guard,
	in fundhub.EvaluationInput) (int64, error) {
	switch {
	case in.Value.IsNegative() || !in.Value.Equal(in.Value.Round(6)):
		return 0, fundhub.Invalid("value", "must not be negative, with at most six decimals")
	case in.EvaluatedOn.After(today(d.Now())):
		return 0, fundhub.Invalid("evaluatedOn", "is in the future")
	case in.Note != nil && len([]rune(*in.Note)) > fundhub.MaxTextLength:
		return 0, fundhub.Invalid("note", "is longer than %d characters", fundhub.MaxTextLength)
	}

	var id int64
	err := d.inTx(ctx, func(tx *sqlx.Tx) error {
		var t struct {
			Region    string             `db:"region_code"`
			Direction *fundhub.Direction `db:"direction"`
		}
		err := tx.GetContext(ctx, &t, `SELECT t.region_code, f.direction
			FROM performance_targets t LEFT JOIN funds f ON f.id = t.fund_id
			WHERE t.id = $1`, in.TargetID)
		if err != nil {
			return notFound(err, "target", in.TargetID)
		}
		var dir fundhub.Direction
		if t.Direction != nil {
			dir = *t.Direction
		}
		if err := seen(g, authz.ActionReview, t.Region, dir, "target",
			in.TargetID); err != nil {
			return err
		}
		if err := g.AllowAbove(authz.ActionReview, t.Region, dir); err != nil {
			return err
		}

		err = tx.GetContext(ctx, &id, `INSERT INTO target_evaluations (target_id, value,
			evaluated_on, note, recorded_by) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			in.TargetID, in.Value, in.EvaluatedOn, in.Note, g.Caller().Actor())
		if err != nil {
			return fmt.Errorf("recording the evaluation of target %d: %w", in.TargetID,
				inputError(err))
		}
		uid := g.Caller().UserID

		return writeAudit(ctx, tx, fundhub.AuditRecord{UserID: &uid,
			Actor: g.Caller().Actor(), Action: "target.evaluate", Entity: "target",
			EntityID: fmt.Sprint(in.TargetID), RegionCode: t.Region,
			After: mustJSON(map[string]any{"value": in.Value,
				"evaluated_on": in.EvaluatedOn.Format("2006-01-02")})})
	})

	return id, err
}
