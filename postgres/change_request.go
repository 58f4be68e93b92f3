package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"fundhub"
	"fundhub/authz"
)

// reportEntity is the entity of change requests to execution reports.
const reportEntity = "execution_report"

const changeCols = `cr.id, cr.entity_id, cr.region_code, cr.changes, cr.reason, cr.status,
	cr.requested_by, cr.requested_at, cr.decided_by, cr.decided_at, cr.decision_note,
	cr.applied_at`

// changeList is the FROM clause and order of change request lists; the
// join to regions serves RegionUnder.
var changeList = listQuery{what: "change requests", cols: changeCols,
	from:  `change_requests cr JOIN regions rg ON rg.code = cr.region_code`,
	order: `cr.requested_at DESC, cr.id DESC`, key: `cr.id`}

// changeRow is a change request as stored, its changes still JSON.
type changeRow struct {
	fundhub.ChangeRequest
	ChangesJSON []byte `db:"changes"`
}

// RequestChange asks the ministry to change lines of the TRANSMITTED
// report with reportID (transmit on every direction, by a level above the
// report's region: the province finance department), saying why. Each
// change names a line of the report and changes at least one of its
// fields; the report as changed must still pass the checks of submission.
// The request is PENDING until decided.
func (d *DB) RequestChange(ctx context.Context, g fundhub.Guard, reportID int64,
	changes []*fundhub.LineChange, reason string) (*fundhub.ChangeRequest, error) {
	why := strings.TrimSpace(reason)
	if err := fundhub.CheckLength("reason", why, fundhub.MaxTextLength); err != nil {
		return nil, err
	}
	if why == "" {
		return nil, fundhub.Invalid("reason", "say what is wrong and why it must change")
	}
	if len(changes) == 0 {
		return nil, fundhub.Invalid("changes", "name at least one line to change")
	}

	var id int64
	err := d.inTx(ctx, func(tx *sqlx.Tx) error {
		r, _, err := lockReport(ctx, tx, reportID)
		if err != nil {
			return err
		}
		if err := seen(g, authz.ActionTransmit, r.RegionCode, "", "report",
			reportID); err != nil {
			return err
		}
		if err := g.AllowProvince(authz.ActionTransmit, r.RegionCode,
			authz.AnyDirection); err != nil {
			return onField(err, "reportId")
		}
		if r.Status != fundhub.ReportTransmitted {
			return statusConflict("the report is %s: only a transmitted report takes a "+
				"change request; before that its reviewer returns it", r.Status)
		}
		lines, err := loadLineFacts(ctx, tx, reportID)
		if err != nil {
			return err
		}
		if err := checkChanges(changes, lines).Err(); err != nil {
			return err
		}
		if err := checkLines(r.RegionCode, changed(lines, changes)).Err(); err != nil {
			return err
		}

		id, err = d.insertChange(ctx, tx, g, r, changes, why)
		if err != nil {
			return err
		}

		return auditChange(ctx, tx, g, "change.request", "change_request", id,
			r.RegionCode, nil, why)
	})
	if err != nil {
		return nil, err
	}

	return d.findChange(ctx, id)
}

