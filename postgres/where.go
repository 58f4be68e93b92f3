package postgres

import (
	"fmt"
	"strings"

	"github.com/lib/pq"

	"fundhub"
)

// where collects the predicates and arguments of a dynamic WHERE clause.
// Values only ever go into placeholders.
type where struct {
	preds []string
	args  []any
}

// arg appends a value and returns its placeholder.
func (w *where) arg(v any) string {
	w.args = append(w.args, v)
	return fmt.Sprintf("$%d", len(w.args))
}

// add appends a predicate in which each %s is replaced by the placeholder of
// the matching value.
func (w *where) add(pred string, vals ...any) {
	ph := make([]any, len(vals))
	for i, v := range vals {
		ph[i] = w.arg(v)
	}
	w.preds = append(w.preds, fmt.Sprintf(pred, ph...))
}

// sql returns "WHERE a AND b", or "" when there is no predicate.
func (w *where) sql() string {
	if len(w.preds) == 0 {
		return ""
	}

	return "WHERE " + strings.Join(w.preds, " AND ")
}

// scope adds the caller's scope: regionCol must lie in one of the scope's
// subtrees and dirCol, when given, be one of its directions.
func (w *where) scope(s fundhub.Scope, regionCol, dirCol string) {
	if s.All {
		return
	}
	if len(s.RegionCodes) == 0 {
		w.preds = append(w.preds, "false")
		return
	}

	w.add(regionCol+` IN (`+subtreeCodes+`)`, pq.Array(s.RegionCodes))
	if dirCol != "" && len(s.Directions) > 0 {
		w.add(dirCol+" = ANY(%s)", directionArray(s.Directions))
	}
}

// under adds "regionPath lies in the subtree of code, code included".
func (w *where) under(pathCol, code string) {
	w.add(pathCol+` LIKE (SELECT path FROM regions WHERE code = %s) || '%%'`, code)
}

// page returns the LIMIT and OFFSET clause of p.
func (w *where) page(p fundhub.Page) string {
	return fmt.Sprintf(" LIMIT %d OFFSET %d", p.Limit(), max(p.Offset, 0))
}

// subtreeCodes selects the codes of the regions in the subtrees rooted at the
// codes of its one placeholder, the roots included.
const subtreeCodes = `SELECT d.code FROM regions d
	JOIN regions sr ON d.path LIKE sr.path || '%%'
	WHERE sr.code = ANY(%s)`

// directionArray wraps directions for an = ANY($n) placeholder.
func directionArray(ds []fundhub.Direction) any {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = string(d)
	}

	return pq.Array(out)
}

// opt adds pred with *v when v is not nil.
func opt[T any](w *where, pred string, v *T) {
	if v != nil {
		w.add(pred, *v)
	}
}

// linkedDirections adds, for a scope that names directions, that the
// project, the allocation and the target a row points to (targetCol may be
// empty), where it points to one, are of those directions; a target takes
// its fund's, and one without a fund is hidden as FindTargets hides it.
// Rows such as problems and report lines have no direction of their own:
// they take it from what they are about, and a row about nothing in
// particular stays visible to its region.
func (w *where) linkedDirections(s fundhub.Scope, projectCol, allocationCol,
	targetCol string) {
	if s.All || len(s.Directions) == 0 {
		return
	}

	dirs := directionArray(s.Directions)
	w.add(`(`+projectCol+` IS NULL OR EXISTS (SELECT 1 FROM projects lp
		WHERE lp.id = `+projectCol+` AND lp.direction = ANY(%s)))`, dirs)
	w.add(`(`+allocationCol+` IS NULL OR EXISTS (SELECT 1 FROM allocations la
		JOIN funds lf ON lf.id = la.fund_id
		WHERE la.id = `+allocationCol+` AND lf.direction = ANY(%s)))`, dirs)
	if targetCol != "" {
		w.add(`(`+targetCol+` IS NULL OR EXISTS (SELECT 1 FROM performance_targets lt
			JOIN funds tf ON tf.id = lt.fund_id
			WHERE lt.id = `+targetCol+` AND tf.direction = ANY(%s)))`, dirs)
	}
}
