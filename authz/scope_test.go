package authz_test

import (
	"reflect"
	"testing"

	"fundhub"
	"fundhub/authz"
	"fundhub/postgres/pgtest"
)

func TestAuthorizer_Scope(t *testing.T) {
	a := newAuthorizer(t, pgtest.New(t))
	ds := func(d ...fundhub.Direction) []fundhub.Direction { return d }

	tests := []struct {
		name   string
		user   authz.User
		action string
		want   fundhub.Scope
	}{
		{"county finance", user(authz.RoleFinance, "330106"), authz.ActionRead,
			fundhub.Scope{RegionCodes: []string{"330106"}}},
		{"province eco", user(authz.RoleEcoRestoration, "330000"), authz.ActionWrite,
			fundhub.Scope{RegionCodes: []string{"330000"}, Directions: ds(eco)}},
		{"geohazard", user(authz.RoleGeohazard, "330106"), authz.ActionRead,
			fundhub.Scope{RegionCodes: []string{"330106"}, Directions: ds(geo)}},
		{"marine cannot write", user(authz.RoleMarineMonitoring, "330000"),
			authz.ActionWrite, fundhub.Scope{}},
		{"ministry support", user(authz.RoleMinistrySupport, "100000"), authz.ActionRead,
			fundhub.FullScope()},
		{"national eco is not all", user(authz.RoleEcoRestoration, "100000"),
			authz.ActionRead,
			fundhub.Scope{RegionCodes: []string{"100000"}, Directions: ds(eco)}},
		{"admin", user(authz.RoleAdmin, "100000"), authz.ActionManageConnectors,
			fundhub.FullScope()},
		{"no roles", authz.User{ID: "x"}, authz.ActionRead, fundhub.Scope{}},
		{"two departments in one county", roles(
			authz.RoleGeohazard, "330106", authz.RoleEcoRestoration, "330106"),
			authz.ActionRead,
			fundhub.Scope{RegionCodes: []string{"330106"}, Directions: ds(eco, geo)}},
		{"nested region dropped", roles(
			authz.RoleFinance, "330000", authz.RoleGeohazard, "330106"),
			authz.ActionRead, fundhub.Scope{RegionCodes: []string{"330000"}}},
		{"two provinces", roles(
			authz.RoleEcoRestoration, "330000", authz.RoleMarineMonitoring, "320000"),
			authz.ActionRead,
			fundhub.Scope{RegionCodes: []string{"320000", "330000"}, Directions: ds(eco)}},
		{"disjoint directions narrow", roles(
			authz.RoleEcoRestoration, "330106", authz.RoleGeohazard, "330105",
			authz.RoleGeohazard, "320102"),
			authz.ActionRead,
			fundhub.Scope{RegionCodes: []string{"320102", "330105"}, Directions: ds(geo)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := a.Scope(tt.user, tt.action)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Scope(%v, %s): got %+v, want %+v", tt.user.Roles, tt.action,
					got, tt.want)
			}
		})
	}
}

// roles makes a user of role, region pairs.
func roles(pairs ...string) authz.User {
	u := authz.User{ID: "multi"}
	for i := 0; i+1 < len(pairs); i += 2 {
		u.Roles = append(u.Roles, authz.RoleAt{Role: pairs[i], Region: pairs[i+1]})
	}

	return u
}

func TestCheckPolicy(t *testing.T) {
	tests := []struct {
		p     authz.Policy
		field string
	}{
		{authz.Policy{"finance", "100000", "*", "decide_change"}, ""},
		{authz.Policy{"finance", "100000", "*", "decide"}, "action"},
		{authz.Policy{"", "100000", "*", "read"}, "role"},
		{authz.Policy{"finance", "", "*", "read"}, "region"},
		{authz.Policy{"finance", "330000", "", "read"}, "direction"},
	}
	for _, tt := range tests {
		if got := fundhub.ErrorField(authz.CheckPolicy(tt.p)); got != tt.field {
			t.Errorf("%v: got field %q, want %q", tt.p, got, tt.field)
		}
	}
}
