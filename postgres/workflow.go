package postgres

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"fundhub"
	"fundhub/authz"
)

// rowJSON returns the row of table with id as JSON, for the before and
// after of an audit record. table is one of this package's names, never
// input.
func rowJSON(ctx context.Context, tx *sqlx.Tx, table string, id int64) ([]byte, error) {
	var b []byte
	err := tx.GetContext(ctx, &b, `SELECT to_jsonb(t) FROM `+table+` t WHERE t.id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("reading %s %d for the audit log: %w", table, id, err)
	}

	return b, nil
}

// auditChange writes the audit record of a workflow change by the guard's
// caller: action on entity id at region, with the row before (nil for a new
// one) and after.
func auditChange(ctx context.Context, tx *sqlx.Tx, g fundhub.Guard, action, entity string,
	id int64, region string, before []byte, reason string) error {
	after, err := rowJSON(ctx, tx, tableOf[entity], id)
	if err != nil {
		return err
	}
	c := g.Caller()
	uid := c.UserID

	return writeAudit(ctx, tx, fundhub.AuditRecord{UserID: &uid, Actor: c.Actor(),
		Action: action, Entity: entity, EntityID: fmt.Sprint(id), RegionCode: region,
		Before: before, After: after, Reason: reason})
}

// tableOf maps the entity names of audit records to their tables.
var tableOf = map[string]string{
	"project":        "projects",
	"allocation":     "allocations",
	"target":         "performance_targets",
	"report":         "execution_reports",
	"report_line":    "report_lines",
	"change_request": "change_requests",
	"problem":        "problems",
}

// currentRegion fails naming field unless code is a region in force.
func currentRegion(ctx context.Context, tx *sqlx.Tx, field, code string) (string, error) {
	var level string
	err := tx.GetContext(ctx, &level, `SELECT level FROM regions
		WHERE code = $1 AND valid_to IS NULL`, code)
	if isNoRows(err) {
		return "", fundhub.Invalid(field, "no current region with code %q", code)
	}
	if err != nil {
		return "", fmt.Errorf("reading region %s: %w", code, err)
	}

	return level, nil
}

// seen returns nil when the caller may read a record of dir at region, and
// otherwise what a missing record of that kind answers, the attempt audited
// as refused: workflow mutations tell nothing of records out of sight.
func seen(g fundhub.Guard, action, region string, dir fundhub.Direction, what string,
	id int64) error {
	if g.Permits(authz.ActionRead, region, dir) {
		return nil
	}

	return g.Conceal(action, region, fundhub.Errorf(fundhub.ENOTFOUND, "%s %d not found",
		what, id))
}
