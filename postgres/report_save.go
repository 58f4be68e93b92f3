package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"fundhub"
	"fundhub/authz"
)

// SaveReport creates the region's report for the quarter as a DRAFT, or
// saves its DRAFT or RETURNED report, and replaces the stored lines the
// caller may write (write at the region on each line's direction) with
// lines. Lines of directions the caller may not write, entered by another
// department, stay, and so do lines a connector brought in: their source
// answers for them. Each new line needs write on its direction (FORBIDDEN
// naming its field otherwise). A SUBMITTED or REVIEWED report is a
// CONFLICT until its reviewer returns it; a TRANSMITTED one is locked.
func (d *DB) SaveReport(ctx context.Context, g fundhub.Guard, region string, year,
	quarter int, lines []*fundhub.ReportLineInput) (*fundhub.ExecutionReport, error) {
	now := d.Now()
	if err := checkPeriod(year, quarter, now); err != nil {
		return nil, err
	}
	if err := checkLineInputs(lines).Err(); err != nil {
		return nil, err
	}

	var id int64
	err := d.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := reportRegion(ctx, tx, region); err != nil {
			return err
		}
		if err := g.AllowOwn(authz.ActionWrite, region, ""); err != nil {
			return onField(err, "regionCode")
		}
		r, before, err := lockQuarter(ctx, tx, region, year, quarter)
		if err != nil {
			return err
		}
		if err := savable(r); err != nil {
			return err
		}
		id = r.ID

		dirs, err := lineRefs(ctx, tx, g, region, lines)
		if err != nil {
			return err
		}
		allowed, err := allowLines(g, region, lines, dirs)
		if err != nil {
			return err
		}
		if err := replaceLines(ctx, tx, g, r, lines, allowed); err != nil {
			return err
		}

		return auditReport(ctx, tx, g, "report.save", r, before)
	})
	if err != nil {
		return nil, err
	}

	return d.FindReport(ctx, fundhub.FullScope(), id)
}

// checkPeriod refuses a quarter that does not exist or a year no report
// can be for: before the People's Republic, or not yet begun.
func checkPeriod(year, quarter int, now time.Time) error {
	if quarter < 1 || quarter > 4 {
		return fundhub.Invalid("quarter", "must be 1, 2, 3 or 4, not %d", quarter)
	}
	if year < 1949 || year > now.Year() {
		return fundhub.Invalid("year", "must lie between 1949 and %d, not %d", now.Year(),
			year)
	}

	return nil
}

// checkLineInputs returns the faults of lines that need no database: a
// line reports a payment or a target's progress, or it says nothing.
func checkLineInputs(lines []*fundhub.ReportLineInput) fundhub.Errors {
	var errs fundhub.Errors
	for i, l := range lines {
		var e *fundhub.Error
		if errors.As(lineTexts(i, l), &e) {
			errs = append(errs, e)
		}
		switch {
		case l.PaidAmount == nil && l.ActualValue == nil:
			errs = append(errs, fundhub.Invalid(lineField(i, "paidAmount"),
				"a line needs paidAmount or actualValue"))
		case l.PaidAmount != nil && l.AllocationID == nil:
			errs = append(errs, fundhub.Invalid(lineField(i, "allocationId"),
				"a paid amount is paid out of an allocation: name it"))
		case l.PaidAmount != nil && l.PaidAmount.IsNegative():
			errs = append(errs, fundhub.Invalid(lineField(i, "paidAmount"),
				"a cumulative paid amount is not negative"))
		case l.PaidAmount != nil && !fundhub.Fen(*l.PaidAmount):
			errs = append(errs, fundhub.Invalid(lineField(i, "paidAmount"),
				"is in yuan with at most two decimals (fen)"))
		case l.ActualValue != nil && !l.ActualValue.Equal(l.ActualValue.Round(6)):
			errs = append(errs, fundhub.Invalid(lineField(i, "actualValue"),
				"has more than six decimals"))
		case l.ActualValue != nil && l.TargetID == nil:
			errs = append(errs, fundhub.Invalid(lineField(i, "targetId"),
				"an actual value is the progress of a target: name it"))
		case l.ActualValue != nil && (l.Unit == nil || *l.Unit == ""):
			errs = append(errs, fundhub.Invalid(lineField(i, "unit"),
				"an actual value needs the unit it is in"))
		}
		if l.Source != nil && !l.Source.Valid() {
			errs = append(errs, fundhub.Invalid(lineField(i, "source"),
				"unknown source %q", *l.Source))
		}
	}

	return errs
}

