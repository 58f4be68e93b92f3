// Package reservesim is a stand-in for a project-reserve database
// (项目储备库), for fundhub's demo and tests; it is not part of the product.
// Seed fills a schema "reserve" with made-up projects on real counties and
// their performance targets (绩效目标), deterministic from a seed. The
// project codes are those of simdata.Projects, so the finance sim's
// indicators and vouchers name projects found here.
package reservesim

import (
	"context"
	"database/sql"
	"fmt"

	"fundhub/tools/simdata"
)

// Options configure Seed. The zero value seeds simdata.DefaultProjects
// projects from seed 0.
type Options struct {
	// Seed selects the data; use the finance sim's seed so that project
	// codes agree.
	Seed int64
	// Projects is how many projects to make (default
	// simdata.DefaultProjects); project i is simdata project i.
	Projects int
	// Regions is the region tree (default: the list embedded in refdata).
	Regions *simdata.Regions
}

// Seed drops and recreates the schema reserve and fills it, in one
// transaction, so a failed seed leaves the old data. Rows go in with COPY,
// so db must use the lib/pq driver ("postgres"). Do not run two Seeds on
// one database at once.
func Seed(ctx context.Context, db *sql.DB, o Options) error {
	if o.Projects <= 0 {
		o.Projects = simdata.DefaultProjects
	}
	if o.Regions == nil {
		rs, err := simdata.LoadRegions()
		if err != nil {
			return fmt.Errorf("seeding reserve: %w", err)
		}
		o.Regions = rs
	}

	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("seeding reserve: beginning: %w", err)
	}
	defer tx.Rollback()

	if err := fill(ctx, tx, o); err != nil {
		return fmt.Errorf("seeding reserve: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("seeding reserve: committing: %w", err)
	}

	return nil
}

func fill(ctx context.Context, tx *sql.Tx, o Options) error {
	if err := execAll(ctx, tx, "creating tables", schemaDDL); err != nil {
		return err
	}

	ps := simdata.NewProjects(o.Seed, o.Regions)
	if err := copyProjects(ctx, tx, ps, o.Projects); err != nil {
		return err
	}
	if err := execAll(ctx, tx, "adding keys", keyDDL); err != nil {
		return err
	}
	if err := insertTargets(ctx, tx, o.Seed); err != nil {
		return err
	}

	return execAll(ctx, tx, "adding indexes", indexDDL)
}

func execAll(ctx context.Context, tx *sql.Tx, step string, stmts []string) error {
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", step, err)
		}
	}

	return nil
}

// Touch moves a project's updated_at one second past the latest of any
// project, as an edit in the reserve would. Touches are serialised, so
// each gets a time of its own.
func Touch(ctx context.Context, db *sql.DB, projectCode string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("touching project %s: %w", projectCode, err)
	}
	defer tx.Rollback()

	// The lock serialises touches; taken in a statement of its own, it lets
	// the update's snapshot see the touch that held it before.
	if _, err := tx.ExecContext(ctx, touchLockSQL); err != nil {
		return fmt.Errorf("touching project %s: locking: %w", projectCode, err)
	}
	res, err := tx.ExecContext(ctx, touchSQL, projectCode)
	if err != nil {
		return fmt.Errorf("touching project %s: %w", projectCode, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("touching project %s: no such project", projectCode)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("touching project %s: committing: %w", projectCode, err)
	}

	return nil
}

const (
	touchLockSQL = `SELECT pg_advisory_xact_lock(hashtext('reservesim.touch'))`
	touchSQL     = `UPDATE reserve.projects
SET updated_at = (SELECT max(updated_at) FROM reserve.projects) + interval '1 second'
WHERE project_code = $1`
)
