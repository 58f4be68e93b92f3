package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"fundhub"
)

// outcome turns the result of an upsert whose RETURNING says whether it
// inserted into an outcome: no row back means nothing changed.
func outcome(inserted bool, err error, what string) (fundhub.Outcome, error) {
	switch {
	case err == nil && inserted:
		return fundhub.Inserted, nil
	case err == nil:
		return fundhub.Updated, nil
	case isNoRows(err):
		return fundhub.Unchanged, nil
	}

	return "", fmt.Errorf("saving %s: %w", what, err)
}

// paymentAllocation finds the allocation a payment names, by the key it has
// in its source system, and the region it went to.
func paymentAllocation(ctx context.Context, tx *sqlx.Tx,
	rec *fundhub.PaymentRecord) (*int64, string, error) {
	if rec.AllocationRef == "" {
		return nil, rec.RegionCode, nil
	}

	var a struct {
		ID     int64  `db:"id"`
		Region string `db:"to_region"`
	}
	err := tx.GetContext(ctx, &a, `SELECT a.id, a.to_region FROM allocation_sources s
		JOIN allocations a ON a.id = s.allocation_id
		WHERE s.source_system = $1 AND s.external_id = $2`,
		rec.AllocationSource, rec.AllocationRef)
	if isNoRows(err) {
		return nil, "", fundhub.Invalid("allocation_ref", "no allocation %s from %s is in the hub: "+
			"not loaded yet, or withdrawn at its source", rec.AllocationRef, rec.AllocationSource)
	}
	if err != nil {
		return nil, "", fmt.Errorf("finding allocation %s: %w", rec.AllocationRef, err)
	}
	if rec.RegionCode != "" {
		return &a.ID, rec.RegionCode, nil
	}

	return &a.ID, a.Region, nil
}

// upsertPayment stores one payment movement keyed by (source, external id).
// A refund names the payment it reverses by that payment's key, resolved
// once both are in.
func upsertPayment(ctx context.Context, tx *sqlx.Tx, rec *fundhub.PaymentRecord,
	now time.Time) (fundhub.Outcome, error) {
	if rec.Withdrawn {
		return withdraw(ctx, tx, "payments", "payment", rec.SourceSystem, rec.ExternalID)
	}
	allocID, region, err := paymentAllocation(ctx, tx, rec)
	if err != nil {
		return "", err
	}

	var inserted bool
	_, err = audited(ctx, tx, "payments", "payment", rec.SourceSystem, rec.ExternalID,
		func() (bool, error) {
			err := tx.GetContext(ctx, &inserted, `INSERT INTO payments (allocation_id,
				region_code, source, amount, paid_on, reverses_external_id, project_code,
				source_system, external_id, last_synced_at)
			VALUES ($1, $2, NULLIF($3, ''), $4, $5, NULLIF($6, ''), NULLIF($7, ''),
				$8, $9, $10)
			ON CONFLICT (source_system, external_id) WHERE source_system IS NOT NULL
			DO UPDATE SET allocation_id = EXCLUDED.allocation_id,
				region_code = EXCLUDED.region_code, source = EXCLUDED.source,
				amount = EXCLUDED.amount, paid_on = EXCLUDED.paid_on,
				reverses_external_id = EXCLUDED.reverses_external_id,
				project_code = EXCLUDED.project_code, withdrawn = false,
				last_synced_at = EXCLUDED.last_synced_at
			WHERE (payments.allocation_id, payments.region_code, payments.source,
				payments.amount, payments.paid_on, payments.reverses_external_id,
				payments.project_code, payments.withdrawn)
			IS DISTINCT FROM (EXCLUDED.allocation_id, EXCLUDED.region_code,
				EXCLUDED.source, EXCLUDED.amount, EXCLUDED.paid_on,
				EXCLUDED.reverses_external_id, EXCLUDED.project_code, false)
			RETURNING xmax = 0`, allocID, region, rec.Source, rec.Amount, rec.PaidOn,
				rec.Reverses, rec.ProjectCode, rec.SourceSystem, rec.ExternalID, now)
			return err == nil && !inserted, err
		})
	if isNoRows(err) {
		return fundhub.Unchanged, nil
	}

	return outcome(inserted, err, "payment "+rec.ExternalID)
}

// linkRefunds points refunds of a source at the payments they reverse, once
// both are in the hub.
func linkRefunds(ctx context.Context, tx *sqlx.Tx, source string) error {
	_, err := tx.ExecContext(ctx, `UPDATE payments p SET reverses_id = o.id
		FROM payments o WHERE p.source_system = $1 AND p.reverses_id IS NULL
		AND p.reverses_external_id IS NOT NULL AND o.source_system = p.source_system
		AND o.external_id = p.reverses_external_id`, source)
	if err != nil {
		return fmt.Errorf("linking refunds of %s: %w", source, err)
	}

	return nil
}

// withdraw marks the record of table with the key withdrawn, as its source
// deleted it, and audits the change. A record the hub never had is left
// alone: there is nothing to withdraw.
func withdraw(ctx context.Context, tx *sqlx.Tx, table, entity, source,
	externalID string) (fundhub.Outcome, error) {
	updated, err := audited(ctx, tx, table, entity, source, externalID, func() (bool, error) {
		res, err := tx.ExecContext(ctx, `UPDATE `+table+` SET withdrawn = true
			WHERE source_system = $1 AND external_id = $2 AND NOT withdrawn`,
			source, externalID)
		if err != nil {
			return false, fmt.Errorf("withdrawing %s %s: %w", entity, externalID, err)
		}
		n, err := res.RowsAffected()
		return n > 0, err
	})
	if err != nil || !updated {
		return fundhub.Unchanged, err
	}

	return fundhub.Updated, nil
}
