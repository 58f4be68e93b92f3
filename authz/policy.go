package authz

import (
	"context"
	"fmt"
	"slices"

	"fundhub"
)

// Actions a policy grants. Every store and resolver asks for one of these;
// an action no policy names is denied to everyone.
const (
	ActionRead             = "read"
	ActionWrite            = "write"
	ActionSubmit           = "submit"
	ActionReview           = "review"
	ActionTransmit         = "transmit"
	ActionDecideChange     = "decide_change"
	ActionManageConnectors = "manage_connectors"
	ActionManageUsers      = "manage_users"
)

// Roles of the default policies: the department kinds of the domain. A user
// holds a role at the region of their unit, so "finance at 330106" is the
// finance bureau of one county.
const (
	RoleFinance          = "finance"
	RoleEcoRestoration   = "eco_restoration"
	RoleGeohazard        = "geohazard"
	RoleMarineMonitoring = "marine_monitoring"
	RoleMinistrySupport  = "ministry_support"
	RoleAdmin            = "admin"
)

// AnyDirection in a policy's Direction grants every fund direction,
// including directions added to the directions table later.
const AnyDirection = "*"

// Policy is one Casbin p rule: Role, held anywhere in Region's subtree, may
// do Action on funds of Direction (or AnyDirection) within the subtree of
// the region where the role is held.
type Policy struct {
	Role      string
	Region    string
	Direction string
	Action    string
}

// rule returns p as the fields of a Casbin p rule, in the model's order.
func (p Policy) rule() []string {
	return []string{p.Role, p.Region, p.Direction, p.Action}
}

// DefaultPolicies are the rules migrations 00009 and 00011 seed
// casbin_rules with; a test keeps the two equal. All are set at the nation,
// so they apply at every level and each user reaches only the subtree of
// their own unit:
//
//	role               directions        actions
//	finance            every direction   read write submit review transmit
//	                                     decide_change
//	eco_restoration    ECO_RESTORATION   read write submit
//	geohazard          GEOHAZARD         read write submit
//	marine_monitoring  ECO_RESTORATION   read
//	ministry_support   every direction   read
//	admin              every direction   manage_users manage_connectors
//
// decide_change is asked for at the nation itself, so of the finance
// departments only the ministry's reaches it.
var DefaultPolicies = concat(
	grants(RoleFinance, AnyDirection,
		ActionRead, ActionWrite, ActionSubmit, ActionReview, ActionTransmit),
	grants(RoleEcoRestoration, string(fundhub.DirectionEcoRestoration),
		ActionRead, ActionWrite, ActionSubmit),
	grants(RoleGeohazard, string(fundhub.DirectionGeohazard),
		ActionRead, ActionWrite, ActionSubmit),
	grants(RoleMarineMonitoring, string(fundhub.DirectionEcoRestoration), ActionRead),
	grants(RoleMinistrySupport, AnyDirection, ActionRead),
	grants(RoleAdmin, AnyDirection, ActionManageUsers, ActionManageConnectors),
	grants(RoleFinance, AnyDirection, ActionDecideChange),
)

// grants returns one national policy per action.
func grants(role, direction string, actions ...string) []Policy {
	ps := make([]Policy, 0, len(actions))
	for _, act := range actions {
		ps = append(ps, Policy{role, fundhub.NationalCode, direction, act})
	}

	return ps
}

func concat(lists ...[]Policy) []Policy {
	var all []Policy
	for _, l := range lists {
		all = append(all, l...)
	}

	return all
}

// UserOf returns the authz user of a caller: each of their roles held at
// the region of their unit. A nil caller holds no role.
func UserOf(c *fundhub.Caller) User {
	if c == nil {
		return User{}
	}
	u := User{ID: c.Username, Roles: make([]RoleAt, len(c.Roles))}
	for i, r := range c.Roles {
		u.Roles[i] = RoleAt{Role: r, Region: c.RegionCode}
	}

	return u
}

// Actions lists every action a policy may grant.
var Actions = []string{ActionRead, ActionWrite, ActionSubmit, ActionReview,
	ActionTransmit, ActionDecideChange, ActionManageConnectors, ActionManageUsers}

// CheckPolicy says what is wrong with p before it is stored: an action no
// request asks for, or an empty field, would never grant anything.
func CheckPolicy(p Policy) error {
	switch {
	case p.Role == "":
		return fundhub.Invalid("role", "is required")
	case p.Region == "":
		return fundhub.Invalid("region", "is required")
	case p.Direction == "":
		return fundhub.Invalid("direction", "is required (%q for every direction)",
			AnyDirection)
	case !slices.Contains(Actions, p.Action):
		return fundhub.Invalid("action", "unknown action %q (known: %v)", p.Action, Actions)
	}

	return nil
}

// Validate is CheckPolicy against the data: the region must be one of the
// region tree and the direction one of the directions table, so a typo
// does not store a rule that grants nothing.
func (a *Authorizer) Validate(ctx context.Context, p Policy) error {
	if err := CheckPolicy(p); err != nil {
		return err
	}
	if _, ok := a.state.Load().tree[p.Region]; !ok {
		return fundhub.Invalid("region", "no region with code %q", p.Region)
	}
	if p.Direction == AnyDirection {
		return nil
	}

	var n int
	err := a.db.GetContext(ctx, &n, `SELECT count(*) FROM directions WHERE code = $1`,
		p.Direction)
	if err != nil {
		return fmt.Errorf("checking direction %s: %w", p.Direction, err)
	}
	if n == 0 {
		return fundhub.Invalid("direction", "no direction %q (%q for every direction)",
			p.Direction, AnyDirection)
	}

	return nil
}
