package postgres

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"fundhub"
)

// LoginAccount returns what a login checks about the user named username,
// or ENOTFOUND.
func (d *DB) LoginAccount(ctx context.Context, username string) (*fundhub.LoginAccount,
	error) {
	var r struct {
		userRow
		PasswordHash string `db:"password_hash"`
	}
	err := d.db.GetContext(ctx, &r, `SELECT `+userCols+`, u.password_hash
		FROM users u JOIN units n ON n.id = u.unit_id WHERE u.username = $1`, username)
	if err != nil {
		return nil, notFound(err, "user", username)
	}
	u := usersOf([]*userRow{&r.userRow})[0]

	return &fundhub.LoginAccount{User: *u, PasswordHash: r.PasswordHash}, nil
}

// ClaimLoginAttempt counts a login attempt under key (a typed username)
// before its password is checked, unless key is locked at now. From the
// threshold-th attempt in a row without success, key is locked for base,
// doubled with each further attempt, at most maxLock. The row lock of the
// upsert puts parallel attempts in line, so none slips past a lock another
// one set. It returns false and the lock's end when key is locked.
func (d *DB) ClaimLoginAttempt(ctx context.Context, key string, now time.Time,
	threshold int, base, maxLock time.Duration) (bool, *time.Time, error) {
	// Old counts go, so names sprayed at the login do not pile up.
	if _, err := d.db.ExecContext(ctx, `DELETE FROM login_attempts WHERE last_at < $1
		AND (locked_until IS NULL OR locked_until < $2)`, now.Add(-attemptsKept),
		now); err != nil {
		return false, nil, fmt.Errorf("forgetting old login attempts: %w", err)
	}

	var locked *time.Time
	err := d.db.GetContext(ctx, &locked, `INSERT INTO login_attempts AS la
			(username, failed, locked_until, last_at)
		VALUES ($1, 1, CASE WHEN $3 <= 1 THEN $2::timestamptz
			+ make_interval(secs => $4::float8) END, $2)
		ON CONFLICT (username) DO UPDATE SET failed = la.failed + 1, last_at = $2,
			locked_until = CASE WHEN la.failed + 1 >= $3 THEN $2::timestamptz
				+ make_interval(secs => LEAST($5::float8,
					$4::float8 * 2 ^ LEAST(la.failed + 1 - $3, 30)))
				ELSE la.locked_until END
		WHERE la.locked_until IS NULL OR la.locked_until <= $2
		RETURNING la.locked_until`, key, now, threshold, base.Seconds(), maxLock.Seconds())
	if err == nil {
		return true, locked, nil
	}
	if !isNoRows(err) {
		return false, nil, fmt.Errorf("counting a login attempt: %w", err)
	}

	err = d.db.GetContext(ctx, &locked, `SELECT locked_until FROM login_attempts
		WHERE username = $1`, key)
	if err != nil {
		return false, nil, fmt.Errorf("reading a login lock: %w", err)
	}

	return false, locked, nil
}

