package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"fundhub"
)

// upsertProject stores a project of the reserve keyed by (source, external
// id), and audits a change to one the hub already had.
func upsertProject(ctx context.Context, tx *sqlx.Tx, rec *fundhub.ProjectRecord,
	now time.Time) (fundhub.Outcome, error) {
	if rec.Withdrawn {
		return withdraw(ctx, tx, "projects", "project", rec.SourceSystem, rec.ExternalID)
	}

	var inserted bool
	_, err := audited(ctx, tx, "projects", "project", rec.SourceSystem, rec.ExternalID,
		func() (bool, error) {
			err := tx.GetContext(ctx, &inserted, `INSERT INTO projects (code, name,
				region_code, direction, reserve_status, planned_investment, start_on,
				end_on, source_system, external_id, last_synced_at)
			VALUES (NULLIF($1, ''), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			ON CONFLICT (source_system, external_id) WHERE source_system IS NOT NULL
			DO UPDATE SET code = EXCLUDED.code, name = EXCLUDED.name,
				region_code = EXCLUDED.region_code, direction = EXCLUDED.direction,
				reserve_status = EXCLUDED.reserve_status,
				planned_investment = EXCLUDED.planned_investment,
				start_on = EXCLUDED.start_on, end_on = EXCLUDED.end_on, withdrawn = false,
				last_synced_at = EXCLUDED.last_synced_at
			WHERE (projects.code, projects.name, projects.region_code, projects.direction,
				projects.reserve_status, projects.planned_investment, projects.start_on,
				projects.end_on, projects.withdrawn)
			IS DISTINCT FROM (EXCLUDED.code, EXCLUDED.name, EXCLUDED.region_code,
				EXCLUDED.direction, EXCLUDED.reserve_status, EXCLUDED.planned_investment,
				EXCLUDED.start_on, EXCLUDED.end_on, false)
			RETURNING xmax = 0`, rec.Code, rec.Name, rec.RegionCode, rec.Direction,
				rec.ReserveStatus, rec.PlannedInvestment, rec.StartOn, rec.EndOn,
				rec.SourceSystem, rec.ExternalID, now)
			return err == nil && !inserted, err
		})
	if isNoRows(err) {
		return fundhub.Unchanged, nil
	}

	return outcome(inserted, err, "project "+rec.ExternalID)
}

// upsertFund stores a fund a source declares, keyed like every fund by name
// and year; the source's provenance is kept on it.
func upsertFund(ctx context.Context, tx *sqlx.Tx, rec *fundhub.FundRecord,
	now time.Time) (fundhub.Outcome, error) {
	if rec.Withdrawn {
		return withdraw(ctx, tx, "funds", "fund", rec.SourceSystem, rec.ExternalID)
	}
	var existed bool
	if err := tx.GetContext(ctx, &existed, `SELECT EXISTS (SELECT 1 FROM funds
		WHERE name = $1 AND year = $2 AND owner_region = $3)`, rec.Fund.Name,
		rec.Fund.Year, rec.Fund.OwnerRegion); err != nil {
		return "", fmt.Errorf("loading fund %s: %w", rec.ExternalID, err)
	}
	if _, err := ensureFund(ctx, tx, rec.Fund); err != nil {
		return "", err
	}

	var provenanceWasEmpty bool
	_, err := audited(ctx, tx, "funds", "fund", rec.SourceSystem, rec.ExternalID,
		func() (bool, error) {
			err := fundProvenance(ctx, tx, rec, now, &provenanceWasEmpty)
			return err == nil && existed, err
		})
	if isNoRows(err) {
		return fundhub.Unchanged, nil
	}

	return outcome(!existed && err == nil, err, "fund "+rec.ExternalID)
}

// fundProvenance records the source of a fund it declares.
func fundProvenance(ctx context.Context, tx *sqlx.Tx, rec *fundhub.FundRecord, now time.Time,
	wasEmpty *bool) error {
	return tx.GetContext(ctx, wasEmpty, `UPDATE funds SET code = NULLIF($3, ''),
		source_system = $4, external_id = $5, last_synced_at = $6, withdrawn = false
		WHERE name = $1 AND year = $2 AND owner_region = $7
			AND (code, source_system, external_id, withdrawn)
			IS DISTINCT FROM (NULLIF($3, ''), $4, $5, false)
		RETURNING source_system IS NULL`, rec.Fund.Name, rec.Fund.Year, rec.Fund.Code,
		rec.SourceSystem, rec.ExternalID, now, rec.Fund.OwnerRegion)
}
