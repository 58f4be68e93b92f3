package authz

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
)

// regionTree maps every region code, retired ones included, to its path
// ("/100000/330000/330100/"), so a subtree test is a prefix test.
type regionTree map[string]string

func loadRegionTree(ctx context.Context, db *sqlx.DB) (regionTree, error) {
	var rows []struct {
		Code string `db:"code"`
		Path string `db:"path"`
	}
	if err := db.SelectContext(ctx, &rows, `SELECT code, path FROM regions`); err != nil {
		return nil, fmt.Errorf("loading region tree: %w", err)
	}

	t := make(regionTree, len(rows))
	for _, r := range rows {
		t[r.Code] = r.Path
	}

	return t, nil
}

// contains reports whether the region code lies in root's subtree, root
// included. An unknown code lies in no subtree.
func (t regionTree) contains(root, code string) bool {
	rp, ok := t[root]
	if !ok {
		return false
	}
	cp, ok := t[code]

	return ok && strings.HasPrefix(cp, rp)
}

// under is regionUnder(code, root) of the Casbin model.
func (t regionTree) under(args ...any) (any, error) {
	if len(args) != 2 {
		return false, fmt.Errorf("regionUnder takes 2 arguments, got %d", len(args))
	}
	code, ok1 := args[0].(string)
	root, ok2 := args[1].(string)
	if !ok1 || !ok2 {
		return false, fmt.Errorf("regionUnder takes strings, got %T and %T", args[0], args[1])
	}

	return t.contains(root, code), nil
}
