package fundhub

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Tiers of a name match, best first: a full name (浙江省), the short name of a
// province (浙江, 广西), and the short name of any other region (杭州, 恩施).
// A compound name is as good as its worst part.
const (
	tierFullName = iota
	tierProvinceShort
	tierShort
)

const (
	// maxRegionNameRunes bounds the input tried as a name, which keeps the
	// search over splits cheap on garbage.
	maxRegionNameRunes = 64
	// maxRegionDepth bounds every walk up or down the tree, so a malformed
	// Path or parent cycle cannot loop.
	maxRegionDepth = 8
	// maxRegionSuggestions caps the "did you mean" list of an unknown name.
	maxRegionSuggestions = 5
)

// nationalAliases name the national root besides its own name.
var nationalAliases = []string{"全国", "中央", "中华人民共和国"}

// RegionIndex resolves the region names people write in spreadsheets to
// regions: six-digit codes, full names (浙江省), short names (浙江, 杭州,
// 恩施州) and compounds that walk down the tree (浙江杭州西湖区). Grouping
// rows are reachable by code only. The index never changes after
// NewRegionIndex, so it is safe for concurrent use.
type RegionIndex struct {
	byCode map[string]*Region
	// ancestors holds the codes above each region, the nation first.
	ancestors map[string][]string
	// names maps every full and short name to the regions it matches.
	names map[string][]regionHit
	// named lists the regions matchable by name, ordered by code.
	named []*Region
}

// regionHit is one region a name can denote, and how well it matches.
type regionHit struct {
	region *Region
	tier   int
}

// NewRegionIndex indexes the regions, which should include every ancestor
// of every region (grouping rows and the national root too) for compound
// names and FullName to work. The subtree of a region is read from its Path,
// or from the ParentCode links when Path is empty. Nil regions are skipped;
// of two regions with the same code the first wins.
func NewRegionIndex(regions []*Region) *RegionIndex {
	x := &RegionIndex{
		byCode:    make(map[string]*Region, len(regions)),
		ancestors: make(map[string][]string, len(regions)),
		names:     make(map[string][]regionHit, 3*len(regions)),
	}

	var unique []*Region
	for _, r := range regions {
		if r == nil || r.Code == "" || x.byCode[r.Code] != nil {
			continue
		}
		x.byCode[r.Code] = r
		unique = append(unique, r)
	}

	for _, r := range unique {
		x.ancestors[r.Code] = x.lineage(r)
		if !r.Grouping {
			x.indexNames(r)
			x.named = append(x.named, r)
		}
	}
	sortRegionsByCode(x.named)

	return x
}

// lineage returns the codes above r, the nation first.
func (x *RegionIndex) lineage(r *Region) []string {
	if codes := r.AncestorCodes(); codes != nil || r.ParentCode == nil {
		return codes
	}

	var up []string
	for code := regionParentCode(r); code != "" && len(up) < maxRegionDepth; {
		up = append(up, code)
		parent := x.byCode[code]
		if parent == nil {
			break
		}
		code = regionParentCode(parent)
	}
	slices.Reverse(up)

	return up
}

// regionParentCode returns the parent code of r, or "" for a root.
func regionParentCode(r *Region) string {
	if r.ParentCode == nil {
		return ""
	}

	return *r.ParentCode
}

// indexNames records the full name of r, its short names, and for the
// national root the national aliases.
func (x *RegionIndex) indexNames(r *Region) {
	name := cleanRegionName(r.Name)
	x.addName(name, r, tierFullName)
	if r.Code == NationalCode {
		for _, alias := range nationalAliases {
			x.addName(alias, r, tierFullName)
		}
	}

	tier := tierShort
	if r.Level == LevelProvince {
		tier = tierProvinceShort
	}
	for _, short := range regionShortNames(name) {
		x.addName(short, r, tier)
	}
}

func (x *RegionIndex) addName(name string, r *Region, tier int) {
	if name != "" {
		x.names[name] = append(x.names[name], regionHit{region: r, tier: tier})
	}
}

// Resolve returns the one region that name denotes. The name may be a
// six-digit code (retired and grouping codes included), a full or short
// name, a compound of them down the tree, with spaces anywhere and a trailing
// note in parentheses. A current region beats a retired one, a full name a
// short one, a province's short name another short name, and a region beats
// its own descendants of the same name (恩施 is the 自治州, not 恩施市).
// Anything else that fits several regions is ambiguous. Every failure is an
// EINVALID *Error on field "region" whose message names the candidates; a
// total row label (see IsTotalLabel) always fails.
func (x *RegionIndex) Resolve(name string) (*Region, error) {
	return x.resolve(nil, name)
}

