package postgres

import (
	"context"
	"fmt"

	"fundhub"
)

// update applies the differences between a stored region and an imported
// row, and reports whether anything changed.
func (im *regionImporter) update(ctx context.Context, cur *fundhub.Region,
	r fundhub.RegionImport, parent *fundhub.Region, res *fundhub.RegionImportResult) (bool, error) {
	changed := false
	if cur.Name != r.Name {
		if err := im.rename(ctx, cur, r.Name); err != nil {
			return false, err
		}
		res.Renamed++
		changed = true
	}

	if cur.ParentCode == nil || *cur.ParentCode != parent.Code {
		if err := im.move(ctx, cur, parent); err != nil {
			return false, err
		}
		res.Moved++
		changed = true
	}

	retire := r.SuccessorCode != ""
	switch {
	case retire && (cur.ValidTo == nil || cur.SuccessorCode == nil ||
		*cur.SuccessorCode != r.SuccessorCode):
		err := im.retire(ctx, cur.Code, &r.SuccessorCode)
		res.Retired++
		return true, err
	case !retire && cur.ValidTo != nil:
		_, err := im.tx.ExecContext(ctx, `UPDATE regions SET valid_to = NULL,
			successor_code = NULL WHERE code = $1`, cur.Code)
		if err != nil {
			return false, fmt.Errorf("restoring %s: %w", cur.Code, err)
		}
		res.Restored++
		return true, nil
	}

	return changed, nil
}

func (im *regionImporter) rename(ctx context.Context, cur *fundhub.Region, name string) error {
	var from = cur.ValidFrom
	var last *string
	err := im.tx.GetContext(ctx, &last, `SELECT max(valid_to)::text
		FROM region_names WHERE code = $1`, cur.Code)
	if err != nil {
		return fmt.Errorf("loading name history: %w", err)
	}
	if _, err := im.tx.ExecContext(ctx, `INSERT INTO region_names
		(code, name, valid_from, valid_to)
		VALUES ($1, $2, COALESCE($3::date, $4::date), $5)
		ON CONFLICT (code, valid_to) DO NOTHING`,
		cur.Code, cur.Name, last, from, im.asOf); err != nil {
		return fmt.Errorf("keeping old name: %w", err)
	}

	_, err = im.tx.ExecContext(ctx, `UPDATE regions SET name = $2 WHERE code = $1`,
		cur.Code, name)
	if err != nil {
		return fmt.Errorf("renaming %s: %w", cur.Code, err)
	}
	cur.Name = name

	return nil
}

// move re-parents a region and rewrites the paths of its whole subtree.
func (im *regionImporter) move(ctx context.Context, cur *fundhub.Region,
	parent *fundhub.Region) error {
	oldPath, newPath := cur.Path, parent.Path+cur.Code+"/"
	_, err := im.tx.ExecContext(ctx, `UPDATE regions SET parent_code = $2 WHERE code = $1`,
		cur.Code, parent.Code)
	if err != nil {
		return fmt.Errorf("moving: %w", err)
	}

	_, err = im.tx.ExecContext(ctx, `UPDATE regions
		SET path = $2 || substr(path, length($1) + 1)
		WHERE path LIKE $1 || '%'`, oldPath, newPath)
	if err != nil {
		return fmt.Errorf("rewriting paths: %w", err)
	}
	for _, r := range im.existing {
		if len(r.Path) >= len(oldPath) && r.Path[:len(oldPath)] == oldPath {
			r.Path = newPath + r.Path[len(oldPath):]
		}
	}
	cur.ParentCode = &parent.Code

	return nil
}

func (im *regionImporter) retire(ctx context.Context, code string, successor *string) error {
	_, err := im.tx.ExecContext(ctx, `UPDATE regions
		SET valid_to = COALESCE(valid_to, $2), successor_code = $3 WHERE code = $1`,
		code, im.asOf, successor)
	if err != nil {
		return fmt.Errorf("retiring %s: %w", code, err)
	}

	return nil
}

// retireMissing retires every current region the list no longer names.
func (im *regionImporter) retireMissing(ctx context.Context,
	res *fundhub.RegionImportResult) error {
	for code, r := range im.existing {
		if im.seen[code] || r.ValidTo != nil {
			continue
		}
		if err := im.retire(ctx, code, nil); err != nil {
			return err
		}
		res.Retired++
	}

	return nil
}
