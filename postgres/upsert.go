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

func (d *DB) upsertItem(ctx context.Context, tx *sqlx.Tx,
	it *fundhub.SyncItem) (fundhub.Outcome, error) {
	now := d.Now()
	switch {
	case it.Allocation != nil && it.Allocation.Withdrawn:
		return withdrawAllocationSource(ctx, tx, it.Allocation, now)
	case it.Allocation != nil:
		return upsertAllocation(ctx, tx, it.Allocation, it.Data, now)
	case it.Target != nil && it.Target.Withdrawn:
		return withdraw(ctx, tx, "performance_targets", "target",
			it.Target.SourceSystem, it.Target.ExternalID)
	case it.Target != nil:
		return upsertTarget(ctx, tx, it.Target, now)
	case it.Payment != nil:
		return upsertPayment(ctx, tx, it, now)
	case it.Project != nil:
		return upsertProject(ctx, tx, it.Project, now)
	case it.Fund != nil:
		return upsertFund(ctx, tx, it.Fund, now)
	case it.ReportLine != nil:
		return upsertReportLine(ctx, tx, it.ReportLine, now)
	}

	return "", fundhub.Errorf(fundhub.EINVALID, "row %s maps to no entity", it.Ref)
}

// ensureFund returns the id of the fund of that name and year held by the
// owner's budget, creating it from ref when it does not exist. A fund that
// exists with another category or direction is an EINVALID error naming
// both, never silently merged.
func ensureFund(ctx context.Context, tx *sqlx.Tx, ref fundhub.FundRef) (int64, error) {
	var cur struct {
		ID        int64  `db:"id"`
		Category  string `db:"category"`
		Direction string `db:"direction"`
	}
	err := tx.GetContext(ctx, &cur, `SELECT id, category, direction FROM funds
		WHERE name = $1 AND year = $2 AND owner_region = $3`,
		ref.Name, ref.Year, ref.OwnerRegion)
	if err == nil {
		return cur.ID, fundClash(ref, cur.Category, cur.Direction)
	}
	if !isNoRows(err) {
		return 0, fmt.Errorf("loading fund %s %d: %w", ref.Name, ref.Year, err)
	}

	return createFund(ctx, tx, ref)
}

func fundClash(ref fundhub.FundRef, category, direction string) error {
	switch {
	case category != string(ref.Category):
		return fundhub.Invalid("category", "fund %s %d is %s in the hub; the row says %s",
			ref.Name, ref.Year, category, ref.Category)
	case direction != string(ref.Direction):
		return fundhub.Invalid("direction", "fund %s %d serves %s in the hub; the row says %s",
			ref.Name, ref.Year, direction, ref.Direction)
	}

	return nil
}

func createFund(ctx context.Context, tx *sqlx.Tx, ref fundhub.FundRef) (int64, error) {
	var known bool
	if err := tx.GetContext(ctx, &known, `SELECT EXISTS (SELECT 1 FROM directions
		WHERE code = $1)`, ref.Direction); err != nil {
		return 0, fmt.Errorf("checking direction %s: %w", ref.Direction, err)
	}
	if !known {
		return 0, fundhub.Invalid("direction", "direction %q is not one the hub knows",
			ref.Direction)
	}

	// A local fund's level is its owner's: a province, city or county budget.
	var id int64
	err := tx.GetContext(ctx, &id, `INSERT INTO funds
		(code, name, year, category, direction, owner_region, local_level)
		SELECT NULLIF($1, ''), $2, $3, $4, $5, r.code,
			CASE WHEN $4 = 'LOCAL' THEN r.level END
		FROM regions r WHERE r.code = $6
		ON CONFLICT (name, year, owner_region) DO UPDATE SET name = EXCLUDED.name
		RETURNING id`, ref.Code, ref.Name, ref.Year, ref.Category, ref.Direction,
		ref.OwnerRegion)
	if isNoRows(err) {
		return 0, fundhub.Invalid("fund_owner", "fund owner region %s does not exist",
			ref.OwnerRegion)
	}
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
	Withdrawn    bool            `db:"withdrawn"`
}