// Secret returns the server secret called name, drawing and storing a new
// random one the first time any replica asks.
func (d *DB) Secret(ctx context.Context, name string) ([]byte, error) {
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, fmt.Errorf("drawing secret %s: %w", name, err)
	}
	if _, err := d.db.ExecContext(ctx, `INSERT INTO server_secrets (name, value)
		VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, name, fresh); err != nil {
		return nil, fmt.Errorf("storing secret %s: %w", name, err)
	}

	var v []byte
	if err := d.db.GetContext(ctx, &v, `SELECT value FROM server_secrets WHERE name = $1`,
		name); err != nil {
		return nil, fmt.Errorf("reading secret %s: %w", name, err)
	}

	return v, nil
}

// attemptsKept is how long a count of failed logins is kept after the last
// attempt, unless a lock runs longer.
const attemptsKept = 24 * time.Hour

// ClearLoginAttempts forgets the attempts counted under key: after a
// success, or when an administrator sets a new password.
func (d *DB) ClearLoginAttempts(ctx context.Context, key string) error {
	if _, err := d.db.ExecContext(ctx, `DELETE FROM login_attempts WHERE username = $1`,
		key); err != nil {
		return fmt.Errorf("clearing login attempts: %w", err)
	}

	return nil
}

// LoginSucceeded clears the attempts counted under key, stores the session
// token and audits the login, in one transaction.
func (d *DB) LoginSucceeded(ctx context.Context, key string, t fundhub.NewToken,
	rec fundhub.AuditRecord) (*fundhub.Token, error) {
	var tok *fundhub.Token
	err := d.inTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE users SET last_login_at = now()
			WHERE id = $1`, t.UserID)
		if err != nil {
			return fmt.Errorf("recording a login: %w", err)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM login_attempts WHERE username = $1`, key)
		if err != nil {
			return fmt.Errorf("clearing login attempts: %w", err)
		}
		if tok, err = insertToken(ctx, tx, t); err != nil {
			return err
		}
		rec.EntityID = fmt.Sprint(tok.ID)

		return writeAudit(ctx, tx, rec)
	})

	return tok, err
}

// CreateToken stores a token and audits its making.
func (d *DB) CreateToken(ctx context.Context, t fundhub.NewToken,
	rec fundhub.AuditRecord) (*fundhub.Token, error) {
	var tok *fundhub.Token
	err := d.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if tok, err = insertToken(ctx, tx, t); err != nil {
			return err
		}
		rec.EntityID = fmt.Sprint(tok.ID)
		rec.After = mustJSON(map[string]any{"kind": tok.Kind, "name": tok.Name,
			"user_id": tok.UserID, "expires_at": tok.ExpiresAt})

		return writeAudit(ctx, tx, rec)
	})

	return tok, err
}

const tokenCols = `id, user_id, kind, name, created_at, expires_at, revoked_at,
	last_used_at`

func insertToken(ctx context.Context, tx *sqlx.Tx, t fundhub.NewToken) (*fundhub.Token,
	error) {
	var tok fundhub.Token
	err := tx.GetContext(ctx, &tok, `INSERT INTO auth_tokens (user_id, kind, name,
		token_hash, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING `+tokenCols,
		t.UserID, string(t.Kind), t.Name, t.Hash, t.ExpiresAt)
	if err != nil {
		return nil, fmt.Errorf("storing a %s token of user %d: %w", t.Kind, t.UserID,
			inputError(err))
	}

	return &tok, nil
}

// CallerByToken returns the caller holding the token with hash: ENOTFOUND
// when no such token is live (unknown, expired or revoked) or its user is
// disabled. Every request calls it, so revoking takes effect at once.
func (d *DB) CallerByToken(ctx context.Context, hash []byte) (*fundhub.Caller, error) {
	var r struct {
		UserID   int64          `db:"user_id"`
		Username string         `db:"username"`
		Region   string         `db:"region_code"`
		Roles    pq.StringArray `db:"roles"`
		TokenID  int64          `db:"token_id"`
		Kind     string         `db:"kind"`
	}
	err := d.db.GetContext(ctx, &r, `SELECT u.id AS user_id, u.username, n.region_code,
		u.roles, t.id AS token_id, t.kind FROM auth_tokens t
		JOIN users u ON u.id = t.user_id JOIN units n ON n.id = u.unit_id
		WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > now()
		AND NOT u.disabled`, hash)
	if err != nil {
		return nil, notFound(err, "token", "presented")
	}

	return &fundhub.Caller{UserID: r.UserID, Username: r.Username, RegionCode: r.Region,
		Roles: []string(r.Roles), TokenID: r.TokenID,
		TokenKind: fundhub.TokenKind(r.Kind)}, nil
}

// TokenUsed stamps the token's last use and audits what it was used for.
// It runs on every request, so its commit does not wait for the write-ahead
// log to reach the disk: a crash may lose the last fraction of a second of
// such stamps, never a change of data, and every request is spared a
// flush.
func (d *DB) TokenUsed(ctx context.Context, c *fundhub.Caller, what string) error {
	err := d.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SET LOCAL synchronous_commit TO OFF`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `WITH t AS (
				UPDATE auth_tokens SET last_used_at = now() WHERE id = $1)
			INSERT INTO audit_log (user_id, actor, action, entity, entity_id, reason)
			VALUES ($2, $3, 'token.use', 'token', $1::text, $4)`,
			c.TokenID, c.UserID, c.Actor(), what)
		return err
	})
	if err != nil {
		return fmt.Errorf("recording use of token %d: %w", c.TokenID, err)
	}

	return nil
}

// TokensOfUsers returns the tokens of each user among ids, newest first.
func (d *DB) TokensOfUsers(ctx context.Context,
	ids []int64) (map[int64][]*fundhub.Token, error) {
	var rows []*fundhub.Token
	err := d.db.SelectContext(ctx, &rows, `SELECT `+tokenCols+` FROM auth_tokens
		WHERE user_id = ANY($1) ORDER BY id DESC`, int64s(ids))
	if err != nil {
		return nil, fmt.Errorf("loading tokens: %w", err)
	}

	return groupBy(rows, func(t *fundhub.Token) int64 { return t.UserID }), nil
}

