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
// before. A session-level advisory lock keeps concurrent replicas from
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
	if err := d.loadOnce(ctx, "regions", sum, func() error {
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

	return d.loadOnce(ctx, "calendar", sum, func() error {
		days, err := refdata.ParseHolidays(bytes.NewReader(b))
		if err != nil {
			return err
		}
		_, err = d.ImportCalendar(ctx, days)
		return err
	})
}

// loadOnce runs load unless a list of this kind with this checksum was
// imported before, or any newer list of the kind was imported since.
func (d *DB) loadOnce(ctx context.Context, kind, sum string, load func() error) error {
	var n int
	err := d.db.GetContext(ctx, &n,
		`SELECT count(*) FROM reference_imports WHERE kind = $1`, kind)
	if err != nil {
		return fmt.Errorf("checking %s imports: %w", kind, err)
	}
	if n > 0 {
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
