package authz_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/casbin/casbin/v2/model"

	"fundhub/authz"
	"fundhub/postgres/pgtest"
)

// TestDefaultPolicies_MatchMigration keeps the Go table and the rows
// migrations 00009 and 00011 seed equal.
func TestDefaultPolicies_MatchMigration(t *testing.T) {
	a := newAuthorizer(t, pgtest.New(t))

	if got := a.Policies(); !reflect.DeepEqual(got, authz.DefaultPolicies) {
		t.Errorf("policies: got %v, want %v", got, authz.DefaultPolicies)
	}
}

func TestAdapter_Writes(t *testing.T) {
	ctx := context.Background()
	extra := authz.Policy{authz.RoleGeohazard, "330000", "OTHER", authz.ActionReview}
	defaults := len(authz.DefaultPolicies)

	tests := []struct {
		name  string
		write func(ad *authz.Adapter) error
		want  int
	}{
		{"add", func(ad *authz.Adapter) error {
			return ad.AddPolicyCtx(ctx, "p", "p", rule(extra))
		}, defaults + 1},
		{"add twice", func(ad *authz.Adapter) error {
			ad.AddPolicyCtx(ctx, "p", "p", rule(extra))
			return ad.AddPolicyCtx(ctx, "p", "p", rule(extra))
		}, defaults + 1},
		{"remove", func(ad *authz.Adapter) error {
			return ad.RemovePolicyCtx(ctx, "p", "p", rule(authz.DefaultPolicies[0]))
		}, defaults - 1},
		{"remove filtered", func(ad *authz.Adapter) error {
			return ad.RemoveFilteredPolicyCtx(ctx, "p", "p", 0, authz.RoleFinance)
		}, defaults - 6},
		{"save", func(ad *authz.Adapter) error {
			return ad.SavePolicyCtx(ctx, modelOf(t, extra))
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := pgtest.New(t)
			if err := tt.write(authz.NewAdapter(db.SQL())); err != nil {
				t.Fatalf("writing: %v", err)
			}

			var got int
			pgtest.Get(t, db, &got, `SELECT count(*) FROM casbin_rules`)
			if got != tt.want {
				t.Errorf("rules: got %d, want %d", got, tt.want)
			}
		})
	}
}

func rule(p authz.Policy) []string {
	return []string{p.Role, p.Region, p.Direction, p.Action}
}

// modelOf returns a model holding only ps, as the authorizer's model would.
func modelOf(tb testing.TB, ps ...authz.Policy) model.Model {
	tb.Helper()
	m, err := model.NewModelFromString(`
[request_definition]
r = sub, region, dir, act
[policy_definition]
p = sub, region, dir, act
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = r.sub == p.sub`)
	if err != nil {
		tb.Fatalf("parsing model: %v", err)
	}
	for _, p := range ps {
		if err := m.AddPolicy("p", "p", rule(p)); err != nil {
			tb.Fatalf("adding policy: %v", err)
		}
	}

	return m
}

// TestAuthorizer_Listen adds a policy through one authorizer and waits for a
// second one, listening, to reload and apply it.
func TestAuthorizer_Listen(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	db := pgtest.New(t)
	var name string
	pgtest.Get(t, db, &name, `SELECT current_database()`)
	writer, reader := newAuthorizer(t, db), newAuthorizer(t, db)
	if err := reader.Listen(ctx, pgtest.URL(t, name)); err != nil {
		t.Fatalf("listening: %v", err)
	}
	u := user(authz.RoleMarineMonitoring, "330106")
	if reader.Allowed(u, authz.ActionWrite, "330106", eco) {
		t.Fatalf("Allowed before the change: got true, want false")
	}

	reloaded := reader.Reloaded()
	p := authz.Policy{authz.RoleMarineMonitoring, "330000", string(eco), authz.ActionWrite}
	if err := writer.AddPolicy(ctx, p); err != nil {
		t.Fatalf("adding policy: %v", err)
	}

	// The timer only bounds a failing test; success waits on the signal.
	deadline := time.After(10 * time.Second)
	for !reader.Allowed(u, authz.ActionWrite, "330106", eco) {
		select {
		case <-reloaded:
			reloaded = reader.Reloaded()
		case <-deadline:
			t.Fatalf("Allowed after the change: got false, want true")
		}
	}
}
