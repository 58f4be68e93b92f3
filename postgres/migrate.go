package postgres

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"fundhub/migrations"
	"fundhub/refdata"
)

// embeddedRegionsAsOf is the date the embedded region list is valid on.
var embeddedRegionsAsOf = time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)

// Migrate applies pending migrations and then loads the embedded reference
// data (regions and holiday calendar) unless that exact list was loaded
// before. A connection-level advisory lock keeps concurrent replicas from
// migrating at once.
func (d *DB) Migrate(ctx context.Context) error {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return fmt.Errorf("creating migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, d.db.DB, migrations.FS,
		goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("preparing migrations: %w", err)
	}

	res, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrating: %w", err)
	}
	for _, r := range res {
		d.logger.Info("migration applied", "version", r.Source.Version,
			"file", r.Source.Path)
	}

	return d.loadEmbedded(ctx)
}

func (d *DB) loadEmbedded(ctx context.Context) error {
	b, sum, err := refdata.Embedded(refdata.RegionsFile)
	if err != nil {
		return err
	}
	regionsLoaded := `SELECT EXISTS (SELECT 1 FROM region_list_dates)`
	if err := d.loadOnce(ctx, "regions", sum, regionsLoaded, func() error {
		rows, err := refdata.ParseRegions(bytes.NewReader(b))
		if err != nil {
			return err
		}
		_, err = d.ImportRegions(ctx, rows, embeddedRegionsAsOf)
		return err
	}); err != nil {
		return err
	}

	b, sum, err = refdata.Embedded(refdata.HolidaysFile)
	if err != nil {
		return err
	}

	calendarLoaded := `SELECT EXISTS (SELECT 1 FROM calendar_years)`
	return d.loadOnce(ctx, "calendar", sum, calendarLoaded, func() error {
		days, err := refdata.ParseHolidays(bytes.NewReader(b))
		if err != nil {
			return err
		}
		_, err = d.ImportCalendar(ctx, days)
		return err
	})
}

// loadOnce runs load when the query loaded says no list of this kind is in
// the database yet. It decides by the data, not by the import log, so a
// replica starting while someone imports a newer list never loads the older
// embedded one over it; two replicas loading at first start load the same
// list twice, which changes nothing.
func (d *DB) loadOnce(ctx context.Context, kind, sum, loaded string, load func() error) error {
	var done bool
	if err := d.db.GetContext(ctx, &done, loaded); err != nil {
		return fmt.Errorf("checking %s: %w", kind, err)
	}
	if done {
		return nil
	}

	if err := load(); err != nil {
		return fmt.Errorf("loading embedded %s: %w", kind, err)
	}

	return d.recordImport(ctx, d.db, kind, sum, "embedded")
}

func (d *DB) recordImport(ctx context.Context, ex sqlx.ExecerContext, kind, sum, src string) error {
	_, err := ex.ExecContext(ctx, `
		INSERT INTO reference_imports (kind, checksum, source)
		VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, kind, sum, src)
	if err != nil {
		return fmt.Errorf("recording %s import: %w", kind, err)
	}

	return nil
}

// RecordImport notes that a reference list of kind with checksum sum was
// loaded from src, so the embedded list is never loaded over it.
func (d *DB) RecordImport(ctx context.Context, kind, sum, src string) error {
	return d.recordImport(ctx, d.db, kind, sum, src)
}
