// Command fundhub runs the natural-resources fund monitoring hub: it
// migrates the database, imports reference data, syncs connectors and serves
// the GraphQL API with GraphiQL.
//
//	fundhub migrate
//	fundhub regions import [-as-of DATE] FILE
//	fundhub calendar import FILE
//	fundhub sync [-config FILE] [NAME...]
//	fundhub serve [-config FILE] [-addr ADDR]
//	fundhub user add -username U -region CODE -unit NAME -role R < password
//	fundhub user disable|enable|roles|password -username U ...
//	fundhub token create -user U -name N [-days D]
//	fundhub token revoke -id ID
//	fundhub policy list|grant|revoke ...
//	fundhub monitor run
//
// DATABASE_URL names the database; FUNDHUB_ADDR the listen address of serve
// (default :8080).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"fundhub/postgres"
)

const usage = `usage: fundhub COMMAND [flags]

commands:
  migrate                         apply migrations and load reference data
  regions import [-as-of D] FILE  load a newer region list (CSV)
  calendar import FILE            load a holiday calendar (CSV)
  sync [-config FILE] [NAME...]   run connectors now (all enabled when no NAME)
  serve [-config FILE] [-addr A]  serve GraphQL and GraphiQL, run schedules
  user add -username U [-display-name N] -region CODE -unit NAME [-kind K] -role R[,R]
                                  create a user; the password is the first line
                                  of standard input
  user disable|enable -username U  stop a user (and revoke their tokens) or let them back
  user roles -username U -role R[,R]
                                  replace a user's roles
  user password -username U       set a password (first line of standard input)
  token create -user U -name N [-days D]
                                  print a new API token of user U
  token revoke -id ID             revoke a token at once
  monitor run                     compute the deadlines now (serve does so hourly
                                  and after every sync that changed data)
  policy list                     print the access policies
  policy grant|revoke ROLE REGION DIRECTION ACTION
                                  change a policy; servers reload at once

environment: DATABASE_URL (required), FUNDHUB_ADDR (default :8080),
FUNDHUB_LOG_LEVEL (debug, info, warn, error), FUNDHUB_MISSING_TARGETS (refuse
or flag an allocation that does not break down its parent's targets)
`

func main() {
	logger := newLogger()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if err := run(ctx, logger, os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "fundhub:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, logger *slog.Logger, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "help" || args[0] == "--help" {
		fmt.Fprint(os.Stderr, usage)
		return flag.ErrHelp
	}

	cmd, rest := args[0], args[1:]
	switch cmd {
	case "migrate":
		return withDB(ctx, logger, func(db *postgres.DB) error { return nil })
	case "regions", "calendar":
		return runImport(ctx, logger, cmd, rest)
	case "sync":
		return runSync(ctx, logger, rest)
	case "serve":
		return runServe(ctx, logger, rest)
	case "user":
		return runUser(ctx, logger, rest)
	case "token":
		return runToken(ctx, logger, rest)
	case "policy":
		return runPolicy(ctx, logger, rest)
	case "monitor":
		return runMonitor(ctx, logger, rest)
	}
	fmt.Fprint(os.Stderr, usage)

	return fmt.Errorf("unknown command %q", cmd)
}

// withDB opens and migrates the database, then calls fn.
func withDB(ctx context.Context, logger *slog.Logger, fn func(*postgres.DB) error) error {
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		return errors.New("DATABASE_URL is not set " +
			"(make run starts a private PostgreSQL and sets it)")
	}
	db, err := postgres.Open(ctx, url, logger)
	if err != nil {
		return err
	}
	defer db.Close()

	if err := db.Migrate(ctx); err != nil {
		return err
	}
	switch m := postgres.MissingTargets(envOr("FUNDHUB_MISSING_TARGETS", "refuse")); m {
	case postgres.RefuseMissingTargets, postgres.FlagMissingTargets:
		db.MissingTargets = m
	default:
		return fmt.Errorf("FUNDHUB_MISSING_TARGETS is %q; want refuse or flag", m)
	}

	return fn(db)
}

func newLogger() *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(os.Getenv("FUNDHUB_LOG_LEVEL"))); err != nil {
		level = slog.LevelInfo
	}

	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}
