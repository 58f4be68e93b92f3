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

// Login checks a username and password and returns a session token.
// Every attempt is counted under the typed username before its password is
// checked: from LockAfter attempts in a row without success the name is
// locked for a time that doubles with each further attempt, for existing
// and unknown names alike, and a locked name is refused unchecked. Unknown
// names, disabled users and wrong passwords get one answer after one
// password comparison, so neither the answer nor its timing tells which
// usernames exist. Every attempt is audited; client (an address) goes into
// the record.
func (s *Service) Login(ctx context.Context, username, password,
	client string) (*Session, error) {
	acct, err := s.Store.LoginAccount(ctx, username)
	if fundhub.ErrorCode(err) == fundhub.ENOTFOUND {
		acct, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	a, err := s.newAttempt(ctx, username, client, acct)
	if err != nil {
		return nil, err
	}

	if err := s.claim(ctx, a); err != nil {
		return nil, err
	}
	hash := s.dummy()
	if acct != nil {
		hash = acct.PasswordHash
	}
	ok, err := passwordMatches(hash, password)
	if err != nil {
		return nil, err
	}

	switch {
	case acct == nil:
		return nil, s.refuse(ctx, a, "unknown user")
	case acct.User.Disabled:
		return nil, s.refuse(ctx, a, "user disabled")
	case !ok:
		return nil, s.refuse(ctx, a, "wrong password")
	}

	return s.startSession(ctx, a)
}

// attempt is one login attempt.
type attempt struct {
	client string
	acct   *fundhub.LoginAccount
	// key is what attempts are counted under, and unknown how a name no
	// user has is recorded: both keyed hashes of the typed name, so a
	// password typed into the name field is never written down.
	key, unknown string
}

func (s *Service) newAttempt(ctx context.Context, username, client string,
	acct *fundhub.LoginAccount) (attempt, error) {
	name, err := s.namer(ctx)
	if err != nil {
		return attempt{}, err
	}

	return attempt{client: client, acct: acct, key: name("attempts", username),
		unknown: "unknown:" + name("logs", username)[:8]}, nil
}

// name is how logs and the audit log name who tried.
func (a attempt) name() string {
	if a.acct != nil {
		return a.acct.User.Username
	}

	return a.unknown
}

// record starts the audit record of the attempt.
func (a attempt) record(action, reason string) fundhub.AuditRecord {
	rec := fundhub.AuditRecord{Actor: "user:" + a.name(), Action: action,
		Entity: "user", EntityID: a.name(), Reason: reason + " from " + a.client}
	if a.acct != nil {
		id := a.acct.User.ID
		rec.UserID = &id
	}

	return rec
}

// claim counts the attempt, or refuses it, audited, while its name is
// locked.
func (s *Service) claim(ctx context.Context, a attempt) error {
	ok, locked, err := s.Store.ClaimLoginAttempt(ctx, a.key, s.Now(), LockAfter,
		LockBase, LockMax)
	if err != nil || ok {
		return err
	}

	wait := time.Duration(0)
	if locked != nil {
		wait = max(locked.Sub(s.Now()), time.Second).Round(time.Second)
	}
	if err := s.Store.Audit(ctx, a.record("login.locked", "locked")); err != nil {
		return err
	}
	s.Logger.WarnContext(ctx, "login refused: locked", "user", a.name(), "client", a.client,
		"wait", wait)

	return fundhub.Errorf(fundhub.ETOOMANY,
		"too many failed logins for this account; try again in %s", wait)
}

// refuse audits a failed login and returns errBadLogin.
func (s *Service) refuse(ctx context.Context, a attempt, why string) error {
	if err := s.Store.Audit(ctx, a.record("login.failure", why)); err != nil {
		return err
	}
	s.Logger.WarnContext(ctx, "login refused", "user", a.name(), "client", a.client,
		"reason", why)

	return errBadLogin
}

// startSession stores a session token for the attempt's user, clears the
// attempts counted against the name and audits the login.
func (s *Service) startSession(ctx context.Context, a attempt) (*Session, error) {
	raw, hash, err := newToken(fundhub.TokenSession)
	if err != nil {
		return nil, err
	}
	u := a.acct.User
	expires := s.Now().Add(s.SessionTTL)

	rec := a.record("login.success", "signed in")
	rec.Entity = "token"
	tok, err := s.Store.LoginSucceeded(ctx, a.key, fundhub.NewToken{UserID: u.ID,
		Kind: fundhub.TokenSession, Hash: hash, ExpiresAt: expires}, rec)
	if err != nil {
		return nil, err
	}
	s.Logger.InfoContext(ctx, "login", "user", u.Username, "client", a.client,
		"token_id", tok.ID, "expires_at", tok.ExpiresAt)

	return &Session{Token: raw, ExpiresAt: tok.ExpiresAt, User: &u}, nil
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

// Live reports whether the token the caller presented still works, for
// connections that outlive a request: a subscription ends when it does not.
func (s *Service) Live(ctx context.Context, c *fundhub.Caller) bool {
	live, err := s.Store.TokenLive(ctx, c.TokenID)
	if err != nil {
		s.Logger.WarnContext(ctx, "checking a token; taking it as dead", "token_id",
			c.TokenID, "err", err)
	}

	return err == nil && live
}

// Refresh returns the caller as they are now, for connections that outlive
// a request: their roles may have changed, their token been revoked. An
// EUNAUTHENTICATED error when the token no longer works.
func (s *Service) Refresh(ctx context.Context, c *fundhub.Caller) (*fundhub.Caller, error) {
	fresh, err := s.Store.CallerByTokenID(ctx, c.TokenID)
	if fundhub.ErrorCode(err) == fundhub.ENOTFOUND {
		return nil, errBadToken
	}
	if err != nil {
		return nil, fmt.Errorf("refreshing a caller: %w", err)
	}

	return fresh, nil
}
