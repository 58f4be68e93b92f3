package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"fundhub"
)

func (d *DB) upsertItem(ctx context.Context, tx *sqlx.Tx, it *fundhub.SyncItem) (fundhub.Outcome, error) {
	now := d.Now()
	switch {
	case it.Allocation != nil:
		return upsertAllocation(ctx, tx, it.Allocation, it.Data, now)
	case it.Target != nil:
		return upsertTarget(ctx, tx, it.Target, now)
	}

	return "", fundhub.Errorf(fundhub.EINVALID, "row %s maps to no entity", it.Ref)
}

// ensureFund returns the id of the fund of that name and year, creating it
// from ref when it does not exist.
func ensureFund(ctx context.Context, tx *sqlx.Tx, ref fundhub.FundRef) (int64, error) {
	var id int64
	err := tx.GetContext(ctx, &id, `SELECT id FROM funds WHERE name = $1 AND year = $2`,
		ref.Name, ref.Year)
	if err == nil || !isNoRows(err) {
		return id, err
	}

	owner := fundhub.NationalCode
	err = tx.GetContext(ctx, &id, `INSERT INTO funds
		(code, name, year, category, direction, owner_region)
		VALUES (NULLIF($1, ''), $2, $3, $4, $5, $6)
		ON CONFLICT (name, year) DO UPDATE SET name = EXCLUDED.name
		RETURNING id`, ref.Code, ref.Name, ref.Year, ref.Category, ref.Direction, owner)
	if err != nil {
		return 0, fmt.Errorf("creating fund %s %d: %w", ref.Name, ref.Year, err)
	}

	return id, nil
}

func ensureDocument(ctx context.Context, tx *sqlx.Tx, docNo, issuer string) (*int64, error) {
	if docNo == "" {
		return nil, nil
	}

	var id int64
	err := tx.GetContext(ctx, &id, `INSERT INTO approval_documents (doc_no, issuer_region)
		VALUES ($1, $2) ON CONFLICT (doc_no) DO UPDATE SET doc_no = EXCLUDED.doc_no
		RETURNING id`, docNo, issuer)
	if err != nil {
		return nil, fmt.Errorf("saving document %s: %w", docNo, err)
	}

	return &id, nil
}

type sourceRow struct {
	ID           int64           `db:"id"`
	AllocationID int64           `db:"allocation_id"`
	Amount       decimal.Decimal `db:"amount"`
	DocumentNo   *string         `db:"document_no"`
	Payload      []byte          `db:"payload"`
}

// upsertAllocation stores what one source says about an allocation. The
// source's record is keyed by (source system, external id); a record new to
// the hub joins the allocation of the same fund, regions and source that no
// record of its own system describes yet, or starts a new allocation.
func upsertAllocation(ctx context.Context, tx *sqlx.Tx, rec *fundhub.AllocationRecord,
	data map[string]string, now time.Time) (fundhub.Outcome, error) {
	payload, err := json.Marshal(data)
	if err != nil {
		return "", err
	}

	var cur sourceRow
	err = tx.GetContext(ctx, &cur, `SELECT id, allocation_id, amount, document_no, payload
		FROM allocation_sources WHERE source_system = $1 AND external_id = $2
		FOR UPDATE`, rec.SourceSystem, rec.ExternalID)
	switch {
	case err == nil:
		return updateSourceRecord(ctx, tx, cur, rec, payload, now)
	case !isNoRows(err):
		return "", fmt.Errorf("loading source record %s: %w", rec.ExternalID, err)
	}

	allocID, err := matchOrCreateAllocation(ctx, tx, rec, now)
	if err != nil {
		return "", err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO allocation_sources (allocation_id,
		source_system, external_id, amount, document_no, payload, last_synced_at)
		VALUES ($1, $2, $3, $4, NULLIF($5, ''), $6, $7)`, allocID, rec.SourceSystem,
		rec.ExternalID, rec.Amount, rec.DocumentNo, payload, now)
	if err != nil {
		return "", fmt.Errorf("saving source record %s: %w", rec.ExternalID, err)
	}

	return fundhub.Inserted, reconcileAllocation(ctx, tx, allocID, now)
}

func updateSourceRecord(ctx context.Context, tx *sqlx.Tx, cur sourceRow,
	rec *fundhub.AllocationRecord, payload []byte, now time.Time) (fundhub.Outcome, error) {
	doc := ""
	if cur.DocumentNo != nil {
		doc = *cur.DocumentNo
	}
	same := cur.Amount.Equal(rec.Amount) && doc == rec.DocumentNo && jsonEqual(cur.Payload, payload)

	if same {
		_, err := tx.ExecContext(ctx, `UPDATE allocation_sources SET last_synced_at = $2
			WHERE id = $1`, cur.ID, now)
		return fundhub.Unchanged, err
	}

	_, err := tx.ExecContext(ctx, `UPDATE allocation_sources SET amount = $2,
		document_no = NULLIF($3, ''), payload = $4, last_synced_at = $5 WHERE id = $1`,
		cur.ID, rec.Amount, rec.DocumentNo, payload, now)
	if err != nil {
		return "", fmt.Errorf("updating source record %s: %w", rec.ExternalID, err)
	}

	return fundhub.Updated, reconcileAllocation(ctx, tx, cur.AllocationID, now)
}

func jsonEqual(a, b []byte) bool {
	var x, y map[string]string
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	if len(x) != len(y) {
		return false
	}
	for k, v := range x {
		if w, ok := y[k]; !ok || w != v {
			return false
		}
	}

	return true
}
