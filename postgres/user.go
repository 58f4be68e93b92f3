package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"fundhub"
)

// CreateUser stores a user whose password is already hashed, in the unit
// named by nu (created when nu.UnitKind is set and the unit does not exist),
// and audits it. Every role must be a subject of some policy, so a typo
// never yields a user who can do nothing without anyone noticing.
func (d *DB) CreateUser(ctx context.Context, nu fundhub.NewUser, passwordHash string,
	actor *fundhub.AuditRecord) (*fundhub.User, error) {
	var u *fundhub.User
	err := d.inTx(ctx, func(tx *sqlx.Tx) error {
		unitID, err := ensureUnit(ctx, tx, nu)
		if err != nil {
			return err
		}
		if err := checkRoles(ctx, tx, nu.Roles); err != nil {
			return err
		}

		u, err = insertUser(ctx, tx, nu, unitID, passwordHash, actor.Actor)
		if err != nil {
			return err
		}
		rec := *actor
		rec.Action, rec.Entity = "user.create", "user"
		rec.EntityID, rec.RegionCode = fmt.Sprint(u.ID), nu.UnitRegion
		rec.After = mustJSON(map[string]any{"username": u.Username,
			"unit_id": unitID, "roles": u.Roles})

		return writeAudit(ctx, tx, rec)
	})

	return u, err
}

// ensureUnit returns the id of the unit of nu, creating it when a kind is
// given and it does not exist.
func ensureUnit(ctx context.Context, tx *sqlx.Tx, nu fundhub.NewUser) (int64, error) {
	var id int64
	err := tx.GetContext(ctx, &id, `SELECT id FROM units
		WHERE region_code = $1 AND full_name = $2`, nu.UnitRegion, nu.UnitName)
	if err == nil {
		return id, nil
	}
	if !isNoRows(err) {
		return 0, fmt.Errorf("finding unit %s at %s: %w", nu.UnitName, nu.UnitRegion, err)
	}
	if nu.UnitKind == "" {
		return 0, fundhub.Invalid("unit", "no unit %q at region %s; give its kind to create it",
			nu.UnitName, nu.UnitRegion)
	}

	err = tx.GetContext(ctx, &id, `INSERT INTO units (full_name, region_code, department_kind)
		SELECT $1, code, $3 FROM regions WHERE code = $2 AND valid_to IS NULL
		RETURNING id`, nu.UnitName, nu.UnitRegion, string(nu.UnitKind))
	if isNoRows(err) {
		return 0, fundhub.Invalid("region", "no current region with code %q", nu.UnitRegion)
	}
	if err != nil {
		return 0, fmt.Errorf("creating unit %s at %s: %w", nu.UnitName, nu.UnitRegion,
			inputError(err))
	}

	return id, nil
}

// checkRoles fails naming the first role no policy grants anything to.
func checkRoles(ctx context.Context, tx *sqlx.Tx, roles []string) error {
	var known []string
	err := tx.SelectContext(ctx, &known, `SELECT DISTINCT v0 FROM casbin_rules
		WHERE ptype = 'p' AND v0 = ANY($1)`, pq.Array(roles))
	if err != nil {
		return fmt.Errorf("checking roles: %w", err)
	}
	for _, r := range roles {
		if !slices.Contains(known, r) {
			return fundhub.Invalid("roles", "no policy grants anything to role %q", r)
		}
	}

	return nil
}

func insertUser(ctx context.Context, tx *sqlx.Tx, nu fundhub.NewUser, unitID int64,
	passwordHash, createdBy string) (*fundhub.User, error) {
	var u fundhub.User
	err := tx.GetContext(ctx, &u, `INSERT INTO users (username, display_name, unit_id,
		roles, password_hash, created_by) VALUES ($1, $2, $3, $4, $5, $6)
		RETURNING id, username, display_name, unit_id, disabled, last_login_at,
		created_at, created_by`, nu.Username, nu.DisplayName, unitID,
		pq.Array(nu.Roles), passwordHash, createdBy)
	if pgCode(err) == sqlUniqueViolation {
		return nil, &fundhub.Error{Code: fundhub.ECONFLICT, Field: "username",
			Message: fmt.Sprintf("user %q already exists", nu.Username)}
	}
	if err != nil {
		return nil, fmt.Errorf("creating user %s: %w", nu.Username, inputError(err))
	}
	u.Roles, u.UnitRegion = nu.Roles, nu.UnitRegion

	return &u, nil
}

// userRow is a user as selected by userCols.
type userRow struct {
	fundhub.User
	RolesArr pq.StringArray `db:"roles"`
	// After is the user as audit records show it, where a query selects it.
	After []byte `db:"after"`
}

const userCols = `u.id, u.username, u.display_name, u.unit_id, u.roles, u.disabled,
	u.last_login_at, u.created_at, u.created_by, n.region_code AS unit_region`

// UsersByIDs returns the users among ids whose unit lies in the scope,
// for loaders.
func (d *DB) UsersByIDs(ctx context.Context, s fundhub.Scope,
	ids []int64) ([]*fundhub.User, error) {
	var w where
	w.add("u.id = ANY(%s)", int64s(ids))
	w.scope(s, "n.region_code", "")

	var rows []*userRow
	err := d.db.SelectContext(ctx, &rows, `SELECT `+userCols+` FROM users u
		JOIN units n ON n.id = u.unit_id `+w.sql()+` ORDER BY u.id`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("loading users: %w", err)
	}

	return usersOf(rows), nil
}

