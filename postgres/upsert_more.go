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

// allocationByRef finds the current allocation a record names by the key
// the allocation has in its source system, and the region it went to.
func allocationByRef(ctx context.Context, tx *sqlx.Tx, source, ref string) (int64, string, error) {
	var a allocTarget
	err := tx.GetContext(ctx, &a, `SELECT s.external_id, a.id, a.to_region
		FROM allocation_sources s JOIN allocations a ON a.id = s.allocation_id
		WHERE s.source_system = $1 AND s.external_id = $2 AND NOT s.withdrawn`,
		source, ref)
	if isNoRows(err) {
		return 0, "", noAllocation(source, ref)
	}
	if err != nil {
		return 0, "", fmt.Errorf("finding allocation %s: %w", ref, err)
	}

	return a.ID, a.Region, nil
}

// noAllocation is the rejection of a record naming an allocation the hub
// does not hold.
func noAllocation(source, ref string) *fundhub.Error {
	return fundhub.Invalid("allocation_ref", "no allocation %s from %s is in the hub: "+
		"not loaded yet, or withdrawn at its source", ref, source)
}

// upsertPayment stores one payment movement keyed by (source, external id),
// with the statement of the bulk path on a batch of one, so both paths
// store and audit alike. A refund names the payment it reverses by that
// payment's key, resolved once both are in.
func upsertPayment(ctx context.Context, tx *sqlx.Tx, it *fundhub.SyncItem,
	now time.Time) (fundhub.Outcome, error) {
	rec := it.Payment
	if rec.Withdrawn {
		return withdraw(ctx, tx, "payments", "payment", rec.SourceSystem, rec.ExternalID)
	}
	batch := []*fundhub.SyncItem{it}
	if err := resolveAllocations(ctx, tx, batch); err != nil {
		return "", err
	}
	if it.Reject != nil {
		return "", it.Reject
	}

	ins, upd, err := upsertPayments(ctx, tx, batch, now)
	switch {
	case err != nil:
		return "", err
	case ins == 1:
		return fundhub.Inserted, nil
	case upd == 1:
		return fundhub.Updated, nil
	}

	return fundhub.Unchanged, nil
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
