package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"fundhub"
)

// matchOrCreateAllocation finds the allocation a new source record describes
// or creates it. A transaction-level advisory lock on the natural key keeps
// two connectors loading the same allocation at once from creating it twice.
func matchOrCreateAllocation(ctx context.Context, tx *sqlx.Tx, rec *fundhub.AllocationRecord,
	now time.Time) (int64, error) {
	fundID, err := ensureFund(ctx, tx, rec.Fund)
	if err != nil {
		return 0, err
	}
	key := fmt.Sprintf("allocation/%d/%s/%s/%s", fundID, rec.FromRegion, rec.ToRegion, rec.Source)
	_, err = tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, key)
	if err != nil {
		return 0, fmt.Errorf("locking %s: %w", key, err)
	}

	// Among several allocations of the key (tranches of one year), one under
	// the same approval document is the better match.
	var id int64
	err = tx.GetContext(ctx, &id, `SELECT a.id FROM allocations a
		LEFT JOIN approval_documents d ON d.id = a.document_id
		WHERE a.fund_id = $1 AND a.from_region = $2 AND a.to_region = $3
		AND a.source = $4 AND a.project_id IS NULL AND NOT a.withdrawn
		AND NOT EXISTS (SELECT 1 FROM allocation_sources s
			WHERE s.allocation_id = a.id AND s.source_system = $5)
		ORDER BY (d.doc_no IS NOT DISTINCT FROM NULLIF($6, '')) DESC, a.id
		LIMIT 1`, fundID, rec.FromRegion, rec.ToRegion, rec.Source,
		rec.SourceSystem, rec.DocumentNo)
	if err == nil {
		return id, nil
	}
	if !isNoRows(err) {
		return 0, fmt.Errorf("matching allocation for %s: %w", rec.ExternalID, err)
	}

	docID, err := ensureDocument(ctx, tx, rec.DocumentNo, rec.FromRegion)
	if err != nil {
		return 0, err
	}
	err = tx.GetContext(ctx, &id, `INSERT INTO allocations (fund_id, from_region,
		to_region, amount, source, document_id, issued_on, created_at, updated_at,
		source_system, external_id, last_synced_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $8) RETURNING id`,
		fundID, rec.FromRegion, rec.ToRegion, rec.Amount, rec.Source, docID,
		rec.IssuedOn, now, rec.SourceSystem, rec.ExternalID)
	if err != nil {
		return 0, fmt.Errorf("creating allocation for %s: %w", rec.ExternalID, err)
	}

	return id, nil
}

type sourceFigure struct {
	SourceSystem string          `db:"source_system"`
	ExternalID   string          `db:"external_id"`
	Amount       decimal.Decimal `db:"amount"`
	DocumentNo   *string         `db:"document_no"`
}

// reconcileAllocation sets an allocation's amount and conflict flag from its
// source records. When the sources agree the amount is theirs; when they
// differ the first source's amount stays, the allocation is flagged, and a
// DATA_INCONSISTENCY problem names every source's figure. The problem is
// resolved with a note once the sources agree again.
func reconcileAllocation(ctx context.Context, tx *sqlx.Tx, id int64, now time.Time) error {
	var figs []sourceFigure
	if err := tx.SelectContext(ctx, &figs, `SELECT source_system, external_id, amount,
		document_no FROM allocation_sources WHERE allocation_id = $1 AND NOT withdrawn
		ORDER BY id`, id); err != nil {
		return fmt.Errorf("loading sources of allocation %d: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE allocations SET withdrawn = $2, updated_at = $3
		WHERE id = $1 AND withdrawn <> $2`, id, len(figs) == 0, now); err != nil {
		return fmt.Errorf("updating allocation %d: %w", id, err)
	}
	if len(figs) == 0 {
		return recordConflict(ctx, tx, id, false, nil, now)
	}

	conflict := false
	for _, f := range figs[1:] {
		if !f.Amount.Equal(figs[0].Amount) {
			conflict = true
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE allocations SET amount = $2, conflict = $3,
		updated_at = $4 WHERE id = $1 AND (amount, conflict) IS DISTINCT FROM ($2, $3)`,
		id, figs[0].Amount, conflict, now); err != nil {
		return fmt.Errorf("updating allocation %d: %w", id, err)
	}

	return recordConflict(ctx, tx, id, conflict, figs, now)
}

func recordConflict(ctx context.Context, tx *sqlx.Tx, id int64, conflict bool,
	figs []sourceFigure, now time.Time) error {
	key := fmt.Sprintf("source-conflict:allocation:%d", id)
	if !conflict {
		_, err := tx.ExecContext(ctx, `UPDATE problems SET status = 'RESOLVED',
			resolved_at = $2, resolution_note = '来源数据已一致 (the sources agree again)'
			WHERE dedup_key = $1 AND status IN ('OPEN', 'ACKNOWLEDGED')`, key, now)
		if err != nil {
			return fmt.Errorf("resolving conflict of allocation %d: %w", id, err)
		}
		return nil
	}

	parts := make([]string, len(figs))
	for i, f := range figs {
		parts[i] = fmt.Sprintf("%s (%s): %s 元", f.SourceSystem, f.ExternalID,
			f.Amount.StringFixed(2))
	}
	detail := "来源数据不一致 (sources disagree on the amount): " + strings.Join(parts, "; ") +
		". The allocation keeps the first source's figure until the sources agree."

	_, err := tx.ExecContext(ctx, `INSERT INTO problems (kind, severity, region_code,
		allocation_id, rule, dedup_key, title, detail, raised_by, raised_at)
		SELECT 'DATA_INCONSISTENCY', 'MAJOR', a.to_region, a.id, 'source_disagreement',
			$2, '资金下达金额来源不一致', $3, 'sync', $4
		FROM allocations a WHERE a.id = $1
		ON CONFLICT (dedup_key) DO UPDATE SET detail = EXCLUDED.detail,
			status = CASE WHEN problems.status IN ('RESOLVED', 'CLOSED')
				THEN 'OPEN' ELSE problems.status END,
			resolved_at = NULL, resolution_note = NULL`, id, key, detail, now)
	if err != nil {
		return fmt.Errorf("recording conflict of allocation %d: %w", id, err)
	}

	return nil
}
