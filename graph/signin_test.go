package graph_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"fundhub"
	"fundhub/auth"
	"fundhub/authz"
	"fundhub/graph"
	"fundhub/postgres"
)

// newDeps returns what the GraphQL edge needs over db, serving st (db or a
// stand-in over it) and starting runs with sy.
func newDeps(t *testing.T, db *postgres.DB, st graph.Store, sy graph.Syncer) graph.Deps {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	policy, err := authz.New(context.Background(), db.SQL(), logger)
	if err != nil {
		t.Fatal(err)
	}
	a := auth.New(db, logger)
	a.Cost = bcrypt.MinCost

	return graph.Deps{Store: st, Syncer: sy, Auth: a, Policy: policy, Logger: logger}
}

// addUser creates a user in a unit of kind at region with roles and
// returns their random password.
func addUser(t *testing.T, d graph.Deps, username, region string,
	kind fundhub.DepartmentKind, roles ...string) string {
	t.Helper()
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	pw := hex.EncodeToString(b)

	_, err := d.Auth.CreateUser(context.Background(), fundhub.NewUser{Username: username,
		DisplayName: username, UnitRegion: region, UnitName: string(kind) + "@" + region,
		UnitKind: kind, Roles: roles, Password: pw}, nil)
	if err != nil {
		t.Fatalf("creating user %s: %v", username, err)
	}

	return pw
}

// signIn creates a user and returns a session token of theirs.
func signIn(t *testing.T, d graph.Deps, username, region string,
	kind fundhub.DepartmentKind, roles ...string) string {
	t.Helper()
	pw := addUser(t, d, username, region, kind, roles...)
	s, err := d.Auth.Login(context.Background(), username, pw, "test")
	if err != nil {
		t.Fatalf("signing in %s: %v", username, err)
	}

	return s.Token
}

// asCaller sends token with every request that carries no Authorization
// header of its own.
func asCaller(h http.Handler, token string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		h.ServeHTTP(w, r)
	})
}

// nationalAdmin signs in a user who reads everything and manages
// connectors and users, and returns a handler acting as them.
func nationalAdmin(t *testing.T, d graph.Deps) http.Handler {
	t.Helper()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	tok := signIn(t, d, "tester-"+hex.EncodeToString(b), fundhub.NationalCode,
		fundhub.DepartmentMinistrySupport,
		authz.RoleFinance, authz.RoleAdmin)

	return asCaller(graph.Handler(d), tok)
}
