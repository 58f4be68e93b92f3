package reservesim

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lib/pq"

	"fundhub/tools/simdata"
)

// copyProjects loads projects 0 to n-1 with COPY.
func copyProjects(ctx context.Context, tx *sql.Tx, ps *simdata.Projects, n int) error {
	stmt, err := tx.PrepareContext(ctx, pq.CopyInSchema("reserve", "projects",
		"project_code", "name", "region_code", "direction", "status",
		"planned_investment", "start_on", "end_on", "updated_at", "is_deleted"))
	if err != nil {
		return fmt.Errorf("copying projects: %w", err)
	}
	defer stmt.Close()

	for i := range n {
		p := ps.Project(i)
		_, err := stmt.ExecContext(ctx, p.Code, p.Name, p.RegionCode, p.Direction, p.Status,
			p.Investment.String(), simdata.FormatDate(p.StartOn), simdata.FormatDate(p.EndOn),
			simdata.FormatMicros(p.UpdatedAt), p.Deleted)
		if err != nil {
			return fmt.Errorf("copying project %s: %w", p.Code, err)
		}
	}

	return flush(ctx, stmt, "projects")
}

// flush ends a COPY: an Exec without arguments sends the buffered rows.
func flush(ctx context.Context, stmt *sql.Stmt, what string) error {
	if _, err := stmt.ExecContext(ctx); err != nil {
		return fmt.Errorf("copying %s: %w", what, err)
	}

	return nil
}
