package authz

import (
	"maps"
	"slices"

	"fundhub"
)

// Scope returns the region subtrees and directions where user may do
// action, for the store to apply in SQL: All when a role held at the nation
// grants the action on every direction; otherwise the roots of the
// subtrees (no root lies under another) and the directions, empty meaning
// every direction. The zero Scope means nothing.
//
// Scope is never wider than Allowed. Known shortcoming: fundhub.Scope is one
// set of regions times one set of directions, so a user whose roles grant
// different directions in different regions (ECO_RESTORATION in one county,
// GEOHAZARD in another) gets the directions common to all their regions,
// or, when none are, the direction set that reaches the most regions, and
// sees less than Allowed permits. Letting Scope hold several (regions,
// directions) pairs would fix it.
func (a *Authorizer) Scope(user User, action string) fundhub.Scope {
	s := a.state.Load()
	grants := s.grants(user, action)
	if len(grants) == 0 {
		return fundhub.Scope{}
	}
	if grants[fundhub.NationalCode].all {
		return fundhub.FullScope()
	}

	eff := effective(s.tree, grants)
	roots := rootsOf(s.tree, slices.Sorted(maps.Keys(grants)))
	dirs := intersect(eff, roots)
	if dirs.empty() {
		a.logger.Warn("scope narrowed to one direction set", "user", user.ID,
			"action", action)
		dirs, roots = widest(eff, roots)
	}

	return fundhub.Scope{RegionCodes: roots, Directions: dirs.list()}
}

// dirSet is a set of directions; all stands for AnyDirection.
type dirSet struct {
	all bool
	m   map[string]bool
}

func (d *dirSet) add(dir string) {
	if dir == AnyDirection {
		d.all = true
		return
	}
	if d.m == nil {
		d.m = map[string]bool{}
	}
	d.m[dir] = true
}

func (d dirSet) union(o dirSet) dirSet {
	u := dirSet{all: d.all || o.all}
	for dir := range d.m {
		u.add(dir)
	}
	for dir := range o.m {
		u.add(dir)
	}

	return u
}

// covers reports whether every direction of o is in d.
func (d dirSet) covers(o dirSet) bool {
	if d.all {
		return true
	}
	if o.all {
		return false
	}

	for dir := range o.m {
		if !d.m[dir] {
			return false
		}
	}

	return true
}

func (d dirSet) empty() bool { return !d.all && len(d.m) == 0 }

// list returns the directions for fundhub.Scope: nil for every direction.
func (d dirSet) list() []fundhub.Direction {
	if d.all {
		return nil
	}

	var l []fundhub.Direction
	for _, dir := range slices.Sorted(maps.Keys(d.m)) {
		l = append(l, fundhub.Direction(dir))
	}

	return l
}

// grants maps each region where a role of user is held to the directions
// the matching policies grant there for action.
func (s *state) grants(user User, action string) map[string]dirSet {
	g := map[string]dirSet{}
	for _, ra := range user.Roles {
		for _, p := range s.policies {
			if p.Role != ra.Role || p.Action != action ||
				!s.tree.contains(p.Region, ra.Region) {
				continue
			}
			d := g[ra.Region]
			d.add(p.Direction)
			g[ra.Region] = d
		}
	}

	return g
}

// effective adds to each granted region the directions granted at the
// granted regions above it.
func effective(t regionTree, grants map[string]dirSet) map[string]dirSet {
	eff := make(map[string]dirSet, len(grants))
	for code := range grants {
		for above, d := range grants {
			if t.contains(above, code) {
				eff[code] = eff[code].union(d)
			}
		}
	}

	return eff
}

// rootsOf returns the codes that lie under no other code of the sorted list.
func rootsOf(t regionTree, codes []string) []string {
	var roots []string
	for _, c := range codes {
		nested := slices.ContainsFunc(codes, func(o string) bool {
			return o != c && t.contains(o, c)
		})
		if !nested {
			roots = append(roots, c)
		}
	}

	return roots
}

// intersect returns the directions granted in every root's whole subtree.
func intersect(eff map[string]dirSet, roots []string) dirSet {
	common := eff[roots[0]]
	for _, r := range roots[1:] {
		d := eff[r]
		switch {
		case common.covers(d):
			common = d
		case !d.covers(common):
			common = shared(common, d)
		}
	}

	return common
}

func shared(a, b dirSet) dirSet {
	var s dirSet
	for dir := range a.m {
		if b.m[dir] {
			s.add(dir)
		}
	}

	return s
}

// widest picks, among the roots' direction sets, the one granted in the
// most roots, and returns it with those roots; ties go to the lower code.
func widest(eff map[string]dirSet, roots []string) (dirSet, []string) {
	var best dirSet
	var bestRoots []string
	for _, r := range roots {
		var in []string
		for _, o := range roots {
			if eff[o].covers(eff[r]) {
				in = append(in, o)
			}
		}
		if len(in) > len(bestRoots) {
			best, bestRoots = eff[r], in
		}
	}

	return best, bestRoots
}
