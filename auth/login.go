package auth

import (
	"context"
	"fmt"
	"time"

	"fundhub"
)

// errBadLogin is the one answer to a wrong username or password, so the
// answer does not tell which was wrong.
var errBadLogin = fundhub.Errorf(fundhub.EUNAUTHENTICATED, "wrong username or password")

// maxLoggedName bounds how much of a typed username reaches the audit log
// and the logs: it is input from anyone.
const maxLoggedName = 64

// Login checks a username and password and returns a session token. A
// wrong password counts against the account; from LockAfter failures in
// a row it is locked for a time that doubles with each further failure,
// and a locked account is refused without its password being checked.
// Every attempt is audited; client (an address) goes into the record.
func (s *Service) Login(ctx context.Context, username, password,
	client string) (*Session, error) {
	acct, err := s.Store.LoginAccount(ctx, username)
	if fundhub.ErrorCode(err) == fundhub.ENOTFOUND {
		// Spend a hash comparison anyway, then refuse as for a wrong password.
		_, _ = passwordMatches(s.dummy(), password)
		return nil, s.refuse(ctx, nil, username, client, "unknown user")
	}
	if err != nil {
		return nil, err
	}

	if err := s.checkUsable(ctx, acct, client); err != nil {
		return nil, err
	}
	ok, err := passwordMatches(acct.PasswordHash, password)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, s.refuse(ctx, &acct.User, username, client, "wrong password")
	}

	return s.startSession(ctx, acct, client)
}

// checkUsable refuses a disabled or locked account, audited.
func (s *Service) checkUsable(ctx context.Context, acct *fundhub.LoginAccount,
	client string) error {
	if acct.User.Disabled {
		return s.refuse(ctx, &acct.User, acct.User.Username, client, "user disabled")
	}
	if acct.LockedUntil == nil || !acct.LockedUntil.After(s.Now()) {
		return nil
	}

	wait := acct.LockedUntil.Sub(s.Now()).Round(time.Second)
	rec := s.loginRecord(&acct.User, acct.User.Username, client, "login.locked")
	if err := s.Store.Audit(ctx, rec); err != nil {
		return err
	}
	s.Logger.WarnContext(ctx, "login refused: account locked", "user", acct.User.Username,
		"client", client, "wait", wait)

	return fundhub.Errorf(fundhub.ETOOMANY,
		"too many failed logins for this account; try again in %s", wait)
}

// refuse records a failed login and returns errBadLogin.
func (s *Service) refuse(ctx context.Context, u *fundhub.User, username, client,
	why string) error {
	rec := s.loginRecord(u, username, client, "login.failure")
	rec.Reason = why
	locked, err := s.Store.LoginFailed(ctx, rec, LockAfter, LockBase, LockMax)
	if err != nil {
		return err
	}
	s.Logger.WarnContext(ctx, "login refused", "user", truncate(username), "client", client,
		"reason", why, "locked_until", locked)

	return errBadLogin
}

func (s *Service) loginRecord(u *fundhub.User, username, client,
	action string) fundhub.AuditRecord {
	rec := fundhub.AuditRecord{Actor: "user:" + truncate(username), Action: action,
		Entity: "user", EntityID: truncate(username), Reason: "from " + client}
	if u != nil {
		id := u.ID
		rec.UserID = &id
	}

	return rec
}

// startSession stores a session token for acct and audits the login.
func (s *Service) startSession(ctx context.Context, acct *fundhub.LoginAccount,
	client string) (*Session, error) {
	raw, hash, err := newToken(fundhub.TokenSession)
	if err != nil {
		return nil, err
	}
	expires := s.Now().Add(s.SessionTTL)

	rec := s.loginRecord(&acct.User, acct.User.Username, client, "login.success")
	rec.Entity = "token"
	tok, err := s.Store.LoginSucceeded(ctx, fundhub.NewToken{UserID: acct.User.ID,
		Kind: fundhub.TokenSession, Hash: hash, ExpiresAt: expires}, rec)
	if err != nil {
		return nil, err
	}
	s.Logger.InfoContext(ctx, "login", "user", acct.User.Username, "client", client,
		"token_id", tok.ID, "expires_at", tok.ExpiresAt)

	return &Session{Token: raw, ExpiresAt: tok.ExpiresAt, User: &acct.User}, nil
}

// Logout revokes the token the caller presented.
func (s *Service) Logout(ctx context.Context, c *fundhub.Caller) error {
	rec := recordOf(c)
	rec.Action = "logout"
	if _, err := s.Store.RevokeToken(ctx, c.TokenID, rec); err != nil {
		return err
	}
	s.Logger.InfoContext(ctx, "logout", "user", c.Username, "token_id", c.TokenID)

	return nil
}

// Authenticate returns the caller holding the bearer token raw, or an
// EUNAUTHENTICATED error when it is malformed, unknown, expired, revoked or
// its user is disabled. The token itself never reaches a log.
func (s *Service) Authenticate(ctx context.Context, raw string) (*fundhub.Caller, error) {
	if !wellFormed(raw) {
		return nil, errBadToken
	}
	c, err := s.Store.CallerByToken(ctx, hashToken(raw))
	if fundhub.ErrorCode(err) == fundhub.ENOTFOUND {
		return nil, errBadToken
	}
	if err != nil {
		return nil, fmt.Errorf("authenticating a token: %w", err)
	}

	return c, nil
}

var errBadToken = fundhub.Errorf(fundhub.EUNAUTHENTICATED,
	"the token is invalid, expired or revoked; sign in again")

// Used records that the caller's token served an operation described by
// what: the token's last use and an audit record.
func (s *Service) Used(ctx context.Context, c *fundhub.Caller, what string) error {
	return s.Store.TokenUsed(ctx, c, what)
}

// dummy returns a bcrypt hash at the service's cost, made once.
func (s *Service) dummy() string {
	s.dummyOnce.Do(func() {
		s.dummyHash, _ = hashPassword("not a password of anyone", s.Cost)
	})

	return s.dummyHash
}

func truncate(name string) string {
	r := []rune(name)
	if len(r) > maxLoggedName {
		return string(r[:maxLoggedName])
	}

	return name
}
