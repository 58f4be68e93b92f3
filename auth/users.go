package auth

import (
	"context"
	"errors"
	"strings"

	"github.com/lib/pq"

	"fundhub"
)

// SetDisabled disables or enables the user named username. A disabled user
// cannot sign in, and every token they hold is revoked at once.
func (s *Service) SetDisabled(ctx context.Context, username string, disabled bool,
	actor *fundhub.Caller) (*fundhub.User, error) {
	rec := recordOf(actor)
	rec.Action = "user.enable"
	if disabled {
		rec.Action = "user.disable"
	}

	u, err := s.Store.UpdateUser(ctx, username, "disabled = $2", []any{disabled}, rec)
	if err != nil {
		return nil, err
	}
	s.Logger.InfoContext(ctx, rec.Action, "user", username, "by", rec.Actor)

	return u, nil
}

// SetRoles replaces the roles of the user named username.
func (s *Service) SetRoles(ctx context.Context, username string, roles []string,
	actor *fundhub.Caller) (*fundhub.User, error) {
	if len(roles) == 0 {
		return nil, fundhub.Invalid("roles", "a user needs at least one role")
	}
	if err := s.Store.CheckRoles(ctx, roles); err != nil {
		return nil, err
	}

	rec := recordOf(actor)
	rec.Action = "user.roles"
	u, err := s.Store.UpdateUser(ctx, username, "roles = $2", []any{pq.Array(roles)}, rec)
	if err != nil {
		return nil, err
	}
	s.Logger.InfoContext(ctx, "user roles set", "user", username,
		"roles", strings.Join(roles, ","), "by", rec.Actor)

	return u, nil
}

// SetPassword gives the user named username a new password, clears any
// lock, and ends their sessions, except the one actor uses when they change
// their own password. API tokens stay: they are revoked one by one.
func (s *Service) SetPassword(ctx context.Context, username, password string,
	actor *fundhub.Caller) (*fundhub.User, error) {
	if err := checkNewPassword(password); err != nil {
		return nil, err
	}
	hash, err := hashPassword(password, s.Cost)
	if err != nil {
		return nil, err
	}

	rec := recordOf(actor)
	rec.Action = "user.password"
	u, err := s.Store.UpdateUser(ctx, username, "password_hash = $2", []any{hash}, rec)
	if err != nil {
		return nil, err
	}
	a, err := s.newAttempt(ctx, username, "", nil)
	if err != nil {
		return nil, err
	}
	if err := s.Store.ClearLoginAttempts(ctx, a.key); err != nil {
		return nil, err
	}
	var keep int64
	if actor != nil && actor.UserID == u.ID {
		keep = actor.TokenID
	}
	if err := s.Store.RevokeSessionsExcept(ctx, u.ID, keep); err != nil {
		return nil, err
	}
	s.Logger.InfoContext(ctx, "password set", "user", username, "by", rec.Actor)

	return u, nil
}

// ChangePassword lets the caller replace their own password, given the
// current one. The check of the current password counts as a login
// attempt, locks included, so it cannot be used to guess.
func (s *Service) ChangePassword(ctx context.Context, c *fundhub.Caller, current,
	next, client string) error {
	if err := checkNewPassword(next); err != nil {
		return renamed(err, "newPassword")
	}
	acct, err := s.Store.LoginAccount(ctx, c.Username)
	if err != nil {
		return err
	}
	a, err := s.newAttempt(ctx, c.Username, client, acct)
	if err != nil {
		return err
	}
	if err := s.claim(ctx, a); err != nil {
		return err
	}

	ok, err := passwordMatches(acct.PasswordHash, current)
	if err != nil {
		return err
	}
	if !ok {
		err := s.refuse(ctx, a, "wrong current password in a password change")
		if !errors.Is(err, errBadLogin) {
			return err
		}
		return fundhub.Invalid("currentPassword", "is not your current password")
	}

	_, err = s.SetPassword(ctx, c.Username, next, c)

	return err
}

// renamed returns err with the field it names set to field.
func renamed(err error, field string) error {
	var e *fundhub.Error
	if errors.As(err, &e) {
		return &fundhub.Error{Code: e.Code, Field: field, Message: e.Message}
	}

	return err
}
