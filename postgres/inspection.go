package postgres

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"fundhub"
	"fundhub/authz"
)

// RunInspection runs every check of article 25 over the subtree of
// in.RegionCode for in.Year, or over a seeded sample of its projects, when
// the guard lets the caller review there, and keeps the findings, in one
// transaction.
func (d *DB) RunInspection(ctx context.Context, g fundhub.Guard,
	in fundhub.InspectionInput) (*fundhub.InspectionRun, error) {
	if err := checkInspection(in, d.Now().Year()); err != nil {
		return nil, err
	}

	var run fundhub.InspectionRun
	err := d.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := currentRegion(ctx, tx, "regionCode", in.RegionCode); err != nil {
			return err
		}
		if err := g.Allow(authz.ActionReview, in.RegionCode, ""); err != nil {
			return err
		}
		err := tx.GetContext(ctx, &run, `INSERT INTO inspection_runs (region_code, year,
			sample_size, seed, started_by) VALUES ($1, $2, $3, $4, $5)
			RETURNING `+inspectionRunCols,
			in.RegionCode, in.Year, in.SampleSize, in.Seed, g.Caller().Actor())
		if err != nil {
			return fmt.Errorf("starting the inspection: %w", inputError(err))
		}

		if run.FindingCount, err = runChecks(ctx, tx, run, in); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE inspection_runs SET findings = $2 WHERE id = $1`,
			run.ID, run.FindingCount)
		if err != nil {
			return fmt.Errorf("counting findings of inspection %d: %w", run.ID, err)
		}

		return writeAudit(ctx, tx, fundhub.AuditRecord{UserID: &g.Caller().UserID,
			Actor: g.Caller().Actor(), Action: "inspection.run", Entity: "inspection",
			EntityID: fmt.Sprint(run.ID), RegionCode: in.RegionCode,
			Reason: fmt.Sprintf("%d findings", run.FindingCount)})
	})
	if err != nil {
		return nil, err
	}

	return &run, nil
}

const inspectionRunCols = `id, region_code, year, sample_size, seed, started_by,
	started_at, findings`

func checkInspection(in fundhub.InspectionInput, thisYear int) error {
	switch {
	case in.Year < 1949 || in.Year > thisYear:
		return fundhub.Invalid("year", "must lie between 1949 and %d", thisYear)
	case (in.SampleSize == nil) != (in.Seed == nil):
		return fundhub.Invalid("seed", "a sample needs both sampleSize and seed")
	case in.SampleSize != nil && (*in.SampleSize < 1 || *in.SampleSize > 100000):
		return fundhub.Invalid("sampleSize", "must lie between 1 and 100000")
	}

	return nil
}

// runChecks runs every check and returns how many findings they kept.
func runChecks(ctx context.Context, tx *sqlx.Tx, run fundhub.InspectionRun,
	in fundhub.InspectionInput) (int, error) {
	total := 0
	for _, c := range inspectionChecks {
		res, err := tx.ExecContext(ctx, inspectionScope+c.query, run.ID, in.RegionCode,
			in.Year, in.Seed, in.SampleSize)
		if err != nil {
			return 0, fmt.Errorf("inspection check %s: %w", c.name, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, fmt.Errorf("inspection check %s: %w", c.name, err)
		}
		total += int(n)
	}

	return total, nil
}

// InspectionRuns returns one page of the inspections the scope sees (of its
// regions, or of regions above them), newest first.
func (d *DB) InspectionRuns(ctx context.Context, s fundhub.Scope,
	p fundhub.Page) ([]*fundhub.InspectionRun, int, error) {
	var w where
	runScope(&w, s)

	return findPage[fundhub.InspectionRun](ctx, d, inspectionRunList, &w, p)
}

var inspectionRunList = listQuery{what: "inspections",
	cols: `ir.id, ir.region_code, ir.year, ir.sample_size, ir.seed, ir.started_by,
		ir.started_at, ir.findings`,
	from: `inspection_runs ir`, order: `ir.started_at DESC, ir.id DESC`, key: `ir.id`}

// FindInspectionFindings returns one page of a run's findings that the
// scope sees (regions, and directions where a finding has one), by check.
func (d *DB) FindInspectionFindings(ctx context.Context, s fundhub.Scope, runID int64,
	check *string, p fundhub.Page) ([]*fundhub.InspectionFinding, int, error) {
	w := findingWhere(s, runID, check)

	return findPage[fundhub.InspectionFinding](ctx, d, findingList, w, p)
}

// EachInspectionFinding calls fn with every finding of the run the scope
// sees, in id order, reading them in batches keyed on the last id so an
// export of a national run never holds them all nor counts them again.
func (d *DB) EachInspectionFinding(ctx context.Context, s fundhub.Scope, runID int64,
	fn func(*fundhub.InspectionFinding) error) error {
	const batch = 1000
	w := findingWhere(s, runID, nil)
	q := `SELECT ` + findingList.cols + ` FROM ` + findingList.from + ` ` + w.sql() +
		` AND fi.id > $` + fmt.Sprint(len(w.args)+1) + ` ORDER BY fi.id LIMIT ` +
		fmt.Sprint(batch)
	for after := int64(0); ; {
		var rows []*fundhub.InspectionFinding
		if err := d.db.SelectContext(ctx, &rows, q, append(w.args, after)...); err != nil {
			return fmt.Errorf("exporting findings of inspection %d: %w", runID, err)
		}
		for _, r := range rows {
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(rows) < batch {
			return nil
		}
		after = rows[len(rows)-1].ID
	}
}

func findingWhere(s fundhub.Scope, runID int64, check *string) *where {
	w := &where{}
	w.add("fi.run_id = %s", runID)
	opt(w, "fi.check_name = %s", check)
	w.scope(s, "fi.region_code", "")
	if !s.All && len(s.Directions) > 0 {
		w.add("(fi.direction IS NULL OR fi.direction = ANY(%s))", directionArray(s.Directions))
	}

	return w
}

var findingList = listQuery{what: "inspection findings",
	cols: `fi.id, fi.run_id, fi.check_name, fi.severity, fi.region_code, fi.direction,
		fi.allocation_id, fi.project_id, fi.payment_id, fi.report_id, fi.target_id,
		fi.detail`,
	from: `inspection_findings fi`, order: `fi.check_name, fi.region_code, fi.id`,
	key: `fi.id`}

// FindInspectionRun returns the inspection with id, or ENOTFOUND when it
// does not exist or its region lies outside the scope.
func (d *DB) FindInspectionRun(ctx context.Context, s fundhub.Scope,
	id int64) (*fundhub.InspectionRun, error) {
	var w where
	w.add("ir.id = %s", id)
	runScope(&w, s)

	return getOne[fundhub.InspectionRun](ctx, d, inspectionRunList, &w, "inspection", id)
}

// runScope shows an inspection to whoever sees its region, and to the
// regions below it, which see the findings about themselves.
func runScope(w *where, s fundhub.Scope) {
	if s.All {
		return
	}
	if len(s.RegionCodes) == 0 {
		w.add("false")
		return
	}

	roots := pq.Array(s.RegionCodes)
	w.add(`(ir.region_code IN (`+subtreeCodes+`) OR EXISTS (SELECT 1 FROM regions sr
		JOIN regions rr ON sr.path LIKE rr.path || '%%'
		WHERE sr.code = ANY(%s) AND rr.code = ir.region_code))`, roots, roots)
}