// FindToken returns the token with id and the region of its user's unit,
// or ENOTFOUND.
func (d *DB) FindToken(ctx context.Context, id int64) (*fundhub.Token, string, error) {
	var r struct {
		fundhub.Token
		Region string `db:"region_code"`
	}
	err := d.db.GetContext(ctx, &r, `SELECT t.id, t.user_id, t.kind, t.name, t.created_at,
		t.expires_at, t.revoked_at, t.last_used_at, n.region_code FROM auth_tokens t
		JOIN users u ON u.id = t.user_id JOIN units n ON n.id = u.unit_id
		WHERE t.id = $1`, id)
	if err != nil {
		return nil, "", notFound(err, "token", id)
	}

	return &r.Token, r.Region, nil
}

// RevokeToken revokes the token with id, if it is not yet, and audits it.
func (d *DB) RevokeToken(ctx context.Context, id int64,
	rec fundhub.AuditRecord) (*fundhub.Token, error) {
	var tok fundhub.Token
	err := d.inTx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &tok, `UPDATE auth_tokens
			SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1
			RETURNING `+tokenCols, id)
		if err != nil {
			return notFound(err, "token", id)
		}
		rec.Entity, rec.EntityID = "token", fmt.Sprint(id)

		return writeAudit(ctx, tx, rec)
	})
	if err != nil {
		return nil, err
	}

	return &tok, nil
}

// Audit appends rec to the audit log.
func (d *DB) Audit(ctx context.Context, rec fundhub.AuditRecord) error {
	return writeAudit(ctx, d.db, rec)
}

// writeAudit appends rec through q, a transaction or the pool.
func writeAudit(ctx context.Context, q sqlx.ExecerContext, rec fundhub.AuditRecord) error {
	_, err := q.ExecContext(ctx, `INSERT INTO audit_log (user_id, actor, action, entity,
		entity_id, region_code, before, after, reason)
		VALUES ($1, $2, $3, NULLIF($4, ''), NULLIF($5, ''), NULLIF($6, ''), $7, $8,
		NULLIF($9, ''))`, rec.UserID, rec.Actor, rec.Action, rec.Entity, rec.EntityID,
		rec.RegionCode, nullJSON(rec.Before), nullJSON(rec.After), rec.Reason)
	if err != nil {
		return fmt.Errorf("writing audit record %s of %s: %w", rec.Action, rec.Actor, err)
	}

	return nil
}

// mustJSON encodes v, which holds only plain values.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("encoding audit detail: %v", err))
	}

	return b
}

// TokenLive reports whether the token with id still works: not revoked,
// not expired, its user not disabled. Long-lived connections ask it, so a
// revocation reaches them too.
func (d *DB) TokenLive(ctx context.Context, id int64) (bool, error) {
	var live bool
	err := d.db.GetContext(ctx, &live, `SELECT EXISTS (SELECT 1 FROM auth_tokens t
		JOIN users u ON u.id = t.user_id WHERE t.id = $1 AND t.revoked_at IS NULL
		AND t.expires_at > now() AND NOT u.disabled)`, id)
	if err != nil {
		return false, fmt.Errorf("checking token %d: %w", id, err)
	}

	return live, nil
}

// CallerByTokenID returns the caller holding the live token with id, as
// they are now: their roles and unit may have changed since the token was
// presented. ENOTFOUND when the token no longer works.
func (d *DB) CallerByTokenID(ctx context.Context, id int64) (*fundhub.Caller, error) {
	var r struct {
		UserID   int64          `db:"user_id"`
		Username string         `db:"username"`
		Region   string         `db:"region_code"`
		Roles    pq.StringArray `db:"roles"`
		Kind     string         `db:"kind"`
	}
	err := d.db.GetContext(ctx, &r, `SELECT u.id AS user_id, u.username, n.region_code,
		u.roles, t.kind FROM auth_tokens t
		JOIN users u ON u.id = t.user_id JOIN units n ON n.id = u.unit_id
		WHERE t.id = $1 AND t.revoked_at IS NULL AND t.expires_at > now()
		AND NOT u.disabled`, id)
	if err != nil {
		return nil, notFound(err, "token", id)
	}

	return &fundhub.Caller{UserID: r.UserID, Username: r.Username, RegionCode: r.Region,
		Roles: []string(r.Roles), TokenID: id, TokenKind: fundhub.TokenKind(r.Kind)}, nil
}