// checkChanges names every change that points to no live line of the
// report, repeats a line, changes nothing or pays a negative amount.
func checkChanges(changes []*fundhub.LineChange, lines []*lineFacts) fundhub.Errors {
	byID := make(map[int64]*lineFacts, len(lines))
	for _, l := range lines {
		if !l.Withdrawn {
			byID[l.ID] = l
		}
	}

	var errs fundhub.Errors
	changed := make(map[int64]bool)
	for i, c := range changes {
		field := func(f string) string { return fmt.Sprintf("changes[%d].%s", i, f) }
		l := byID[c.LineID]
		switch {
		case l == nil:
			errs = append(errs, fundhub.Invalid(field("lineId"),
				"line %d is not a line of this report", c.LineID))
		case changed[c.LineID]:
			errs = append(errs, fundhub.Invalid(field("lineId"),
				"line %d is changed twice; put both changes in one", c.LineID))
		case !changesLine(c, l):
			errs = append(errs, fundhub.Invalid(fmt.Sprintf("changes[%d]", i),
				"the change leaves line %d as it is", c.LineID))
		case c.PaidAmount != nil && c.PaidAmount.IsNegative():
			errs = append(errs, fundhub.Invalid(field("paidAmount"),
				"a cumulative payment cannot be negative"))
		case c.PaidAmount != nil && !fundhub.Fen(*c.PaidAmount):
			errs = append(errs, fundhub.Invalid(field("paidAmount"),
				"is in yuan with at most two decimals (fen)"))
		case c.ActualValue != nil && !c.ActualValue.Equal(c.ActualValue.Round(6)):
			errs = append(errs, fundhub.Invalid(field("actualValue"),
				"has more than six decimals"))
		case c.Note != nil && len([]rune(*c.Note)) > fundhub.MaxTextLength:
			errs = append(errs, fundhub.Invalid(field("note"),
				"is longer than %d characters", fundhub.MaxTextLength))
		}
		changed[c.LineID] = true
	}

	return errs
}

// changesLine reports whether c sets a field of l to another value.
func changesLine(c *fundhub.LineChange, l *lineFacts) bool {
	if c.PaidAmount != nil && (l.PaidAmount == nil || !c.PaidAmount.Equal(*l.PaidAmount)) {
		return true
	}
	if c.ActualValue != nil &&
		(l.ActualValue == nil || !c.ActualValue.Equal(*l.ActualValue)) {
		return true
	}
	return c.Note != nil && (l.Note == nil || *c.Note != *l.Note)
}

// changed returns copies of lines with changes applied, for checking the
// report as it would be.
func changed(lines []*lineFacts, changes []*fundhub.LineChange) []*lineFacts {
	byID := make(map[int64]*fundhub.LineChange, len(changes))
	for _, c := range changes {
		byID[c.LineID] = c
	}

	out := make([]*lineFacts, len(lines))
	for i, l := range lines {
		cp := *l
		if c := byID[l.ID]; c != nil {
			if c.PaidAmount != nil {
				cp.PaidAmount = c.PaidAmount
			}
			if c.ActualValue != nil {
				cp.ActualValue = c.ActualValue
			}
		}
		out[i] = &cp
	}

	return out
}