// ResolveWithin is Resolve restricted to the subtree of code, the region
// itself included, for a sheet with a province column and a county column.
// An unknown code is an EINVALID error.
func (x *RegionIndex) ResolveWithin(code, name string) (*Region, error) {
	if x == nil {
		x = &RegionIndex{}
	}

	root := x.byCode[cleanRegionName(code)]
	if root == nil {
		return nil, Invalid("region", "unknown region code %q", strings.TrimSpace(code))
	}

	return x.resolve(root, name)
}

// resolve resolves name within the subtree of root, or everywhere for nil.
func (x *RegionIndex) resolve(root *Region, name string) (*Region, error) {
	if x == nil {
		x = &RegionIndex{}
	}

	shown := strings.TrimFunc(name, unicode.IsSpace)
	clean := cleanRegionName(name)
	base, note := splitRegionNote(clean)

	switch {
	case base == "":
		return nil, Invalid("region", "region name is empty")
	case IsTotalLabel(clean):
		return nil, Invalid("region", "%q is a total row, not a region", shown)
	}

	if note != "" {
		if r, err := x.resolveClean(root, base+note, shown); err == nil {
			return r, nil
		}
	}

	return x.resolveClean(root, base, shown)
}

// resolveClean resolves a cleaned code or name; shown is the input to quote.
func (x *RegionIndex) resolveClean(root *Region, s, shown string) (*Region, error) {
	if isRegionCode(s) {
		return x.resolveCode(root, s)
	}

	var found []*Region
	if utf8.RuneCountInString(s) <= maxRegionNameRunes {
		found = x.choose(x.interpret(s, root, false, 0))
	}

	switch len(found) {
	case 0:
		return nil, x.unknownError(root, s, shown)
	case 1:
		return found[0], nil
	}

	return nil, Invalid("region", "region name %q is ambiguous: %s", shown, x.describe(found))
}

// resolveCode returns the region with the code if it lies within root.
func (x *RegionIndex) resolveCode(root *Region, code string) (*Region, error) {
	r := x.byCode[code]
	if r == nil {
		return nil, Invalid("region", "unknown region code %q", code)
	}

	if root != nil && !x.within(r, root, false) {
		return nil, Invalid("region", "region %s %s is not within %s %s",
			r.Code, x.FullName(r.Code), root.Code, x.FullName(root.Code))
	}

	return r, nil
}

// interpret returns every region s can denote within root (strictly below
// root when strict): s as one name, or split into a prefix naming a region
// and a rest that denotes a region strictly below it, recursively.
func (x *RegionIndex) interpret(s string, root *Region, strict bool, depth int) []regionHit {
	hits := x.direct(s, root, strict)
	if depth >= maxRegionDepth {
		return hits
	}

	for i := range s {
		if i == 0 {
			continue
		}
		for _, p := range x.direct(s[:i], root, strict) {
			for _, h := range x.interpret(s[i:], p.region, true, depth+1) {
				hits = append(hits, regionHit{region: h.region, tier: max(p.tier, h.tier)})
			}
		}
	}

	return hits
}

// direct returns the regions whose full or short name is s, within root.
func (x *RegionIndex) direct(s string, root *Region, strict bool) []regionHit {
	var out []regionHit
	for _, h := range x.names[s] {
		if root == nil || x.within(h.region, root, strict) {
			out = append(out, h)
		}
	}

	return out
}

// within reports whether r lies in the subtree of root, root itself
// included unless strict.
func (x *RegionIndex) within(r, root *Region, strict bool) bool {
	if r.Code == root.Code {
		return !strict
	}

	return slices.Contains(x.ancestors[r.Code], root.Code)
}

// choose narrows the hits to the regions a reader would mean: current over
// retired, then the best tier, then an ancestor over its own descendants.
// It returns them ordered by code, one region unless the name is ambiguous.
func (x *RegionIndex) choose(hits []regionHit) []*Region {
	if slices.ContainsFunc(hits, func(h regionHit) bool { return h.region.Current() }) {
		hits = slices.DeleteFunc(hits, func(h regionHit) bool { return !h.region.Current() })
	}

	best := tierShort
	for _, h := range hits {
		best = min(best, h.tier)
	}

	var out []*Region
	for _, h := range hits {
		if h.tier == best && !slices.Contains(out, h.region) {
			out = append(out, h.region)
		}
	}
	sortRegionsByCode(out)

	if top := x.outermost(out); top != nil {
		return []*Region{top}
	}

	return out
}

// outermost returns the region among several that is an ancestor of all the
// others, or nil.
func (x *RegionIndex) outermost(regions []*Region) *Region {
	if len(regions) < 2 {
		return nil
	}

	for _, top := range regions {
		above := func(r *Region) bool { return r == top || x.within(r, top, true) }
		if !slices.ContainsFunc(regions, func(r *Region) bool { return !above(r) }) {
			return top
		}
	}

	return nil
}

