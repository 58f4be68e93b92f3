package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"fundhub/postgres"
	"fundhub/refdata"
)

// runImport handles "regions import" and "calendar import".
func runImport(ctx context.Context, logger *slog.Logger, kind string, args []string) error {
	if len(args) == 0 || args[0] != "import" {
		return fmt.Errorf("usage: fundhub %s import FILE", kind)
	}
	fs := flag.NewFlagSet(kind+" import", flag.ContinueOnError)
	asOf := fs.String("as-of", time.Now().Format(time.DateOnly),
		"date the region list is valid on (YYYY-MM-DD)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("usage: fundhub %s import FILE", kind)
	}

	b, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	day, err := time.Parse(time.DateOnly, *asOf)
	if err != nil {
		return fmt.Errorf("bad -as-of: %w", err)
	}

	return withDB(ctx, logger, func(db *postgres.DB) error {
		if kind == "regions" {
			return importRegions(ctx, db, b, fs.Arg(0), day)
		}
		return importCalendar(ctx, db, b, fs.Arg(0))
	})
}

func importRegions(ctx context.Context, db *postgres.DB, b []byte, name string,
	asOf time.Time) error {
	rows, err := refdata.ParseRegions(bytes.NewReader(b))
	if err != nil {
		return err
	}
	res, err := db.ImportRegions(ctx, rows, asOf)
	if err != nil {
		return err
	}
	fmt.Printf("regions: %d added, %d renamed, %d moved, %d retired, %d restored, %d unchanged\n",
		res.Added, res.Renamed, res.Moved, res.Retired, res.Restored, res.Unchanged)

	return db.RecordImport(ctx, "regions", refdata.Checksum(b), name)
}

func importCalendar(ctx context.Context, db *postgres.DB, b []byte, name string) error {
	days, err := refdata.ParseHolidays(bytes.NewReader(b))
	if err != nil {
		return err
	}
	res, err := db.ImportCalendar(ctx, days)
	if err != nil {
		return err
	}
	fmt.Printf("calendar: %d added, %d changed, %d unchanged; years %v\n",
		res.Added, res.Changed, res.Unchanged, res.Years)

	return db.RecordImport(ctx, "calendar", refdata.Checksum(b), name)
}
