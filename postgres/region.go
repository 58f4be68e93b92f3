package postgres

import (
	"context"
	"fmt"

	"github.com/lib/pq"

	"fundhub"
)

const regionCols = `r.code, r.name, r.level, r.parent_code, r.path,
	r.separately_planned, r.grouping, r.valid_from, r.valid_to, r.successor_code`

// FindRegion returns the region with code, retired or not. Regions are
// public reference data, so the scope does not hide them.
func (d *DB) FindRegion(ctx context.Context, _ fundhub.Scope, code string) (*fundhub.Region,
	error) {
	var r fundhub.Region
	err := d.db.GetContext(ctx, &r,
		`SELECT `+regionCols+` FROM regions r WHERE r.code = $1`, code)
	if err != nil {
		return nil, notFound(err, "region", code)
	}

	return &r, nil
}

// FindRegions returns one page of regions ordered by code and the count of
// all that match.
func (d *DB) FindRegions(ctx context.Context, _ fundhub.Scope, f fundhub.RegionFilter,
	p fundhub.Page) ([]*fundhub.Region, int, error) {
	var w where
	if !f.IncludeRetired {
		w.add("r.valid_to IS NULL")
	}
	if f.Level != nil {
		w.add("r.level = %s", string(*f.Level))
	}
	if f.ParentCode != nil {
		w.add("r.parent_code = %s", *f.ParentCode)
	}
	if f.Under != nil {
		w.under("r.path", *f.Under)
		w.add("r.code <> %s", *f.Under)
	}
	if f.NameContains != nil {
		w.add("strpos(r.name, %s) > 0", *f.NameContains)
	}

	return d.regionPage(ctx, &w, p)
}

func (d *DB) regionPage(ctx context.Context, w *where, p fundhub.Page) ([]*fundhub.Region, int,
	error) {
	return findPage[fundhub.Region](ctx, d, regionList, w, p)
}

// regionList is the list of regions, by code.
var regionList = listQuery{what: "regions", cols: regionCols, from: `regions r`,
	order: `r.code`, key: `r.code`}

// RegionsByCodes returns the regions with the codes, for dataloaders.
func (d *DB) RegionsByCodes(ctx context.Context, _ fundhub.Scope,
	codes []string) ([]*fundhub.Region, error) {
	var out []*fundhub.Region
	err := d.db.SelectContext(ctx, &out, `SELECT `+regionCols+
		` FROM regions r WHERE r.code = ANY($1)`, pq.Array(codes))
	if err != nil {
		return nil, fmt.Errorf("loading regions by code: %w", err)
	}

	return out, nil
}

// AllRegions returns every region, retired ones included, ordered by code;
// connectors build their name index from it.
func (d *DB) AllRegions(ctx context.Context) ([]*fundhub.Region, error) {
	var out []*fundhub.Region
	err := d.db.SelectContext(ctx, &out,
		`SELECT `+regionCols+` FROM regions r ORDER BY r.code`)
	if err != nil {
		return nil, fmt.Errorf("loading regions: %w", err)
	}

	return out, nil
}

// RegionNames returns the earlier names of each region code, oldest first.
func (d *DB) RegionNames(ctx context.Context,
	codes []string) (map[string][]*fundhub.RegionNameChange, error) {
	var rows []*fundhub.RegionNameChange
	err := d.db.SelectContext(ctx, &rows, `SELECT code, name, valid_from, valid_to
		FROM region_names WHERE code = ANY($1) ORDER BY code, valid_to`, pq.Array(codes))
	if err != nil {
		return nil, fmt.Errorf("loading region names: %w", err)
	}

	return groupBy(rows, func(r *fundhub.RegionNameChange) string { return r.Code }), nil
}

// RegionChildren returns the current direct children of each code, ordered
// by code.
func (d *DB) RegionChildren(ctx context.Context, codes []string) (map[string][]*fundhub.Region,
	error) {
	var rows []*fundhub.Region
	err := d.db.SelectContext(ctx, &rows, `SELECT `+regionCols+` FROM regions r
		WHERE r.parent_code = ANY($1) AND r.valid_to IS NULL ORDER BY r.code`,
		pq.Array(codes))
	if err != nil {
		return nil, fmt.Errorf("loading region children: %w", err)
	}

	return groupBy(rows, func(r *fundhub.Region) string { return *r.ParentCode }), nil
}
