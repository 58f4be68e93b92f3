// Package authz decides what an official may see and change, with Casbin.
//
// A user holds roles at the region of their unit. A policy grants a role an
// action on a fund direction within a region's subtree, and the matcher
// walks the region tree (regionUnder) instead of holding a copy of every
// policy per region: the default policies are set once, at the nation. A
// user reaches the subtree of the region where they hold a role, never
// more. Policies live in the casbin_rules table; replicas reload on NOTIFY.
package authz

import (
	"context"
	_ "embed"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/jmoiron/sqlx"

	"fundhub"
)

//go:embed model.conf
var modelText string

// RoleAt is a role held at a region: the region of the user's unit.
type RoleAt struct {
	Role   string
	Region string
}

// User is who asks: an ID for logs and the roles they hold. A user with no
// roles may do nothing.
type User struct {
	ID    string
	Roles []RoleAt
}

// Authorizer answers access questions from the policies in casbin_rules
// and the region tree. It is safe for concurrent use; a reload swaps in a
// whole new enforcer, so a question never sees half a policy.
type Authorizer struct {
	db      *sqlx.DB
	adapter *Adapter
	logger  *slog.Logger
	state   atomic.Pointer[state]

	mu sync.Mutex
	// reloaded is closed and replaced at the end of each reload; mu guards
	// the field.
	reloaded chan struct{}
}

// state is one loaded generation of policies and regions.
type state struct {
	enforcer *casbin.Enforcer
	tree     regionTree
	policies []Policy
}

// New loads the policies and the region tree from db, which must hold
// migration 00009. A nil logger means slog.Default.
func New(ctx context.Context, db *sqlx.DB, logger *slog.Logger) (*Authorizer, error) {
	if logger == nil {
		logger = slog.Default()
	}
	a := &Authorizer{db: db, adapter: NewAdapter(db), logger: logger,
		reloaded: make(chan struct{})}

	if err := a.Reload(ctx); err != nil {
		return nil, err
	}

	return a, nil
}

// Adapter returns the adapter over the policy table. Changes made through
// it reach this Authorizer at its next Reload, or through Listen.
func (a *Authorizer) Adapter() *Adapter { return a.adapter }

// Reload reads the policies and the region tree again, and then signals
// the channel of Reloaded. On error the previous policies stay in force.
func (a *Authorizer) Reload(ctx context.Context) error {
	tree, err := loadRegionTree(ctx, a.db)
	if err != nil {
		return err
	}

	s, err := a.build(ctx, tree)
	if err != nil {
		return err
	}
	a.state.Store(s)
	a.logger.Debug("policies loaded", "policies", len(s.policies), "regions", len(tree))

	a.mu.Lock()
	close(a.reloaded)
	a.reloaded = make(chan struct{})
	a.mu.Unlock()

	return nil
}

// Reloaded returns a channel that is closed when the next reload after
// this call completes, so tests and callers wait on a signal, not a timer.
func (a *Authorizer) Reloaded() <-chan struct{} {
	a.mu.Lock()
	defer a.mu.Unlock()

	return a.reloaded
}

// build makes an enforcer over the stored policies whose regionUnder
// reads tree.
func (a *Authorizer) build(ctx context.Context, tree regionTree) (*state, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("parsing casbin model: %w", err)
	}
	if err := a.adapter.LoadPolicyCtx(ctx, m); err != nil {
		return nil, err
	}

	e, err := casbin.NewEnforcer(m)
	if err != nil {
		return nil, fmt.Errorf("creating casbin enforcer: %w", err)
	}
	e.AddFunction("regionUnder", tree.under)

	rules, err := e.GetPolicy()
	if err != nil {
		return nil, fmt.Errorf("reading casbin policies: %w", err)
	}

	return &state{enforcer: e, tree: tree, policies: toPolicies(rules)}, nil
}

func toPolicies(rules [][]string) []Policy {
	ps := make([]Policy, 0, len(rules))
	for _, r := range rules {
		if len(r) == 4 {
			ps = append(ps, Policy{r[0], r[1], r[2], r[3]})
		}
	}

	return ps
}

// Allowed reports whether user may do action on funds of direction in the
// region with regionCode. Unknown regions and errors of the enforcer deny;
// an enforcer error is logged.
func (a *Authorizer) Allowed(user User, action, regionCode string,
	direction fundhub.Direction) bool {
	s := a.state.Load()
	for _, ra := range user.Roles {
		ok, err := s.enforcer.Enforce(ra.Role, ra.Region, regionCode,
			string(direction), action)
		if err != nil {
			a.logger.Error("enforcing policy", "user", user.ID, "role", ra.Role,
				"region", regionCode, "err", err)
			return false
		}
		if ok {
			return true
		}
	}

	return false
}

// AddPolicy stores p and reloads. Other replicas see it through Listen.
func (a *Authorizer) AddPolicy(ctx context.Context, p Policy) error {
	if err := a.adapter.AddPolicyCtx(ctx, "p", "p", p.rule()); err != nil {
		return err
	}

	return a.Reload(ctx)
}

// RemovePolicy deletes p and reloads. Other replicas see it through Listen.
func (a *Authorizer) RemovePolicy(ctx context.Context, p Policy) error {
	if err := a.adapter.RemovePolicyCtx(ctx, "p", "p", p.rule()); err != nil {
		return err
	}

	return a.Reload(ctx)
}

// Policies returns the policies in force, in the order they were stored.
func (a *Authorizer) Policies() []Policy {
	return append([]Policy(nil), a.state.Load().policies...)
}

// Above reports whether the region with code upper lies strictly above the
// one with code lower: the level that admits, reviews and handles what the
// lower one files.
func (a *Authorizer) Above(upper, lower string) bool {
	t := a.state.Load().tree

	return upper != lower && t.contains(upper, lower)
}

// Reaches reports whether user may do action on some direction in the
// region with code: what acts on a region as a whole, such as raising a
// problem about it, needs no more.
func (a *Authorizer) Reaches(user User, action, code string) bool {
	s := a.Scope(user, action)
	if s.All {
		return true
	}
	t := a.state.Load().tree
	for _, root := range s.RegionCodes {
		if t.contains(root, code) {
			return true
		}
	}

	return false
}

// Depth returns the level of the region with code in the tree: 0 for the
// nation, 1 for a province, 2 for a city, 3 for a county; -1 when unknown.
func (a *Authorizer) Depth(code string) int {
	p, ok := a.state.Load().tree[code]
	if !ok {
		return -1
	}

	return strings.Count(strings.Trim(p, "/"), "/")
}