// insertChange stores a PENDING request of the guard's caller to change r.
func (d *DB) insertChange(ctx context.Context, tx *sqlx.Tx, g fundhub.Guard,
	r *fundhub.ExecutionReport, changes []*fundhub.LineChange, why string) (int64, error) {
	b, err := json.Marshal(changes)
	if err != nil {
		return 0, fmt.Errorf("encoding changes of report %d: %w", r.ID, err)
	}

	var id int64
	err = tx.GetContext(ctx, &id, `INSERT INTO change_requests (entity, entity_id,
		region_code, changes, reason, requested_by, requested_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, reportEntity, r.ID,
		r.RegionCode, string(b), why, g.Caller().Actor(), d.Now())
	if err != nil {
		return 0, fmt.Errorf("requesting a change of report %d: %w", r.ID, inputError(err))
	}

	return id, nil
}

// DecideChange approves or rejects the PENDING change request with id,
// with a note; only the ministry's finance department decides
// (decide_change at the nation itself).
func (d *DB) DecideChange(ctx context.Context, g fundhub.Guard, id int64, approve bool,
	note string) (*fundhub.ChangeRequest, error) {
	why := strings.TrimSpace(note)
	if err := fundhub.CheckLength("note", why, fundhub.MaxTextLength); err != nil {
		return nil, err
	}
	if why == "" {
		return nil, fundhub.Invalid("note", "say why the change is approved or rejected")
	}
	status, step := fundhub.ChangeRejected, "change.reject"
	if approve {
		status, step = fundhub.ChangeApproved, "change.approve"
	}

	err := d.inTx(ctx, func(tx *sqlx.Tx) error {
		cr, before, err := lockChange(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := seen(g, authz.ActionDecideChange, cr.RegionCode, "", "change request",
			id); err != nil {
			return err
		}
		if err := g.Allow(authz.ActionDecideChange, fundhub.NationalCode,
			authz.AnyDirection); err != nil {
			return onField(err, "id")
		}
		if cr.Status != fundhub.ChangePending {
			return statusConflict("the change request is %s: only a PENDING one is "+
				"decided", cr.Status)
		}

		_, err = tx.ExecContext(ctx, `UPDATE change_requests SET status = $2,
			decided_by = $3, decided_at = $4, decision_note = $5 WHERE id = $1`, id,
			status, g.Caller().Actor(), d.Now(), why)
		if err != nil {
			return fmt.Errorf("deciding change request %d: %w", id, inputError(err))
		}

		return auditChange(ctx, tx, g, step, "change_request", id, cr.RegionCode, before,
			why)
	})
	if err != nil {
		return nil, err
	}

	return d.findChange(ctx, id)
}

// ApplyChange applies the APPROVED change request with id to its report's
// lines, as the province's counterpart department does after the
// ministry's decision: write by a level above the report's region, on the
// direction of every line it changes (finance covers them all). Each line
// gets an audit record with its row before and after; the report as
// changed must still pass the checks of submission.
func (d *DB) ApplyChange(ctx context.Context, g fundhub.Guard,
	id int64) (*fundhub.ChangeRequest, error) {
	err := d.inTx(ctx, func(tx *sqlx.Tx) error {
		cr, before, err := lockChange(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := seen(g, authz.ActionWrite, cr.RegionCode, "", "change request",
			id); err != nil {
			return err
		}
		r, _, err := lockReport(ctx, tx, cr.ReportID)
		if err != nil {
			return err
		}
		lines, err := loadLineFacts(ctx, tx, r.ID)
		if err != nil {
			return err
		}
		if err := allowChangedLines(g, r.RegionCode, cr.Changes, lines); err != nil {
			return onField(err, "id")
		}
		if cr.Status != fundhub.ChangeApproved {
			return statusConflict("the change request is %s: only an APPROVED one is "+
				"applied", cr.Status)
		}

		if err := applyLineChanges(ctx, tx, g, cr, r); err != nil {
			return err
		}

		return d.finishChange(ctx, tx, g, cr, before)
	})
	if err != nil {
		return nil, err
	}

	return d.findChange(ctx, id)
}

// allowChangedLines asks the guard for write by a level above region on
// the direction of each line the changes touch.
func allowChangedLines(g fundhub.Guard, region string, changes []fundhub.LineChange,
	lines []*lineFacts) error {
	touched := make(map[int64]bool, len(changes))
	for _, c := range changes {
		touched[c.LineID] = true
	}

	asked := make(map[fundhub.Direction]bool)
	for _, l := range lines {
		if !touched[l.ID] || asked[l.direction()] {
			continue
		}
		if err := g.AllowProvince(authz.ActionWrite, region, l.direction()); err != nil {
			return err
		}
		asked[l.direction()] = true
	}
	if len(asked) == 0 {
		return g.AllowProvince(authz.ActionWrite, region, authz.AnyDirection)
	}

	return nil
}

// applyLineChanges changes each line of cr, auditing each with its row
// before and after, then checks the report as it now is.
func applyLineChanges(ctx context.Context, tx *sqlx.Tx, g fundhub.Guard,
	cr *fundhub.ChangeRequest, r *fundhub.ExecutionReport) error {
	for _, c := range cr.Changes {
		before, err := rowJSON(ctx, tx, "report_lines", c.LineID)
		if isNoRows(err) {
			return statusConflict("line %d of the request is gone from report %d",
				c.LineID, r.ID)
		}
		if err != nil {
			return err
		}

		res, err := tx.ExecContext(ctx, `UPDATE report_lines SET
			paid_amount = COALESCE($3, paid_amount),
			actual_value = COALESCE($4, actual_value), note = COALESCE($5, note)
			WHERE id = $1 AND report_id = $2 AND NOT withdrawn`, c.LineID, r.ID,
			c.PaidAmount, c.ActualValue, c.Note)
		if err != nil {
			return fmt.Errorf("changing line %d: %w", c.LineID, inputError(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return statusConflict("line %d of the request is no longer a line of "+
				"report %d", c.LineID, r.ID)
		}
		if err := auditChange(ctx, tx, g, "report_line.change", "report_line", c.LineID,
			r.RegionCode, before, cr.Reason); err != nil {
			return err
		}
	}

	lines, err := loadLineFacts(ctx, tx, r.ID)
	if err != nil {
		return err
	}

	return checkLines(r.RegionCode, lines).Err()
}

// finishChange marks cr APPLIED and audits it.
func (d *DB) finishChange(ctx context.Context, tx *sqlx.Tx, g fundhub.Guard,
	cr *fundhub.ChangeRequest, before []byte) error {
	_, err := tx.ExecContext(ctx, `UPDATE change_requests SET status = 'APPLIED',
		applied_at = $2 WHERE id = $1`, cr.ID, d.Now())
	if err != nil {
		return fmt.Errorf("applying change request %d: %w", cr.ID, err)
	}

	return auditChange(ctx, tx, g, "change.apply", "change_request", cr.ID, cr.RegionCode,
		before, cr.Reason)
}

// lockChange reads the change request with id for update, with its row as
// JSON for the audit log.
func lockChange(ctx context.Context, tx *sqlx.Tx, id int64) (*fundhub.ChangeRequest,
	[]byte, error) {
	var row changeRow
	err := tx.GetContext(ctx, &row, `SELECT `+changeCols+` FROM change_requests cr
		WHERE cr.id = $1 AND cr.entity = $2 FOR UPDATE`, id, reportEntity)
	if err != nil {
		return nil, nil, notFound(err, "change request", id)
	}
	cr, err := row.decode()
	if err != nil {
		return nil, nil, err
	}
	before, err := rowJSON(ctx, tx, "change_requests", id)

	return cr, before, err
}

// decode returns the change request with its changes read.
func (r *changeRow) decode() (*fundhub.ChangeRequest, error) {
	cr := r.ChangeRequest
	if err := json.Unmarshal(r.ChangesJSON, &cr.Changes); err != nil {
		return nil, fmt.Errorf("decoding changes of change request %d: %w", cr.ID, err)
	}

	return &cr, nil
}

func decodeAll(rows []*changeRow) ([]*fundhub.ChangeRequest, error) {
	out := make([]*fundhub.ChangeRequest, len(rows))
	for i, r := range rows {
		cr, err := r.decode()
		if err != nil {
			return nil, err
		}
		out[i] = cr
	}

	return out, nil
}

// findChange returns the change request with id whatever the scope, for
// the answer of a mutation that just changed it.
func (d *DB) findChange(ctx context.Context, id int64) (*fundhub.ChangeRequest, error) {
	var w where
	w.add("cr.id = %s", id)
	row, err := getOne[changeRow](ctx, d, changeList, &w, "change request", id)
	if err != nil {
		return nil, err
	}

	return row.decode()
}

// FindChangeRequests returns one page of the change requests to reports
// that match f, newest first, and the count of all that match. The scope
// hides requests of regions outside its subtrees and, when it names
// directions, the line changes of lines of other directions, as
// LinesByReport hides the lines themselves.
func (d *DB) FindChangeRequests(ctx context.Context, s fundhub.Scope,
	f fundhub.ChangeRequestFilter, p fundhub.Page) ([]*fundhub.ChangeRequest, int, error) {
	var w where
	w.add("cr.entity = %s", reportEntity)
	if f.RegionUnder != nil {
		w.under("rg.path", *f.RegionUnder)
	}
	opt(&w, "cr.status = %s", f.Status)
	opt(&w, "cr.entity_id = %s", f.ReportID)
	w.scope(s, "cr.region_code", "")
	someChangeVisible(&w, s)

	rows, total, err := findPage[changeRow](ctx, d, changeList, &w, p)
	if err != nil {
		return nil, 0, err
	}
	out, err := decodeAll(rows)
	if err != nil {
		return nil, 0, err
	}

	return out, total, d.hideLineChanges(ctx, s, out)
}

// ChangeRequestsByReport returns the change requests of each report among
// ids that the scope sees, newest first, for dataloaders. Pass only the
// ids of reports the caller was allowed to load.
func (d *DB) ChangeRequestsByReport(ctx context.Context, s fundhub.Scope,
	ids []int64) (map[int64][]*fundhub.ChangeRequest, error) {
	var w where
	w.add("cr.entity = %s", reportEntity)
	w.add("cr.entity_id = ANY(%s)", int64s(ids))
	w.scope(s, "cr.region_code", "")
	someChangeVisible(&w, s)

	var rows []*changeRow
	err := d.db.SelectContext(ctx, &rows, `SELECT `+changeCols+` FROM `+changeList.from+
		` `+w.sql()+` ORDER BY `+changeList.order, w.args...)
	if err != nil {
		return nil, fmt.Errorf("loading change requests: %w", err)
	}
	out, err := decodeAll(rows)
	if err != nil {
		return nil, err
	}
	if err := d.hideLineChanges(ctx, s, out); err != nil {
		return nil, err
	}

	return groupBy(out, func(c *fundhub.ChangeRequest) int64 { return c.ReportID }), nil
}

// hideLineChanges drops from crs the line changes of lines whose direction
// the scope does not see, in one query for all of them.
func (d *DB) hideLineChanges(ctx context.Context, s fundhub.Scope,
	crs []*fundhub.ChangeRequest) error {
	if s.All || len(s.Directions) == 0 || len(crs) == 0 {
		return nil
	}
	var ids []int64
	for _, cr := range crs {
		for _, c := range cr.Changes {
			ids = append(ids, c.LineID)
		}
	}

	var w where
	w.add("rl.id = ANY(%s)", int64s(ids))
	w.linkedDirections(s, "rl.project_id", "rl.allocation_id", "rl.target_id")
	var seen []int64
	if err := d.db.SelectContext(ctx, &seen, `SELECT rl.id FROM report_lines rl `+w.sql(),
		w.args...); err != nil {
		return fmt.Errorf("loading the lines of change requests: %w", err)
	}
	visible := make(map[int64]bool, len(seen))
	for _, id := range seen {
		visible[id] = true
	}

	for _, cr := range crs {
		kept := cr.Changes[:0:0]
		for _, c := range cr.Changes {
			if visible[c.LineID] {
				kept = append(kept, c)
			}
		}
		cr.Changes = kept
	}

	return nil
}

// someChangeVisible keeps, for a scope that names directions, only the
// change requests that change at least one line of those directions: a
// request wholly about another department's lines, reason included, is
// that department's business.
func someChangeVisible(w *where, s fundhub.Scope) {
	if s.All || len(s.Directions) == 0 {
		return
	}

	dirs := directionArray(s.Directions)
	w.add(`EXISTS (SELECT 1 FROM jsonb_array_elements(cr.changes) ch
		JOIN report_lines rl ON rl.id = (ch->>'line_id')::bigint
		WHERE (rl.project_id IS NULL OR EXISTS (SELECT 1 FROM projects lp
				WHERE lp.id = rl.project_id AND lp.direction = ANY(%s)))
			AND (rl.allocation_id IS NULL OR EXISTS (SELECT 1 FROM allocations la
				JOIN funds lf ON lf.id = la.fund_id
				WHERE la.id = rl.allocation_id AND lf.direction = ANY(%s)))
			AND (rl.target_id IS NULL OR EXISTS (SELECT 1 FROM performance_targets lt
				JOIN funds tf ON tf.id = lt.fund_id
				WHERE lt.id = rl.target_id AND tf.direction = ANY(%s))))`, dirs, dirs, dirs)
}
