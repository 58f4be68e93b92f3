package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"fundhub"
)

// upsertReportLine stores one line of a quarterly execution report keyed by
// (source, external id), creating the region's report for the quarter as a
// draft when it has none. A report already transmitted to the ministry is
// locked: a change to it goes through a change request, so the line is
// rejected.
func upsertReportLine(ctx context.Context, tx *sqlx.Tx, rec *fundhub.ReportLineRecord,
	now time.Time) (fundhub.Outcome, error) {
	if err := lineUnlocked(ctx, tx, rec); err != nil {
		return "", err
	}
	if rec.Withdrawn {
		return withdraw(ctx, tx, "report_lines", "report_line", rec.SourceSystem,
			rec.ExternalID)
	}
	reportID, err := openReport(ctx, tx, rec)
	if err != nil {
		return "", err
	}
	allocID, err := lineAllocation(ctx, tx, rec)
	if err != nil {
		return "", err
	}

	var inserted bool
	_, err = audited(ctx, tx, "report_lines", "report_line", rec.SourceSystem, rec.ExternalID,
		func() (bool, error) {
			err := tx.GetContext(ctx, &inserted, reportLineSQL, reportID, allocID,
				rec.ProjectCode, rec.Source, rec.PaidAmount, rec.ActualValue, rec.Note,
				rec.SourceSystem, rec.ExternalID, now)
			return err == nil && !inserted, err
		})
	if isNoRows(err) {
		return fundhub.Unchanged, nil
	}

	return outcome(inserted, err, "report line "+rec.ExternalID)
}

const reportLineSQL = `INSERT INTO report_lines (report_id, allocation_id,
	project_id, project_code, source, paid_amount, actual_value, note,
	source_system, external_id, last_synced_at)
VALUES ($1, $2, (SELECT id FROM projects WHERE code = NULLIF($3, '')), NULLIF($3, ''),
	NULLIF($4, ''), $5, $6, NULLIF($7, ''), $8, $9, $10)
ON CONFLICT (source_system, external_id) WHERE source_system IS NOT NULL
DO UPDATE SET report_id = EXCLUDED.report_id, allocation_id = EXCLUDED.allocation_id,
	project_id = EXCLUDED.project_id, project_code = EXCLUDED.project_code,
	source = EXCLUDED.source, paid_amount = EXCLUDED.paid_amount,
	actual_value = EXCLUDED.actual_value, note = EXCLUDED.note, withdrawn = false,
	last_synced_at = EXCLUDED.last_synced_at
WHERE (report_lines.report_id, report_lines.allocation_id, report_lines.project_code,
	report_lines.source, report_lines.paid_amount, report_lines.actual_value,
	report_lines.note, report_lines.withdrawn)
IS DISTINCT FROM (EXCLUDED.report_id, EXCLUDED.allocation_id, EXCLUDED.project_code,
	EXCLUDED.source, EXCLUDED.paid_amount, EXCLUDED.actual_value, EXCLUDED.note, false)
RETURNING xmax = 0`

// openReport returns the id of the region's report for the quarter,
// creating a draft, and refuses a transmitted one.
func openReport(ctx context.Context, tx *sqlx.Tx, rec *fundhub.ReportLineRecord) (int64, error) {
	var r struct {
		ID     int64  `db:"id"`
		Status string `db:"status"`
	}
	err := tx.GetContext(ctx, &r, `INSERT INTO execution_reports (region_code, year, quarter)
		VALUES ($1, $2, $3) ON CONFLICT (region_code, year, quarter)
		DO UPDATE SET region_code = EXCLUDED.region_code RETURNING id, status`,
		rec.RegionCode, rec.Year, rec.Quarter)
	if err != nil {
		return 0, fmt.Errorf("opening report %s %dQ%d: %w", rec.RegionCode, rec.Year,
			rec.Quarter, err)
	}
	if r.Status == string(fundhub.ReportTransmitted) {
		return 0, fundhub.Invalid("quarter", "the report of %s for %dQ%d was transmitted to "+
			"the ministry; a change to it needs a change request", rec.RegionCode, rec.Year,
			rec.Quarter)
	}

	return r.ID, nil
}

// lineAllocation finds the allocation a report line names, if it names one.
func lineAllocation(ctx context.Context, tx *sqlx.Tx,
	rec *fundhub.ReportLineRecord) (*int64, error) {
	if rec.AllocationRef == "" {
		return nil, nil
	}
	id, _, err := allocationByRef(ctx, tx, rec.AllocationSource, rec.AllocationRef)
	if err != nil {
		return nil, err
	}

	return &id, nil
}

// lineUnlocked refuses any change to a line the hub holds in a report
// already transmitted to the ministry: it cannot be withdrawn, changed or
// moved to another report but through a change request.
func lineUnlocked(ctx context.Context, tx *sqlx.Tx, rec *fundhub.ReportLineRecord) error {
	var status string
	err := tx.GetContext(ctx, &status, `SELECT r.status FROM report_lines l
		JOIN execution_reports r ON r.id = l.report_id
		WHERE l.source_system = $1 AND l.external_id = $2 FOR UPDATE OF r`,
		rec.SourceSystem, rec.ExternalID)
	if isNoRows(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("loading the report of line %s: %w", rec.ExternalID, err)
	}
	if status == string(fundhub.ReportTransmitted) {
		return fundhub.Invalid("quarter", "line %s belongs to a report transmitted to the "+
			"ministry; a change to it needs a change request", rec.ExternalID)
	}

	return nil
}
