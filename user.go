package fundhub

import (
	"regexp"
	"time"
)

// DepartmentKind is what a unit does in the mechanism; it decides which
// roles its officials usually hold.
type DepartmentKind string

// Department kinds of units.
const (
	DepartmentFinance          DepartmentKind = "FINANCE"
	DepartmentEcoRestoration   DepartmentKind = "ECO_RESTORATION"
	DepartmentMarineMonitoring DepartmentKind = "MARINE_MONITORING"
	DepartmentGeohazard        DepartmentKind = "GEOHAZARD"
	DepartmentOtherFundUser    DepartmentKind = "OTHER_FUND_USER"
	DepartmentMinistrySupport  DepartmentKind = "MINISTRY_SUPPORT"
)

// Valid reports whether k is one of the department kinds.
func (k DepartmentKind) Valid() bool {
	switch k {
	case DepartmentFinance, DepartmentEcoRestoration, DepartmentMarineMonitoring,
		DepartmentGeohazard, DepartmentOtherFundUser, DepartmentMinistrySupport:
		return true
	}

	return false
}

// Unit is a department of a government at one region, such as the finance
// bureau of a county. Officials belong to units, and a unit's region bounds
// what they reach.
type Unit struct {
	ID             int64          `db:"id"`
	FullName       string         `db:"full_name"`
	RegionCode     string         `db:"region_code"`
	DepartmentKind DepartmentKind `db:"department_kind"`
}

// User is an official who signs in. Roles are held at the unit's region.
type User struct {
	ID          int64      `db:"id"`
	Username    string     `db:"username"`
	DisplayName string     `db:"display_name"`
	UnitID      int64      `db:"unit_id"`
	UnitRegion  string     `db:"unit_region"`
	Roles       []string   `db:"-"`
	Disabled    bool       `db:"disabled"`
	LastLoginAt *time.Time `db:"last_login_at"`
	CreatedAt   time.Time  `db:"created_at"`
	CreatedBy   string     `db:"created_by"`
}

// usernamePattern is the form of usernames; the users table checks it too.
var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,62}$`)

// ValidUsername reports whether name is 2 to 63 lower-case letters, digits,
// dots, dashes or underscores, starting with a letter or digit.
func ValidUsername(name string) bool { return usernamePattern.MatchString(name) }

// MinPasswordLength is the shortest password the hub accepts.
const MinPasswordLength = 12

// NewUser is what it takes to create a user: the unit (found by region and
// full name, created when Kind is set and it does not exist yet), the
// roles and the password, which is hashed before it is stored.
type NewUser struct {
	Username    string
	DisplayName string
	UnitRegion  string
	UnitName    string
	UnitKind    DepartmentKind
	Roles       []string
	Password    string
}

// TokenKind tells a login's short session from a long-lived API token.
type TokenKind string

// Kinds of bearer tokens.
const (
	TokenSession TokenKind = "SESSION"
	TokenAPI     TokenKind = "API"
)

// Token is a bearer token as stored: never the token itself, which is shown
// once when it is made.
type Token struct {
	ID         int64      `db:"id"`
	UserID     int64      `db:"user_id"`
	Kind       TokenKind  `db:"kind"`
	Name       string     `db:"name"`
	CreatedAt  time.Time  `db:"created_at"`
	ExpiresAt  time.Time  `db:"expires_at"`
	RevokedAt  *time.Time `db:"revoked_at"`
	LastUsedAt *time.Time `db:"last_used_at"`
}

// Caller is who makes a request: the user, the unit's region where their
// roles are held, and the token they presented.
type Caller struct {
	UserID     int64
	Username   string
	RegionCode string
	Roles      []string
	TokenID    int64
	TokenKind  TokenKind
}

// Actor names the caller in audit records and logs.
func (c *Caller) Actor() string { return "user:" + c.Username }

// AuditRecord is one entry of the append-only audit log.
type AuditRecord struct {
	UserID     *int64
	Actor      string
	Action     string
	Entity     string
	EntityID   string
	RegionCode string
	Before     []byte
	After      []byte
	Reason     string
}

// NewToken is a token about to be stored: only its hash, never the token.
type NewToken struct {
	UserID    int64
	Kind      TokenKind
	Name      string
	Hash      []byte
	ExpiresAt time.Time
}

// LoginAccount is what a login checks about the user named in it.
type LoginAccount struct {
	User         User
	PasswordHash string
}
