// Package auth signs officials in and tells who makes each request: bcrypt
// passwords, short session tokens from a login, long-lived API tokens for
// dashboards and connectors, all stored as hashes and checked on every
// request, so a revoked token stops working at once. What a caller may do
// is package authz's business; auth only says who they are.
package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"fundhub"
)

// Store is what the service keeps its records in; *postgres.DB implements
// it.
type Store interface {
	CreateUser(ctx context.Context, nu fundhub.NewUser, passwordHash string,
		rec *fundhub.AuditRecord) (*fundhub.User, error)
	LoginAccount(ctx context.Context, username string) (*fundhub.LoginAccount, error)
	ClaimLoginAttempt(ctx context.Context, key string, now time.Time, threshold int,
		base, maxLock time.Duration) (bool, *time.Time, error)
	ClearLoginAttempts(ctx context.Context, key string) error
	LoginSucceeded(ctx context.Context, key string, t fundhub.NewToken,
		rec fundhub.AuditRecord) (*fundhub.Token, error)
	CreateToken(ctx context.Context, t fundhub.NewToken,
		rec fundhub.AuditRecord) (*fundhub.Token, error)
	CallerByToken(ctx context.Context, hash []byte) (*fundhub.Caller, error)
	TokenUsed(ctx context.Context, c *fundhub.Caller, what string) error
	FindToken(ctx context.Context, id int64) (*fundhub.Token, string, error)
	RevokeToken(ctx context.Context, id int64, rec fundhub.AuditRecord) (*fundhub.Token, error)
	Audit(ctx context.Context, rec fundhub.AuditRecord) error
	Secret(ctx context.Context, name string) ([]byte, error)
	TokenLive(ctx context.Context, id int64) (bool, error)
	CallerByTokenID(ctx context.Context, id int64) (*fundhub.Caller, error)
	UpdateUser(ctx context.Context, username, set string, args []any,
		rec fundhub.AuditRecord) (*fundhub.User, error)
	CheckRoles(ctx context.Context, roles []string) error
	RevokeSessionsExcept(ctx context.Context, userID, keep int64) error
}

// Defaults of the service's settings.
const (
	DefaultSessionTTL  = 12 * time.Hour
	DefaultAPITokenTTL = 365 * 24 * time.Hour
	// MaxAPITokenTTL bounds an API token's life: a token never expiring is
	// a token nobody reviews.
	MaxAPITokenTTL = 2 * 365 * 24 * time.Hour
	// LockAfter login attempts in a row without success lock the name for
	// LockBase, doubled with each further attempt up to LockMax.
	LockAfter = 5
	LockBase  = 2 * time.Second
	LockMax   = 15 * time.Minute
)

// Service signs users in and authenticates requests.
type Service struct {
	Store  Store
	Logger *slog.Logger
	// Now returns the time; tests move it to expire tokens.
	Now func() time.Time
	// SessionTTL is how long a login's token lives.
	SessionTTL time.Duration
	// Cost is the bcrypt cost of new password hashes.
	Cost int

	// dummyHash is compared against when the user does not exist, so an
	// unknown username takes as long to refuse as a wrong password.
	dummyHash string
	dummyOnce sync.Once

	// nameKey keys the names login attempts are counted and recorded
	// under; loaded once from the store.
	nameKey  []byte
	nameOnce sync.Mutex
}

// namer returns the keyed names of a typed username: the key attempts are
// counted under, and the short name logs give a name no user has. Both are
// HMACs with a server secret, so neither gives back what was typed.
func (s *Service) namer(ctx context.Context) (func(kind, typed string) string, error) {
	s.nameOnce.Lock()
	defer s.nameOnce.Unlock()
	if s.nameKey == nil {
		k, err := s.Store.Secret(ctx, "login-names")
		if err != nil {
			return nil, err
		}
		s.nameKey = k
	}
	key := s.nameKey

	return func(kind, typed string) string {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(kind + "\x00" + strings.ToLower(typed)))
		return hex.EncodeToString(m.Sum(nil))
	}, nil
}

// New returns a service over st with the default settings.
func New(st Store, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.Default()
	}

	return &Service{Store: st, Logger: logger, Now: time.Now,
		SessionTTL: DefaultSessionTTL, Cost: bcrypt.DefaultCost}
}

// Session is a successful login: the token, shown once, and who it is for.
type Session struct {
	Token     string
	ExpiresAt time.Time
	User      *fundhub.User
}

// IssuedToken is a new API token, shown once, and its stored record.
type IssuedToken struct {
	Token  string
	Record *fundhub.Token
}