func lineField(i int, field string) string {
	return fmt.Sprintf("lines[%d].%s", i, field)
}

// reportRegion refuses a region that is not in force, and the nation: the
// ministry receives reports and files none, so nobody above could review
// one of its own.
func reportRegion(ctx context.Context, tx *sqlx.Tx, region string) error {
	level, err := currentRegion(ctx, tx, "regionCode", region)
	if err != nil {
		return err
	}
	switch fundhub.RegionLevel(level) {
	case fundhub.LevelNational, fundhub.LevelProvince:
		return fundhub.Invalid("regionCode", "execution reports are filed by cities and "+
			"counties, and reviewed by their province")
	}

	return nil
}

// lockQuarter returns the region's report for the quarter locked for
// update, creating a DRAFT when there is none, and its row before this
// change (nil when it is new).
func lockQuarter(ctx context.Context, tx *sqlx.Tx, region string, year,
	quarter int) (*fundhub.ExecutionReport, []byte, error) {
	var created []int64
	err := tx.SelectContext(ctx, &created, `INSERT INTO execution_reports
		(region_code, year, quarter) VALUES ($1, $2, $3)
		ON CONFLICT (region_code, year, quarter) DO NOTHING RETURNING id`,
		region, year, quarter)
	if err != nil {
		return nil, nil, fmt.Errorf("opening report %s %dQ%d: %w", region, year, quarter,
			err)
	}

	var r fundhub.ExecutionReport
	err = tx.GetContext(ctx, &r, `SELECT `+reportCols+` FROM execution_reports er
		WHERE er.region_code = $1 AND er.year = $2 AND er.quarter = $3 FOR UPDATE`,
		region, year, quarter)
	if err != nil {
		return nil, nil, fmt.Errorf("locking report %s %dQ%d: %w", region, year, quarter,
			err)
	}
	if len(created) > 0 {
		return &r, nil, nil
	}
	before, err := reportJSON(ctx, tx, r.ID)

	return &r, before, err
}

// savable refuses to save a report that left its filing unit's hands.
func savable(r *fundhub.ExecutionReport) error {
	switch r.Status {
	case fundhub.ReportDraft, fundhub.ReportReturned:
		return nil
	case fundhub.ReportTransmitted:
		return statusConflict("the report was transmitted to the ministry and is locked: " +
			"use a change request")
	}

	return statusConflict("the report is %s: ask the reviewer to return it before "+
		"changing it", r.Status)
}

// allowLines asks the guard for write at region on the direction of each
// new line, once per direction, and returns the directions allowed. A
// refusal names the field the line takes its direction from.
func allowLines(g fundhub.Guard, region string, lines []*fundhub.ReportLineInput,
	dirs lineRefSet) (map[fundhub.Direction]bool, error) {
	allowed := make(map[fundhub.Direction]bool)
	for i, l := range lines {
		dir := dirs.of(l)
		if allowed[dir] {
			continue
		}
		if err := g.Allow(authz.ActionWrite, region, dir); err != nil {
			return nil, onField(err, lineField(i, directionField(l)))
		}
		allowed[dir] = true
	}

	return allowed, nil
}

// directionField names the field a line takes its direction from.
func directionField(l *fundhub.ReportLineInput) string {
	switch {
	case l.AllocationID != nil:
		return "allocationId"
	case l.ProjectID != nil:
		return "projectId"
	case l.TargetID != nil:
		return "targetId"
	}

	return "paidAmount"
}

