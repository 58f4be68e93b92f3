package authz_test

import (
	"context"
	"log/slog"
	"testing"

	"fundhub"
	"fundhub/authz"
	"fundhub/postgres"
	"fundhub/postgres/pgtest"
)

const (
	eco = fundhub.DirectionEcoRestoration
	geo = fundhub.DirectionGeohazard
)

func newAuthorizer(tb testing.TB, db *postgres.DB) *authz.Authorizer {
	tb.Helper()
	a, err := authz.New(context.Background(), db.SQL(), slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatalf("creating authorizer: %v", err)
	}

	return a
}

func user(role, region string) authz.User {
	return authz.User{ID: role + "@" + region, Roles: []authz.RoleAt{{role, region}}}
}

func TestAuthorizer_Allowed(t *testing.T) {
	a := newAuthorizer(t, pgtest.New(t))

	tests := []struct {
		name   string
		user   authz.User
		action string
		region string
		dir    fundhub.Direction
		want   bool
	}{
		{"county on itself", user(authz.RoleFinance, "330106"), authz.ActionRead,
			"330106", eco, true},
		{"county on neighbour", user(authz.RoleFinance, "330106"), authz.ActionRead,
			"330105", eco, false},
		{"county on its city", user(authz.RoleFinance, "330106"), authz.ActionRead,
			"330100", eco, false},
		{"city on its county", user(authz.RoleFinance, "330100"), authz.ActionWrite,
			"330106", eco, true},
		{"geohazard on eco", user(authz.RoleGeohazard, "330106"), authz.ActionRead,
			"330106", eco, false},
		{"geohazard on geohazard", user(authz.RoleGeohazard, "330106"),
			authz.ActionSubmit, "330106", geo, true},
		{"finance on geohazard", user(authz.RoleFinance, "330106"), authz.ActionTransmit,
			"330106", geo, true},
		{"finance on other direction", user(authz.RoleFinance, "330106"),
			authz.ActionReview, "330106", fundhub.DirectionOther, true},
		{"county finance cannot decide at the nation", user(authz.RoleFinance, "330106"),
			authz.ActionDecideChange, fundhub.NationalCode, eco, false},
		{"ministry finance decides", user(authz.RoleFinance, fundhub.NationalCode),
			authz.ActionDecideChange, fundhub.NationalCode, eco, true},
		{"marine reads eco", user(authz.RoleMarineMonitoring, "330000"),
			authz.ActionRead, "330106", eco, true},
		{"marine writes eco", user(authz.RoleMarineMonitoring, "330000"),
			authz.ActionWrite, "330106", eco, false},
		{"ministry support reads a county", user(authz.RoleMinistrySupport, "100000"),
			authz.ActionRead, "320102", geo, true},
		{"ministry support writes", user(authz.RoleMinistrySupport, "100000"),
			authz.ActionWrite, "320102", geo, false},
		{"admin manages users", user(authz.RoleAdmin, "100000"), authz.ActionManageUsers,
			"100000", eco, true},
		{"unknown region", user(authz.RoleFinance, "100000"), authz.ActionRead,
			"999999", eco, false},
		{"unknown role", user("nobody", "100000"), authz.ActionRead, "330106", eco, false},
		{"no roles", authz.User{ID: "x"}, authz.ActionRead, "330106", eco, false},
		{"second role grants", authz.User{ID: "x", Roles: []authz.RoleAt{
			{authz.RoleGeohazard, "330106"}, {authz.RoleEcoRestoration, "330106"}}},
			authz.ActionWrite, "330106", eco, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := a.Allowed(tt.user, tt.action, tt.region, tt.dir)
			if got != tt.want {
				t.Errorf("Allowed(%v, %s, %s, %s): got %v, want %v",
					tt.user.Roles, tt.action, tt.region, tt.dir, got, tt.want)
			}
		})
	}
}

// TestAuthorizer_AllowedProvince checks a province official against every
// county of their own province and of a neighbouring one.
func TestAuthorizer_AllowedProvince(t *testing.T) {
	db := pgtest.New(t)
	a := newAuthorizer(t, db)
	u := user(authz.RoleEcoRestoration, "330000")

	tests := []struct {
		province string
		want     bool
	}{
		{"330000", true},
		{"320000", false},
	}
	for _, tt := range tests {
		t.Run(tt.province, func(t *testing.T) {
			var counties []string
			pgtest.Select(t, db, &counties, `SELECT code FROM regions
				WHERE level = 'COUNTY' AND path LIKE '/100000/' || $1 || '/%'`, tt.province)
			if len(counties) < 50 {
				t.Fatalf("counties of %s: got %d, want at least 50", tt.province, len(counties))
			}

			for _, c := range counties {
				if got := a.Allowed(u, authz.ActionWrite, c, eco); got != tt.want {
					t.Errorf("Allowed on %s: got %v, want %v", c, got, tt.want)
				}
			}
		})
	}
}
