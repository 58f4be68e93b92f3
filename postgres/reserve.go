package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"fundhub"
	"fundhub/authz"
)

// ApplyProject stores a project APPLIED to the reserve, when the guard
// allows writing at its region and direction, and audits it.
func (d *DB) ApplyProject(ctx context.Context, g fundhub.Guard,
	in fundhub.ProjectApplication) (*fundhub.Project, error) {
	if err := checkApplication(in); err != nil {
		return nil, err
	}

	var id int64
	err := d.inTx(ctx, func(tx *sqlx.Tx) error {
		level, err := currentRegion(ctx, tx, "regionCode", in.RegionCode)
		if err != nil {
			return err
		}
		if fundhub.RegionLevel(level) == fundhub.LevelNational {
			return fundhub.Invalid("regionCode", "projects are carried out by provinces, "+
				"cities and counties")
		}
		if err := g.AllowOwn(authz.ActionWrite, in.RegionCode, in.Direction); err != nil {
			return err
		}

		err = tx.GetContext(ctx, &id, `INSERT INTO projects (code, name, region_code,
			direction, reserve_status, start_on, end_on, planned_investment)
			VALUES ($1, $2, $3, $4, 'APPLIED', $5, $6, $7) RETURNING id`, in.Code, in.Name,
			in.RegionCode, in.Direction, in.StartOn, in.EndOn, in.PlannedInvestment)
		if pgCode(err) == sqlUniqueViolation {
			return &fundhub.Error{Code: fundhub.ECONFLICT, Field: "code",
				Message: "the project code is taken"}
		}
		if err != nil {
			return fmt.Errorf("applying for project %s: %w", in.Name, inputError(err))
		}

		return auditChange(ctx, tx, g, "project.apply", "project", id, in.RegionCode, nil, "")
	})
	if err != nil {
		return nil, err
	}

	return d.FindProject(ctx, fundhub.FullScope(), id)
}

func checkApplication(in fundhub.ProjectApplication) error {
	if err := fundhub.CheckLength("name", in.Name, fundhub.MaxNameLength); err != nil {
		return err
	}
	if in.Code != nil {
		if err := fundhub.CheckLength("code", *in.Code, 100); err != nil {
			return err
		}
	}
	switch {
	case !fundhub.Fen(in.PlannedInvestment):
		return fundhub.Invalid("plannedInvestment", "is in yuan with at most two decimals")
	case strings.TrimSpace(in.Name) == "":
		return fundhub.Invalid("name", "is required")
	case in.PlannedInvestment.IsNegative():
		return fundhub.Invalid("plannedInvestment", "must not be negative")
	case in.StartOn != nil && in.EndOn != nil && in.EndOn.Before(*in.StartOn):
		return fundhub.Invalid("endOn", "is before startOn")
	}

	return nil
}

// stepActions is the action each reserve step needs; admitting is done by
// a level above the project.
var stepActions = map[fundhub.ReserveStep]string{
	fundhub.StepFile:      authz.ActionSubmit,
	fundhub.StepAdmit:     authz.ActionReview,
	fundhub.StepStart:     authz.ActionWrite,
	fundhub.StepAdjust:    authz.ActionWrite,
	fundhub.StepTerminate: authz.ActionWrite,
	fundhub.StepComplete:  authz.ActionWrite,
}

// MoveProject moves the project with id through step, when the guard
// allows and the step may start from the project's status. Adjusting and
// terminating need approvalRef; adj holds what an adjustment changes.
func (d *DB) MoveProject(ctx context.Context, g fundhub.Guard, id int64,
	step fundhub.ReserveStep, approvalRef *string,
	adj *fundhub.ProjectAdjustment) (*fundhub.Project, error) {
	needsApproval := step == fundhub.StepAdjust || step == fundhub.StepTerminate
	if needsApproval && (approvalRef == nil || strings.TrimSpace(*approvalRef) == "") {
		return nil, fundhub.Invalid("approvalRef", "an adjustment or termination needs "+
			"the reference of its approval")
	}
	if approvalRef != nil {
		if err := fundhub.CheckLength("approvalRef", *approvalRef,
			fundhub.MaxNameLength); err != nil {
			return nil, err
		}
	}

	err := d.inTx(ctx, func(tx *sqlx.Tx) error {
		p, before, err := lockProject(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := seen(g, stepActions[step], p.RegionCode, p.Direction, "project",
			id); err != nil {
			return err
		}
		if err := allowStep(g, step, p); err != nil {
			return err
		}
		next, err := fundhub.NextReserveStatus(p.ReserveStatus, step)
		if err != nil {
			return err
		}

		if err := updateProject(ctx, tx, id, next, approvalRef, adj); err != nil {
			return err
		}

		return auditChange(ctx, tx, g, "project."+string(step), "project", id, p.RegionCode,
			before, deref(approvalRef))
	})
	if err != nil {
		return nil, err
	}

	return d.FindProject(ctx, fundhub.FullScope(), id)
}

// allowStep asks for a step's action: admitting by a level above, every
// other step by the project's own region.
func allowStep(g fundhub.Guard, step fundhub.ReserveStep, p *fundhub.Project) error {
	if step == fundhub.StepAdmit {
		return g.AllowAbove(stepActions[step], p.RegionCode, p.Direction)
	}

	return g.AllowOwn(stepActions[step], p.RegionCode, p.Direction)
}

// lockProject reads the project with id for update, with its row as JSON.
func lockProject(ctx context.Context, tx *sqlx.Tx, id int64) (*fundhub.Project, []byte,
	error) {
	var p fundhub.Project
	err := tx.GetContext(ctx, &p, `SELECT `+projectCols+` FROM projects p
		WHERE p.id = $1 FOR UPDATE`, id)
	if err != nil {
		return nil, nil, notFound(err, "project", id)
	}
	before, err := rowJSON(ctx, tx, "projects", id)

	return &p, before, err
}

func updateProject(ctx context.Context, tx *sqlx.Tx, id int64, status fundhub.ReserveStatus,
	approvalRef *string, adj *fundhub.ProjectAdjustment) error {
	if adj == nil {
		adj = &fundhub.ProjectAdjustment{}
	}
	if adj.Name != nil && strings.TrimSpace(*adj.Name) == "" {
		return fundhub.Invalid("changes.name", "must not be blank")
	}
	if adj.PlannedInvestment != nil && (adj.PlannedInvestment.IsNegative() ||
		!fundhub.Fen(*adj.PlannedInvestment)) {
		return fundhub.Invalid("changes.plannedInvestment", "must be yuan, not negative, "+
			"with at most two decimals")
	}
	if adj.Name != nil {
		if err := fundhub.CheckLength("changes.name", *adj.Name,
			fundhub.MaxNameLength); err != nil {
			return err
		}
	}

	_, err := tx.ExecContext(ctx, `UPDATE projects SET reserve_status = $2,
		approval_ref = COALESCE($3, approval_ref), name = COALESCE($4, name),
		planned_investment = COALESCE($5, planned_investment),
		start_on = COALESCE($6, start_on), end_on = COALESCE($7, end_on)
		WHERE id = $1`, id, status, approvalRef, adj.Name, adj.PlannedInvestment,
		adj.StartOn, adj.EndOn)
	if pgCode(err) == sqlCheckViolation {
		return fundhub.Invalid("changes.endOn", "the project would end before it starts")
	}
	if err != nil {
		return fmt.Errorf("moving project %d to %s: %w", id, status, inputError(err))
	}

	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}

	return *s
}