// replaceLines deletes the report's stored lines that the caller may
// write and inserts lines in their order.
func replaceLines(ctx context.Context, tx *sqlx.Tx, g fundhub.Guard,
	r *fundhub.ExecutionReport, lines []*fundhub.ReportLineInput,
	allowed map[fundhub.Direction]bool) error {
	stored, err := loadLineFacts(ctx, tx, r.ID)
	if err != nil {
		return err
	}
	var drop []int64
	for _, l := range stored {
		if l.SourceSystem != nil {
			continue
		}
		dir := l.direction()
		if allowed[dir] || g.Permits(authz.ActionWrite, r.RegionCode, dir) {
			drop = append(drop, l.ID)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM report_lines WHERE id = ANY($1)`,
		int64s(drop)); err != nil {
		return fmt.Errorf("deleting lines of report %d: %w", r.ID, err)
	}

	return insertLines(ctx, tx, r.ID, lines)
}

// lineRow is a new line as jsonb_to_recordset reads it; decimals travel as
// JSON strings, so no digit is lost on the way.
type lineRow struct {
	AllocationID *int64              `json:"allocation_id"`
	ProjectID    *int64              `json:"project_id"`
	Source       *fundhub.FundSource `json:"source"`
	PaidAmount   *decimal.Decimal    `json:"paid_amount"`
	TargetID     *int64              `json:"target_id"`
	ActualValue  *decimal.Decimal    `json:"actual_value"`
	Unit         *string             `json:"unit"`
	Note         *string             `json:"note"`
}

// insertLines inserts lines into the report in one statement, in order, so
// their ids follow the order they were given in.
func insertLines(ctx context.Context, tx *sqlx.Tx, reportID int64,
	lines []*fundhub.ReportLineInput) error {
	if len(lines) == 0 {
		return nil
	}

	rows := make([]lineRow, len(lines))
	for i, l := range lines {
		rows[i] = lineRow{AllocationID: l.AllocationID, ProjectID: l.ProjectID,
			Source: l.Source, PaidAmount: l.PaidAmount, TargetID: l.TargetID,
			ActualValue: l.ActualValue, Unit: trimmed(l.Unit), Note: trimmed(l.Note)}
	}
	b, err := json.Marshal(rows)
	if err != nil {
		return fmt.Errorf("encoding lines of report %d: %w", reportID, err)
	}

	_, err = tx.ExecContext(ctx, `INSERT INTO report_lines (report_id, allocation_id,
		project_id, source, paid_amount, target_id, actual_value, unit, note)
		SELECT $1, x.allocation_id, x.project_id,
			COALESCE(x.source, (SELECT a.source FROM allocations a
				WHERE a.id = x.allocation_id)), x.paid_amount, x.target_id,
			x.actual_value, x.unit, x.note
		FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS e(line, n),
			jsonb_to_record(e.line) AS x(allocation_id bigint, project_id bigint,
				source text, paid_amount numeric, target_id bigint, actual_value numeric,
				unit text, note text)
		ORDER BY e.n`, reportID, string(b))
	if err != nil {
		return fmt.Errorf("inserting lines of report %d: %w", reportID, inputError(err))
	}

	return nil
}

// trimmed returns s without surrounding blanks, or nil when nothing is
// left: a blank unit is no unit.
func trimmed(s *string) *string {
	if s == nil || strings.TrimSpace(*s) == "" {
		return nil
	}
	t := strings.TrimSpace(*s)

	return &t
}

// lineTexts bounds the free texts of line i.
func lineTexts(i int, l *fundhub.ReportLineInput) error {
	if l.Unit != nil {
		if err := fundhub.CheckLength(lineField(i, "unit"), *l.Unit, 50); err != nil {
			return err
		}
	}
	if l.Note != nil {
		return fundhub.CheckLength(lineField(i, "note"), *l.Note, fundhub.MaxTextLength)
	}

	return nil
}
