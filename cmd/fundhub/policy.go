package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"text/tabwriter"

	"fundhub"
	"fundhub/authz"
	"fundhub/postgres"
)

const policyUsage = `usage:
  fundhub policy list
  fundhub policy grant|revoke ROLE REGION DIRECTION ACTION
    e.g. fundhub policy grant finance 100000 '*' decide_change`

// runPolicy lists, grants and revokes access policies. Running servers
// pick a change up at once through NOTIFY; each change is audited.
func runPolicy(ctx context.Context, logger *slog.Logger, args []string) error {
	if len(args) == 0 {
		return errors.New(policyUsage)
	}

	return withDB(ctx, logger, func(db *postgres.DB) error {
		a, err := authz.New(ctx, db.SQL(), logger)
		if err != nil {
			return err
		}

		switch {
		case args[0] == "list" && len(args) == 1:
			return listPolicies(a)
		case (args[0] == "grant" || args[0] == "revoke") && len(args) == 5:
			return changePolicy(ctx, db, a, args[0], authz.Policy{Role: args[1],
				Region: args[2], Direction: args[3], Action: args[4]})
		}

		return errors.New(policyUsage)
	})
}

func listPolicies(a *authz.Authorizer) error {
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ROLE\tREGION\tDIRECTION\tACTION")
	for _, p := range a.Policies() {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", p.Role, p.Region, p.Direction, p.Action)
	}

	return w.Flush()
}

func changePolicy(ctx context.Context, db *postgres.DB, a *authz.Authorizer, verb string,
	p authz.Policy) error {
	if err := a.Validate(ctx, p); err != nil {
		return err
	}
	held := slices.Contains(a.Policies(), p)
	switch {
	case verb == "revoke" && !held:
		return fmt.Errorf("no such policy: %s %s %s %s", p.Role, p.Region, p.Direction,
			p.Action)
	case verb == "grant" && held:
		return fmt.Errorf("already granted: %s %s %s %s", p.Role, p.Region, p.Direction,
			p.Action)
	}

	change := a.AddPolicy
	if verb == "revoke" {
		change = a.RemovePolicy
	}
	if err := change(ctx, p); err != nil {
		return err
	}

	rec := fundhub.AuditRecord{Actor: "cli", Action: "policy." + verb, Entity: "policy",
		EntityID:   fmt.Sprintf("%s %s %s %s", p.Role, p.Region, p.Direction, p.Action),
		RegionCode: p.Region}
	if err := db.Audit(ctx, rec); err != nil {
		return err
	}
	past := map[string]string{"grant": "granted", "revoke": "revoked"}[verb]
	fmt.Printf("%s: %s may %s on %s in the subtree of %s\n", past, p.Role, p.Action,
		p.Direction, p.Region)

	return nil
}