// FindUsers returns one page of the users whose unit lies in the scope, by
// username, and how many there are.
func (d *DB) FindUsers(ctx context.Context, s fundhub.Scope,
	p fundhub.Page) ([]*fundhub.User, int, error) {
	var w where
	w.scope(s, "n.region_code", "")
	rows, total, err := findPage[userRow](ctx, d, userList, &w, p)

	return usersOf(rows), total, err
}

var userList = listQuery{what: "users", cols: userCols,
	from:  `users u JOIN units n ON n.id = u.unit_id`,
	order: `u.username`, key: `u.id`}

func usersOf(rows []*userRow) []*fundhub.User {
	out := make([]*fundhub.User, len(rows))
	for i, r := range rows {
		u := r.User
		u.Roles = []string(r.RolesArr)
		out[i] = &u
	}

	return out
}

// UnitsByIDs returns the units among ids, for loaders. Units are the
// public organisation chart, so no scope hides them.
func (d *DB) UnitsByIDs(ctx context.Context, ids []int64) ([]*fundhub.Unit, error) {
	var out []*fundhub.Unit
	err := d.db.SelectContext(ctx, &out, `SELECT id, full_name, region_code, department_kind
		FROM units WHERE id = ANY($1) ORDER BY id`, int64s(ids))
	if err != nil {
		return nil, fmt.Errorf("loading units: %w", err)
	}

	return out, nil
}

// UserRegion returns the region of the unit of the user named username,
// or ENOTFOUND.
func (d *DB) UserRegion(ctx context.Context, username string) (int64, string, error) {
	var row struct {
		ID     int64  `db:"id"`
		Region string `db:"region_code"`
	}
	err := d.db.GetContext(ctx, &row, `SELECT u.id, n.region_code FROM users u
		JOIN units n ON n.id = u.unit_id WHERE u.username = $1`, username)
	if err != nil {
		return 0, "", notFound(err, "user", username)
	}

	return row.ID, row.Region, nil
}

// userAuditCols are the columns of a user that audit records show: never
// the password hash.
const userAuditCols = `jsonb_build_object('username', u.username, 'unit_id', u.unit_id,
	'roles', u.roles, 'disabled', u.disabled)`

// UpdateUser runs set, an assignment list over users with placeholders
// from $2 on, on the user named username, and audits the change with the
// user before and after; $1 is the username. rec names the actor and the
// action. Disabling a user also revokes every token they hold.
func (d *DB) UpdateUser(ctx context.Context, username, set string, args []any,
	rec fundhub.AuditRecord) (*fundhub.User, error) {
	var u *fundhub.User
	err := d.inTx(ctx, func(tx *sqlx.Tx) error {
		var before []byte
		err := tx.GetContext(ctx, &before, `SELECT `+userAuditCols+` FROM users u
			WHERE u.username = $1 FOR UPDATE`, username)
		if err != nil {
			return notFound(err, "user", username)
		}

		var row userRow
		err = tx.GetContext(ctx, &row, `WITH u AS (UPDATE users SET `+set+`
			WHERE username = $1 RETURNING *)
			SELECT `+userCols+`, `+userAuditCols+` AS after FROM u
			JOIN units n ON n.id = u.unit_id`, append([]any{username}, args...)...)
		if err != nil {
			return fmt.Errorf("updating user %s: %w", username, inputError(err))
		}
		if err := revokeIfDisabled(ctx, tx, &row.User); err != nil {
			return err
		}

		u = usersOf([]*userRow{&row})[0]
		rec.Entity, rec.EntityID, rec.RegionCode = "user", fmt.Sprint(u.ID), u.UnitRegion
		rec.Before, rec.After = before, row.After

		return writeAudit(ctx, tx, rec)
	})

	return u, err
}

func revokeIfDisabled(ctx context.Context, tx *sqlx.Tx, u *fundhub.User) error {
	if !u.Disabled {
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE auth_tokens SET revoked_at = now()
		WHERE user_id = $1 AND revoked_at IS NULL`, u.ID)
	if err != nil {
		return fmt.Errorf("revoking the tokens of user %s: %w", u.Username, err)
	}

	return nil
}

// CheckRoles fails naming the first role no policy grants anything to.
func (d *DB) CheckRoles(ctx context.Context, roles []string) error {
	return d.inTx(ctx, func(tx *sqlx.Tx) error { return checkRoles(ctx, tx, roles) })
}

// RevokeSessionsExcept revokes the live session tokens of the user, except
// keep (0 for none): what a password change calls, so a stolen session
// ends with the old password.
func (d *DB) RevokeSessionsExcept(ctx context.Context, userID, keep int64) error {
	_, err := d.db.ExecContext(ctx, `UPDATE auth_tokens SET revoked_at = now()
		WHERE user_id = $1 AND id <> $2 AND kind = 'SESSION' AND revoked_at IS NULL`,
		userID, keep)
	if err != nil {
		return fmt.Errorf("revoking sessions of user %d: %w", userID, err)
	}

	return nil
}