// upsertAllocation stores what one source says about an allocation. The
// source's record is keyed by (source system, external id); a record new to
// the hub joins the allocation of the same fund, regions and source that no
// record of its own system describes yet, or starts a new allocation.
func upsertAllocation(ctx context.Context, tx *sqlx.Tx, rec *fundhub.AllocationRecord,
	data map[string]string, now time.Time) (fundhub.Outcome, error) {
	payload, err := json.Marshal(data)
	if err != nil {
		return "", fmt.Errorf("encoding row of %s: %w", rec.ExternalID, err)
	}

	var cur sourceRow
	err = tx.GetContext(ctx, &cur, `SELECT id, allocation_id, amount, document_no, payload,
		withdrawn FROM allocation_sources WHERE source_system = $1 AND external_id = $2
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

// updateSourceRecord applies what a source now says about a record the hub
// has: unchanged, changed in place, or moved to another allocation when its
// fund, year, regions or source changed. Every change is audited.
func updateSourceRecord(ctx context.Context, tx *sqlx.Tx, cur sourceRow,
	rec *fundhub.AllocationRecord, payload []byte, now time.Time) (fundhub.Outcome, error) {
	same, err := matchesAllocation(ctx, tx, cur.AllocationID, rec)
	if err != nil {
		return "", err
	}
	if same && unchangedSource(cur, rec, payload) {
		_, err := tx.ExecContext(ctx, `UPDATE allocation_sources SET last_synced_at = $2
			WHERE id = $1`, cur.ID, now)
		if err != nil {
			return "", fmt.Errorf("touching source record %s: %w", rec.ExternalID, err)
		}
		return fundhub.Unchanged, nil
	}

	_, err = audited(ctx, tx, "allocation_sources", "allocation", rec.SourceSystem,
		rec.ExternalID, func() (bool, error) {
			if !same {
				return true, reattach(ctx, tx, cur, rec, payload, now)
			}
			return true, updateInPlace(ctx, tx, cur, rec, payload, now)
		})
	if err != nil {
		return "", err
	}

	return fundhub.Updated, nil
}

func unchangedSource(cur sourceRow, rec *fundhub.AllocationRecord, payload []byte) bool {
	doc := ""
	if cur.DocumentNo != nil {
		doc = *cur.DocumentNo
	}

	return !cur.Withdrawn && cur.Amount.Equal(rec.Amount) && doc == rec.DocumentNo &&
		jsonEqual(cur.Payload, payload)
}

func updateInPlace(ctx context.Context, tx *sqlx.Tx, cur sourceRow,
	rec *fundhub.AllocationRecord, payload []byte, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE allocation_sources SET amount = $2,
		document_no = NULLIF($3, ''), payload = $4, last_synced_at = $5, withdrawn = false
		WHERE id = $1`, cur.ID, rec.Amount, rec.DocumentNo, payload, now)
	if err != nil {
		return fmt.Errorf("updating source record %s: %w", rec.ExternalID, err)
	}

	return reconcileAllocation(ctx, tx, cur.AllocationID, now)
}

// matchesAllocation reports whether a source record still describes the
// allocation it is attached to: same fund, year, regions and source.
func matchesAllocation(ctx context.Context, tx *sqlx.Tx, id int64,
	rec *fundhub.AllocationRecord) (bool, error) {
	var ok bool
	err := tx.GetContext(ctx, &ok, `SELECT f.name = $2 AND f.year = $3
		AND a.from_region = $4 AND a.to_region = $5 AND a.source = $6
		AND f.owner_region = $7 AND f.category = $8
		FROM allocations a JOIN funds f ON f.id = a.fund_id WHERE a.id = $1`,
		id, rec.Fund.Name, rec.Fund.Year, rec.FromRegion, rec.ToRegion, rec.Source,
		rec.Fund.OwnerRegion, rec.Fund.Category)
	if err != nil {
		return false, fmt.Errorf("checking allocation %d: %w", id, err)
	}

	return ok, nil
}

// reattach moves a source record whose source corrected its fund, year,
// regions or source to the allocation it now describes. The allocation it
// leaves is reconciled from its remaining sources, or marked withdrawn when
// none is left: allocations are never deleted.
func reattach(ctx context.Context, tx *sqlx.Tx, cur sourceRow, rec *fundhub.AllocationRecord,
	payload []byte, now time.Time) error {
	to, err := matchOrCreateAllocation(ctx, tx, rec, now)
	if err != nil {
		return err
	}

	_, err = tx.ExecContext(ctx, `UPDATE allocation_sources SET allocation_id = $2,
		amount = $3, document_no = NULLIF($4, ''), payload = $5, last_synced_at = $6,
		withdrawn = false WHERE id = $1`, cur.ID, to, rec.Amount, rec.DocumentNo, payload, now)
	if err != nil {
		return fmt.Errorf("moving source record %s: %w", rec.ExternalID, err)
	}
	if err := reconcileAllocation(ctx, tx, to, now); err != nil {
		return err
	}

	return reconcileAllocation(ctx, tx, cur.AllocationID, now)
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

// withdrawAllocationSource marks a source's record of an allocation
// withdrawn, as the source deleted it, and reconciles the allocation from
// the records left: with none left it is withdrawn too.
func withdrawAllocationSource(ctx context.Context, tx *sqlx.Tx, rec *fundhub.AllocationRecord,
	now time.Time) (fundhub.Outcome, error) {
	var allocID int64
	updated, err := audited(ctx, tx, "allocation_sources", "allocation", rec.SourceSystem,
		rec.ExternalID, func() (bool, error) {
			err := tx.GetContext(ctx, &allocID, `UPDATE allocation_sources
				SET withdrawn = true, last_synced_at = $3
				WHERE source_system = $1 AND external_id = $2 AND NOT withdrawn
				RETURNING allocation_id`, rec.SourceSystem, rec.ExternalID, now)
			if isNoRows(err) {
				return false, nil
			}
			return err == nil, err
		})
	if err != nil || !updated {
		return fundhub.Unchanged, err
	}

	return fundhub.Updated, reconcileAllocation(ctx, tx, allocID, now)
}
