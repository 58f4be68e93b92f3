package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"fundhub"
	"fundhub/authz"
)

// SubmitReport submits the DRAFT or RETURNED report with id (submit at its
// region on the direction of each of its lines) after checking every line:
// an Errors with one BAD_USER_INPUT per fault, each naming lines[i] in the
// order the report lists them. It clears a return reason.
func (d *DB) SubmitReport(ctx context.Context, g fundhub.Guard,
	id int64) (*fundhub.ExecutionReport, error) {
	err := d.inTx(ctx, func(tx *sqlx.Tx) error {
		r, before, err := lockReport(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := seen(g, authz.ActionSubmit, r.RegionCode, "", "report", id); err != nil {
			return err
		}
		lines, err := loadLineFacts(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := allowLineDirections(ctx, tx, g, authz.ActionSubmit, r.RegionCode,
			lines); err != nil {
			return onField(err, "id")
		}
		if r.Status != fundhub.ReportDraft && r.Status != fundhub.ReportReturned {
			return statusConflict("cannot submit a report that is %s; it must be DRAFT "+
				"or RETURNED", r.Status)
		}
		// A report states the figures as of the quarter's end.
		if end := quarterEnd(r.Year, r.Quarter); today(d.Now()).Before(end) {
			return statusConflict("the quarter ends on %s; submit its report after that",
				end.AddDate(0, 0, -1).Format(time.DateOnly))
		}
		if err := checkLines(r.RegionCode, lines).Err(); err != nil {
			return err
		}

		_, err = tx.ExecContext(ctx, `UPDATE execution_reports SET status = 'SUBMITTED',
			submitted_at = $2, return_reason = NULL WHERE id = $1`, id, d.Now())
		if err != nil {
			return fmt.Errorf("submitting report %d: %w", id, err)
		}

		return auditReport(ctx, tx, g, "report.submit", r, before)
	})
	if err != nil {
		return nil, err
	}

	return d.FindReport(ctx, fundhub.FullScope(), id)
}

// allowLineDirections asks the guard for action at region, by the region
// itself, on every direction the lines have: whoever submits answers for
// each of them. A report without lines needs the action on some direction.
func allowLineDirections(ctx context.Context, tx *sqlx.Tx, g fundhub.Guard, action,
	region string, lines []*lineFacts) error {
	if err := g.AllowOwn(action, region, ""); err != nil {
		return err
	}
	asked := make(map[fundhub.Direction]bool)
	for _, l := range lines {
		if l.Withdrawn || asked[l.direction()] {
			continue
		}
		if err := g.Allow(action, region, l.direction()); err != nil {
			return err
		}
		asked[l.direction()] = true
	}
	if len(asked) == 0 {
		return g.Allow(action, region, "")
	}

	return nil
}

// ReviewReport accepts (REVIEWED) or returns (RETURNED, with reason) the
// SUBMITTED report with id; review on every direction by a level above the
// report's region. A return needs a reason.
func (d *DB) ReviewReport(ctx context.Context, g fundhub.Guard, id int64, accept bool,
	reason *string) (*fundhub.ExecutionReport, error) {
	why := trimmed(reason)
	if !accept && why == nil {
		return nil, fundhub.Invalid("reason", "say why the report is returned, so the "+
			"filing unit knows what to fix")
	}
	if why != nil {
		if err := fundhub.CheckLength("reason", *why, fundhub.MaxTextLength); err != nil {
			return nil, err
		}
	}

	m := moveSpec{step: "report.review", action: authz.ActionReview,
		from: fundhub.ReportSubmitted, update: `UPDATE execution_reports
			SET status = 'REVIEWED', reviewed_at = $2 WHERE id = $1`,
		args: []any{d.Now()}, reason: deref(why)}
	if !accept {
		m.step, m.args = "report.return", []any{*why}
		m.update = `UPDATE execution_reports SET status = 'RETURNED', return_reason = $2
			WHERE id = $1`
	}

	return d.moveReport(ctx, g, id, m)
}

// TransmitReport transmits the REVIEWED report with id to the ministry
// (transmit on every direction, by a level above its region). The report
// is locked afterwards: a change to it needs a change request.
func (d *DB) TransmitReport(ctx context.Context, g fundhub.Guard,
	id int64) (*fundhub.ExecutionReport, error) {
	return d.moveReport(ctx, g, id, moveSpec{step: "report.transmit",
		action: authz.ActionTransmit, from: fundhub.ReportReviewed,
		update: `UPDATE execution_reports SET status = 'TRANSMITTED', transmitted_at = $2
			WHERE id = $1`, args: []any{d.Now()}})
}

// moveSpec is one step of the review path taken by the level above.
type moveSpec struct {
	step   string
	action string
	from   fundhub.ReportStatus
	// update takes the report's id as $1 and args from $2 on.
	update string
	args   []any
	// reason is why, for the audit log.
	reason string
}

// moveReport takes the step m on the report with id, when the guard allows
// m.action by a level above the report's region and the report is m.from.
func (d *DB) moveReport(ctx context.Context, g fundhub.Guard, id int64,
	m moveSpec) (*fundhub.ExecutionReport, error) {
	err := d.inTx(ctx, func(tx *sqlx.Tx) error {
		r, before, err := lockReport(ctx, tx, id)
		if err == nil {
			err = seen(g, m.action, r.RegionCode, "", "report", id)
		}
		if err != nil {
			return err
		}
		if err := g.AllowProvince(m.action, r.RegionCode, authz.AnyDirection); err != nil {
			return onField(err, "id")
		}
		if r.Status != m.from {
			return statusConflict("cannot %s a report that is %s; it must be %s",
				strings.TrimPrefix(m.step, "report."), r.Status, m.from)
		}

		if _, err := tx.ExecContext(ctx, m.update, append([]any{id}, m.args...)...); err != nil {
			return fmt.Errorf("%s of report %d: %w", m.step, id, err)
		}

		return auditReport(ctx, tx, g, m.step, r, before, m.reason)
	})
	if err != nil {
		return nil, err
	}

	return d.FindReport(ctx, fundhub.FullScope(), id)
}

// lockReport reads the report with id for update, with its row and lines
// as JSON for the audit log.
func lockReport(ctx context.Context, tx *sqlx.Tx, id int64) (*fundhub.ExecutionReport,
	[]byte, error) {
	var r fundhub.ExecutionReport
	err := tx.GetContext(ctx, &r, `SELECT `+reportCols+` FROM execution_reports er
		WHERE er.id = $1 FOR UPDATE`, id)
	if err != nil {
		return nil, nil, notFound(err, "report", id)
	}
	before, err := reportJSON(ctx, tx, id)

	return &r, before, err
}

// reportJSON returns the report with id and its lines as one JSON object,
// so an audit record shows what a save replaced.
func reportJSON(ctx context.Context, tx *sqlx.Tx, id int64) ([]byte, error) {
	var b []byte
	err := tx.GetContext(ctx, &b, `SELECT to_jsonb(er) || jsonb_build_object('lines',
		COALESCE((SELECT jsonb_agg(to_jsonb(rl) ORDER BY rl.id) FROM report_lines rl
			WHERE rl.report_id = er.id), '[]'::jsonb))
		FROM execution_reports er WHERE er.id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("reading report %d for the audit log: %w", id, err)
	}

	return b, nil
}

// auditReport writes the audit record of step on report r by the guard's
// caller, with the report and its lines before and after.
func auditReport(ctx context.Context, tx *sqlx.Tx, g fundhub.Guard, step string,
	r *fundhub.ExecutionReport, before []byte, reason ...string) error {
	after, err := reportJSON(ctx, tx, r.ID)
	if err != nil {
		return err
	}
	c := g.Caller()
	uid := c.UserID

	return writeAudit(ctx, tx, fundhub.AuditRecord{UserID: &uid, Actor: c.Actor(),
		Action: step, Entity: "report", EntityID: fmt.Sprint(r.ID),
		RegionCode: r.RegionCode, Before: before, After: after,
		Reason: strings.Join(reason, "")})
}

// FindReport returns the report with id, or ENOTFOUND when it does not
// exist or lies outside the scope's regions.
func (d *DB) FindReport(ctx context.Context, s fundhub.Scope,
	id int64) (*fundhub.ExecutionReport, error) {
	var w where
	w.add("er.id = %s", id)
	w.scope(s, "er.region_code", "")

	return getOne[fundhub.ExecutionReport](ctx, d, reportList, &w, "report", id)
}

// ReportsByIDs returns the reports among ids that the scope sees, ordered
// by id, for dataloaders. Hidden and missing ids are left out.
func (d *DB) ReportsByIDs(ctx context.Context, s fundhub.Scope,
	ids []int64) ([]*fundhub.ExecutionReport, error) {
	var w where
	w.add("er.id = ANY(%s)", int64s(ids))
	w.scope(s, "er.region_code", "")

	return findAll[fundhub.ExecutionReport](ctx, d, reportList, &w)
}

// statusConflict is the CONFLICT of a step the record's status does not
// allow, naming the status as the field at fault.
func statusConflict(format string, args ...any) error {
	return &fundhub.Error{Code: fundhub.ECONFLICT, Field: "status",
		Message: fmt.Sprintf(format, args...)}
}

// onField names field on a refusal that names none, so the client knows
// which input it was refused on; other errors pass unchanged.
func onField(err error, field string) error {
	var e *fundhub.Error
	if errors.As(err, &e) && e.Field == "" {
		return &fundhub.Error{Code: e.Code, Field: field, Message: e.Message}
	}

	return err
}

// quarterEnd is the first day after quarter of year.
func quarterEnd(year, quarter int) time.Time {
	return time.Date(year, time.Month(3*quarter+1), 1, 0, 0, 0, 0, time.UTC)
}
