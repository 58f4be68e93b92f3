package postgres

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/jmoiron/sqlx"

	"fundhub"
	"fundhub/refdata"
)

// firstListFrom is the valid-from date given to regions of the first list
// loaded into an empty tree: GB/T 2260 codes date from 1980.
var firstListFrom = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// ImportRegions applies a full region list valid on asOf in one transaction.
// A row with a successor code is a retired region. Current codes missing
// from the list are retired (valid_to = asOf), never deleted; a renamed
// region keeps its old name in region_names. Importing the same list twice
// changes nothing the second time.
func (d *DB) ImportRegions(ctx context.Context, rows []fundhub.RegionImport,
	asOf time.Time) (fundhub.RegionImportResult, error) {
	var res fundhub.RegionImportResult
	sorted := append([]fundhub.RegionImport(nil), rows...)
	sort.SliceStable(sorted, func(i, j int) bool {
		return sorted[i].Level.Depth() < sorted[j].Level.Depth()
	})

	err := d.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := checkListDate(ctx, tx, asOf); err != nil {
			return err
		}
		im, err := newRegionImporter(ctx, tx, asOf)
		if err != nil {
			return err
		}
		for _, r := range sorted {
			if err := im.apply(ctx, r, &res); err != nil {
				return fmt.Errorf("importing region %s: %w", r.Code, err)
			}
		}

		if err := im.retireMissing(ctx, &res); err != nil {
			return err
		}

		// Rolled back with the rest: a file that would retire most of the
		// country is the wrong file, not a reform.
		kept := res.Unchanged + res.Renamed + res.Moved + res.Added
		if res.Retired > kept/2 {
			return fundhub.Invalid("file", "the list would retire %d regions and keep %d: "+
				"it is not a full list of the country", res.Retired, kept)
		}

		return nil
	})
	if err != nil {
		return fundhub.RegionImportResult{}, err
	}
	d.logger.Info("regions imported", "added", res.Added, "renamed", res.Renamed,
		"moved", res.Moved, "retired", res.Retired, "unchanged", res.Unchanged)

	return res, nil
}

type regionImporter struct {
	tx       *sqlx.Tx
	asOf     time.Time
	from     time.Time
	existing map[string]*fundhub.Region
	seen     map[string]bool
}

func newRegionImporter(ctx context.Context, tx *sqlx.Tx, asOf time.Time) (*regionImporter, error) {
	var all []*fundhub.Region
	if err := tx.SelectContext(ctx, &all, `SELECT `+regionCols+
		` FROM regions r FOR UPDATE`); err != nil {
		return nil, fmt.Errorf("loading regions: %w", err)
	}

	im := &regionImporter{tx: tx, asOf: asOf, from: asOf,
		existing: make(map[string]*fundhub.Region, len(all)),
		seen:     map[string]bool{fundhub.NationalCode: true}}
	for _, r := range all {
		im.existing[r.Code] = r
	}
	if len(all) <= 1 {
		im.from = firstListFrom
	}

	return im, nil
}

func (im *regionImporter) apply(ctx context.Context, r fundhub.RegionImport,
	res *fundhub.RegionImportResult) error {
	im.seen[r.Code] = true
	parent, ok := im.existing[r.ParentCode]
	if !ok {
		return fmt.Errorf("parent %s is unknown", r.ParentCode)
	}

	cur, ok := im.existing[r.Code]
	if !ok {
		res.Added++
		return im.insert(ctx, r, parent)
	}

	changed, err := im.update(ctx, cur, r, parent, res)
	if err != nil {
		return err
	}
	if !changed {
		res.Unchanged++
	}

	return nil
}

func (im *regionImporter) insert(ctx context.Context, r fundhub.RegionImport,
	parent *fundhub.Region) error {
	reg := &fundhub.Region{
		Code: r.Code, Name: r.Name, Level: r.Level, ParentCode: &parent.Code,
		Path:              parent.Path + r.Code + "/",
		SeparatelyPlanned: refdata.IsSeparatelyPlanned(r.Code),
		Grouping:          refdata.IsGrouping(r.Level, r.Name),
		ValidFrom:         im.from,
	}
	if r.SuccessorCode != "" {
		reg.ValidTo = &im.asOf
		reg.SuccessorCode = &r.SuccessorCode
	}

	_, err := im.tx.NamedExecContext(ctx, `INSERT INTO regions (code, name, level,
		parent_code, path, separately_planned, grouping, valid_from, valid_to)
		VALUES (:code, :name, :level, :parent_code, :path, :separately_planned,
		:grouping, :valid_from, :valid_to)`, reg)
	if err != nil {
		return fmt.Errorf("inserting: %w", err)
	}
	im.existing[r.Code] = reg

	return im.setSuccessor(ctx, reg)
}

// setSuccessor records the successor after both rows exist.
func (im *regionImporter) setSuccessor(ctx context.Context, reg *fundhub.Region) error {
	if reg.SuccessorCode == nil {
		return nil
	}
	_, err := im.tx.ExecContext(ctx, `UPDATE regions SET successor_code = $2
		WHERE code = $1`, reg.Code, *reg.SuccessorCode)
	if err != nil {
		return fmt.Errorf("setting successor: %w", err)
	}

	return nil
}

// checkListDate refuses a list dated before the last one applied, and
// records this list's date. The table lock serialises concurrent imports.
func checkListDate(ctx context.Context, tx *sqlx.Tx, asOf time.Time) error {
	if _, err := tx.ExecContext(ctx, `LOCK TABLE region_list_dates`); err != nil {
		return fmt.Errorf("locking region list dates: %w", err)
	}

	var last *time.Time
	if err := tx.GetContext(ctx, &last, `SELECT max(as_of) FROM region_list_dates`); err != nil {
		return fmt.Errorf("loading the last region list date: %w", err)
	}
	if last != nil && asOf.Before(*last) {
		return fundhub.Invalid("as-of", "the list is dated %s, before the list already "+
			"applied (%s); history only moves forward", asOf.Format(time.DateOnly),
			last.Format(time.DateOnly))
	}

	_, err := tx.ExecContext(ctx, `INSERT INTO region_list_dates (as_of) VALUES ($1)`, asOf)
	if err != nil {
		return fmt.Errorf("recording region list date: %w", err)
	}

	return nil
}
