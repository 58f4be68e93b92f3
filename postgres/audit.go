package postgres

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// snapshot returns a row of table as JSON, keyed by its source and external
// id, for the before and after of an audit record; nil when there is none.
// table is one of this package's constants, never input.
func snapshot(ctx context.Context, tx *sqlx.Tx, table, source, externalID string) ([]byte, error) {
	var b []byte
	err := tx.GetContext(ctx, &b, `SELECT to_jsonb(t) FROM `+table+` t
		WHERE t.source_system = $1 AND t.external_id = $2`, source, externalID)
	if isNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s %s for the audit log: %w", table, externalID, err)
	}

	return b, nil
}

// auditSync writes an audit record of a change a sync made: the connector
// as actor, what it changed, before and after.
func auditSync(ctx context.Context, tx *sqlx.Tx, source, action, entity, externalID string,
	before, after []byte) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (actor, action, entity, entity_id,
		before, after) VALUES ($1, $2, $3, $4, $5, $6)`, "sync:"+source, action, entity,
		externalID, nullJSON(before), nullJSON(after))
	if err != nil {
		return fmt.Errorf("writing audit record of %s %s: %w", entity, externalID, err)
	}

	return nil
}

func nullJSON(b []byte) any {
	if b == nil {
		return nil
	}

	return string(b)
}

// audited runs change, which updates the row of table keyed by source and
// externalID, and writes an audit record with the row before and after when
// change reports an update.
func audited(ctx context.Context, tx *sqlx.Tx, table, entity, source, externalID string,
	change func() (bool, error)) (bool, error) {
	before, err := snapshot(ctx, tx, table, source, externalID)
	if err != nil {
		return false, err
	}
	updated, err := change()
	if err != nil || !updated {
		return updated, err
	}

	after, err := snapshot(ctx, tx, table, source, externalID)
	if err != nil {
		return false, err
	}

	return true, auditSync(ctx, tx, source, "sync.update", entity, externalID, before, after)
}