// unknownError reports that s names no region within root, with the near
// candidates if there are any.
func (x *RegionIndex) unknownError(root *Region, s, shown string) *Error {
	msg := fmt.Sprintf("unknown region name %q", shown)
	if root != nil {
		msg += fmt.Sprintf(" within %s %s", root.Code, x.FullName(root.Code))
	}

	if utf8.RuneCountInString(s) > maxRegionNameRunes {
		return Invalid("region", "%s", msg)
	}

	if near := x.suggest(s, root, false, 0); len(near) > 0 {
		msg += "; did you mean " + x.describe(near) + "?"
	}

	return Invalid("region", "%s", msg)
}

// suggest returns up to maxRegionSuggestions regions s may have meant. When
// a prefix of s names a region, it looks below that region for the rest;
// otherwise it falls back to the near names of s within root.
func (x *RegionIndex) suggest(s string, root *Region, strict bool, depth int) []*Region {
	var found []*Region
	for i := range s {
		if i == 0 || depth >= maxRegionDepth {
			continue
		}
		for _, p := range x.direct(s[:i], root, strict) {
			found = append(found, x.suggest(s[i:], p.region, true, depth+1)...)
		}
	}

	if len(found) == 0 {
		found = x.near(s, root, strict)
	}

	return trimRegionSuggestions(found)
}

// near returns the regions within root that share a short name with s at
// another level (杭州县 → 杭州市), then those whose names share the longest
// prefix with s: two characters at least, or one below a province or city.
func (x *RegionIndex) near(s string, root *Region, strict bool) []*Region {
	var out []*Region
	for _, form := range regionShortNames(s) {
		for _, h := range x.direct(form, root, strict) {
			out = append(out, h.region)
		}
	}

	least := 2
	if root != nil && root.Code != NationalCode && root.Level != LevelNational {
		least = 1
	}

	q, longest := []rune(s), least
	var prefixed []*Region
	for _, r := range x.named {
		if root != nil && !x.within(r, root, strict) {
			continue
		}
		switch n := commonPrefixRunes(q, cleanRegionName(r.Name)); {
		case n > longest:
			longest, prefixed = n, []*Region{r}
		case n == longest:
			prefixed = append(prefixed, r)
		}
	}

	return append(out, prefixed...)
}

// trimRegionSuggestions drops retired regions when current ones are there,
// and duplicates, and keeps the first maxRegionSuggestions.
func trimRegionSuggestions(regions []*Region) []*Region {
	if slices.ContainsFunc(regions, (*Region).Current) {
		regions = slices.DeleteFunc(regions, func(r *Region) bool { return !r.Current() })
	}

	var out []*Region
	for _, r := range regions {
		if len(out) < maxRegionSuggestions && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}

	return out
}

// commonPrefixRunes counts the leading runes q and name share.
func commonPrefixRunes(q []rune, name string) int {
	n := 0
	for _, c := range name {
		if n >= len(q) || q[n] != c {
			break
		}
		n++
	}

	return n
}

// describe lists regions as "code full-name", comma separated.
func (x *RegionIndex) describe(regions []*Region) string {
	parts := make([]string, len(regions))
	for i, r := range regions {
		parts[i] = r.Code + " " + x.FullName(r.Code)
	}

	return strings.Join(parts, ", ")
}

// FullName returns the names from the province down to the region with the
// code, concatenated without grouping rows or the nation (浙江省杭州市西湖区,
// 湖北省仙桃市), the root's own name for the national root, and "" for a code
// not in the index. Ancestors missing from the index are left out.
func (x *RegionIndex) FullName(code string) string {
	if x == nil {
		return ""
	}

	r := x.byCode[cleanRegionName(code)]
	if r == nil {
		return ""
	}
	if r.Code == NationalCode || r.Level == LevelNational {
		return r.Name
	}

	var b strings.Builder
	for _, c := range x.ancestors[r.Code] {
		a := x.byCode[c]
		if a != nil && !a.Grouping && a.Code != NationalCode && a.Level != LevelNational {
			b.WriteString(a.Name)
		}
	}
	b.WriteString(r.Name)

	return b.String()
}

func sortRegionsByCode(regions []*Region) {
	slices.SortFunc(regions, func(a, b *Region) int { return strings.Compare(a.Code, b.Code) })
}

// IsAncestor reports whether the region with code up lies above the region
// with code down in the tree. A region is not its own ancestor.
func (x *RegionIndex) IsAncestor(up, down string) bool {
	return slices.Contains(x.ancestors[down], up)
}