// CreateUser checks and hashes the password of nu and stores the user,
// audited as done by actor: a caller of the API, or nil for the command
// line.
func (s *Service) CreateUser(ctx context.Context, nu fundhub.NewUser,
	actor *fundhub.Caller) (*fundhub.User, error) {
	if err := checkNewUser(nu); err != nil {
		return nil, err
	}
	hash, err := hashPassword(nu.Password, s.Cost)
	if err != nil {
		return nil, err
	}

	rec := recordOf(actor)
	u, err := s.Store.CreateUser(ctx, nu, hash, &rec)
	if err != nil {
		return nil, err
	}
	s.Logger.InfoContext(ctx, "user created", "user", u.Username, "id", u.ID,
		"unit_region", nu.UnitRegion, "roles", u.Roles, "by", rec.Actor)

	return u, nil
}

func checkNewUser(nu fundhub.NewUser) error {
	switch {
	case !fundhub.ValidUsername(nu.Username):
		return fundhub.Invalid("username", "must be 2 to 63 lower-case letters, digits, "+
			"dots, dashes or underscores")
	case nu.DisplayName == "":
		return fundhub.Invalid("displayName", "is required")
	case len([]rune(nu.DisplayName)) > fundhub.MaxNameLength:
		return fundhub.Invalid("displayName", "is longer than %d characters",
			fundhub.MaxNameLength)
	case len([]rune(nu.UnitName)) > fundhub.MaxNameLength:
		return fundhub.Invalid("unitName", "is longer than %d characters",
			fundhub.MaxNameLength)
	case nu.UnitRegion == "":
		return fundhub.Invalid("unitRegion", "is required")
	case nu.UnitName == "":
		return fundhub.Invalid("unitName", "is required")
	case nu.UnitKind != "" && !nu.UnitKind.Valid():
		return fundhub.Invalid("unitKind", "unknown department kind %q", nu.UnitKind)
	case len(nu.Roles) == 0:
		return fundhub.Invalid("roles", "a user needs at least one role")
	}

	return checkNewPassword(nu.Password)
}

// recordOf starts an audit record of what actor does; nil is the command
// line, run by whoever can reach the database.
func recordOf(actor *fundhub.Caller) fundhub.AuditRecord {
	if actor == nil {
		return fundhub.AuditRecord{Actor: "cli"}
	}
	id := actor.UserID

	return fundhub.AuditRecord{UserID: &id, Actor: actor.Actor()}
}

// CreateAPIToken makes a named API token for the user with userID, living
// ttl (the default when zero), audited as done by actor.
func (s *Service) CreateAPIToken(ctx context.Context, userID int64, name string,
	ttl time.Duration, actor *fundhub.Caller) (*IssuedToken, error) {
	if name == "" {
		return nil, fundhub.Invalid("name", "an API token needs a name")
	}
	if err := fundhub.CheckLength("name", name, 100); err != nil {
		return nil, err
	}
	if ttl == 0 {
		ttl = DefaultAPITokenTTL
	}
	if ttl < 0 || ttl > MaxAPITokenTTL {
		return nil, fundhub.Invalid("expiresInDays", "must be between 1 and %d days",
			int(MaxAPITokenTTL.Hours()/24))
	}

	raw, hash, err := newToken(fundhub.TokenAPI)
	if err != nil {
		return nil, err
	}
	rec := recordOf(actor)
	rec.Action, rec.Entity = "token.create", "token"
	tok, err := s.Store.CreateToken(ctx, fundhub.NewToken{UserID: userID,
		Kind: fundhub.TokenAPI, Name: name, Hash: hash, ExpiresAt: s.Now().Add(ttl)}, rec)
	if err != nil {
		return nil, err
	}
	s.Logger.InfoContext(ctx, "API token created", "token_id", tok.ID, "user_id", userID,
		"name", name, "expires_at", tok.ExpiresAt, "by", rec.Actor)

	return &IssuedToken{Token: raw, Record: tok}, nil
}

// RevokeToken revokes the token with id, audited as done by actor.
func (s *Service) RevokeToken(ctx context.Context, id int64,
	actor *fundhub.Caller) (*fundhub.Token, error) {
	rec := recordOf(actor)
	rec.Action = "token.revoke"
	tok, err := s.Store.RevokeToken(ctx, id, rec)
	if err != nil {
		return nil, err
	}
	s.Logger.InfoContext(ctx, "token revoked", "token_id", id, "user_id", tok.UserID,
		"by", rec.Actor)

	return tok, nil
}

// FindToken returns the token with id and the region of its owner's unit.
func (s *Service) FindToken(ctx context.Context, id int64) (*fundhub.Token, string, error) {
	return s.Store.FindToken(ctx, id)
}

// Audit appends rec to the audit log.
func (s *Service) Audit(ctx context.Context, rec fundhub.AuditRecord) error {
	if err := s.Store.Audit(ctx, rec); err != nil {
		return fmt.Errorf("auditing %s: %w", rec.Action, err)
	}

	return nil
}
