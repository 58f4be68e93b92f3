package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"fundhub"
	"fundhub/auth"
	"fundhub/postgres"
)

// runUser handles "fundhub user add": the way to make the first
// administrator, and any user, from the command line. The password is read
// from the first line of standard input, never from a flag, so it stays out
// of the shell's history and the process list.
func runUser(ctx context.Context, logger *slog.Logger, args []string) error {
	if len(args) == 0 {
		return errors.New(userUsage)
	}

	switch args[0] {
	case "add":
		return runUserAdd(ctx, logger, args[1:])
	case "disable", "enable", "roles", "password":
		return runUserChange(ctx, logger, args[0], args[1:])
	}

	return fmt.Errorf("unknown user command %q\n%s", args[0], userUsage)
}

const userUsage = `usage:
  fundhub user add -username U [-display-name N] -region CODE -unit NAME [-kind KIND] ` +
	`-role R[,R...] < password
  fundhub user disable|enable -username U
  fundhub user roles -username U -role R[,R...]
  fundhub user password -username U < password`

func runUserAdd(ctx context.Context, logger *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	var nu fundhub.NewUser
	var kind, roles string
	fs.StringVar(&nu.Username, "username", "", "login name (lower case)")
	fs.StringVar(&nu.DisplayName, "display-name", "", "name shown to others")
	fs.StringVar(&nu.UnitRegion, "region", "", "region code of the user's unit")
	fs.StringVar(&nu.UnitName, "unit", "", "full name of the user's unit")
	fs.StringVar(&kind, "kind", "", "department kind, to create the unit when it is new: "+
		"FINANCE, ECO_RESTORATION, MARINE_MONITORING, GEOHAZARD, OTHER_FUND_USER, "+
		"MINISTRY_SUPPORT")
	fs.StringVar(&roles, "role", "", "roles, comma-separated, e.g. finance or admin")
	if err := fs.Parse(args); err != nil {
		return err
	}
	nu.UnitKind = fundhub.DepartmentKind(kind)
	nu.Roles = splitList(roles)
	if nu.DisplayName == "" {
		nu.DisplayName = nu.Username
	}

	pw, err := readPassword(os.Stdin)
	if err != nil {
		return err
	}
	nu.Password = pw

	return withDB(ctx, logger, func(db *postgres.DB) error {
		u, err := auth.New(db, logger).CreateUser(ctx, nu, nil)
		if err != nil {
			return err
		}
		fmt.Printf("created user %s (id %d) at %s with roles %s\n", u.Username, u.ID,
			nu.UnitRegion, strings.Join(u.Roles, ","))

		return nil
	})
}

// runUserChange disables, enables, re-roles or sets the password of a user,
// audited as done from the command line.
func runUserChange(ctx context.Context, logger *slog.Logger, cmd string, args []string) error {
	fs := flag.NewFlagSet("user "+cmd, flag.ContinueOnError)
	username := fs.String("username", "", "login name of the user")
	roles := fs.String("role", "", "roles, comma-separated (user roles)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var pw string
	if cmd == "password" {
		var err error
		if pw, err = readPassword(os.Stdin); err != nil {
			return err
		}
	}

	return withDB(ctx, logger, func(db *postgres.DB) error {
		s := auth.New(db, logger)
		var u *fundhub.User
		var err error
		switch cmd {
		case "disable", "enable":
			u, err = s.SetDisabled(ctx, *username, cmd == "disable", nil)
		case "roles":
			u, err = s.SetRoles(ctx, *username, splitList(*roles), nil)
		case "password":
			u, err = s.SetPassword(ctx, *username, pw, nil)
		}
		if err != nil {
			return err
		}
		fmt.Printf("user %s: disabled=%t roles=%s\n", u.Username, u.Disabled,
			strings.Join(u.Roles, ","))

		return nil
	})
}

// readPassword reads the first line of r, prompting when r is a terminal.
func readPassword(f *os.File) (string, error) {
	if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
		fmt.Fprint(os.Stderr, "password (shown as typed; pipe it in to hide it): ")
	}
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading the password from standard input: %w", err)
	}

	return strings.TrimRight(line, "\r\n"), nil
}

// runToken handles "fundhub token create" and "fundhub token revoke".
func runToken(ctx context.Context, logger *slog.Logger, args []string) error {
	if len(args) == 0 {
		return errors.New("usage: fundhub token create -user U -name N [-days D] | " +
			"fundhub token revoke -id ID")
	}

	switch args[0] {
	case "create":
		return runTokenCreate(ctx, logger, args[1:])
	case "revoke":
		return runTokenRevoke(ctx, logger, args[1:])
	}

	return fmt.Errorf("unknown token command %q", args[0])
}

// runTokenCreate prints a new API token of a user on standard output, the
// only place it ever appears.
func runTokenCreate(ctx context.Context, logger *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	user := fs.String("user", "", "username the token acts as")
	name := fs.String("name", "", "what the token is for, e.g. province-dashboard")
	days := fs.Int("days", 365, "days until it expires")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *days <= 0 {
		return errors.New("-days must be positive")
	}

	return withDB(ctx, logger, func(db *postgres.DB) error {
		id, _, err := db.UserRegion(ctx, *user)
		if err != nil {
			return err
		}
		t, err := auth.New(db, logger).CreateAPIToken(ctx, id, *name,
			time.Duration(*days)*24*time.Hour, nil)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "token %d for %s expires %s; it is shown once:\n",
			t.Record.ID, *user, t.Record.ExpiresAt.Format(time.RFC3339))
		fmt.Println(t.Token)

		return nil
	})
}

func runTokenRevoke(ctx context.Context, logger *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("token revoke", flag.ContinueOnError)
	id := fs.Int64("id", 0, "id of the token")
	if err := fs.Parse(args); err != nil {
		return err
	}

	return withDB(ctx, logger, func(db *postgres.DB) error {
		t, err := auth.New(db, logger).RevokeToken(ctx, *id, nil)
		if err != nil {
			return err
		}
		fmt.Printf("token %d revoked at %s\n", t.ID, t.RevokedAt.Format(time.RFC3339))

		return nil
	})
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}

	return out
}
