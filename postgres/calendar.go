package postgres

import (
	"context"
	"fmt"
	"sort"

	"github.com/jmoiron/sqlx"

	"fundhub"
)

// ImportCalendar loads holiday days in one transaction: new days are added,
// days whose name or kind changed are updated, and every year the list
// touches is recorded as covered. Days are never deleted, so a later list
// that covers only next year leaves earlier years intact.
func (d *DB) ImportCalendar(ctx context.Context,
	days []fundhub.CalendarDay) (fundhub.CalendarImportResult, error) {
	var res fundhub.CalendarImportResult
	years := map[int]bool{}

	err := d.inTx(ctx, func(tx *sqlx.Tx) error {
		for _, day := range days {
			years[day.Day.Year()] = true
			if err := upsertDay(ctx, tx, day, &res); err != nil {
				return err
			}
		}
		for y := range years {
			if _, err := tx.ExecContext(ctx, `INSERT INTO calendar_years (year)
				VALUES ($1) ON CONFLICT DO NOTHING`, y); err != nil {
				return fmt.Errorf("recording year %d: %w", y, err)
			}
			res.Years = append(res.Years, y)
		}

		return nil
	})
	if err != nil {
		return fundhub.CalendarImportResult{}, err
	}
	sort.Ints(res.Years)
	d.logger.Info("calendar imported", "added", res.Added, "changed", res.Changed,
		"unchanged", res.Unchanged, "years", res.Years)

	return res, nil
}

func upsertDay(ctx context.Context, tx *sqlx.Tx, day fundhub.CalendarDay,
	res *fundhub.CalendarImportResult) error {
	var inserted bool
	err := tx.GetContext(ctx, &inserted, `
		INSERT INTO calendar_days (day, name, is_off_day) VALUES ($1, $2, $3)
		ON CONFLICT (day) DO UPDATE SET name = EXCLUDED.name,
			is_off_day = EXCLUDED.is_off_day
		WHERE (calendar_days.name, calendar_days.is_off_day)
			IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.is_off_day)
		RETURNING xmax = 0`, day.Day, day.Name, day.OffDay)

	switch {
	case err == nil && inserted:
		res.Added++
	case err == nil:
		res.Changed++
	case isNoRows(err):
		res.Unchanged++
	default:
		return fmt.Errorf("saving calendar day %s: %w", day.Day.Format("2006-01-02"), err)
	}

	return nil
}
