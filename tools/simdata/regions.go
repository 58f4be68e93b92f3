package simdata

import (
	"bytes"
	"fmt"
	"slices"

	"fundhub"
	"fundhub/refdata"
)

// Region is one current region of the tree the sims build on.
type Region struct {
	Code   string
	Name   string
	Level  fundhub.RegionLevel
	Parent string
	// Grouping marks a city-level row that only groups counties (市辖区).
	Grouping bool
}

// Regions is the current region tree: retired codes are left out. It never
// changes after it is built, so it is safe for concurrent use.
type Regions struct {
	byCode   map[string]*Region
	children map[string][]string
	counties []string
}

// LoadRegions builds the tree from the region list embedded in refdata.
func LoadRegions() (*Regions, error) {
	b, _, err := refdata.Embedded(refdata.RegionsFile)
	if err != nil {
		return nil, fmt.Errorf("loading regions: %w", err)
	}

	list, err := refdata.ParseRegions(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("loading regions: %w", err)
	}

	return NewRegions(list), nil
}

// NewRegions builds the tree from a parsed region list.
func NewRegions(list []fundhub.RegionImport) *Regions {
	rs := &Regions{byCode: map[string]*Region{}, children: map[string][]string{}}
	for _, ri := range list {
		if ri.SuccessorCode != "" {
			continue
		}
		rs.byCode[ri.Code] = &Region{
			Code: ri.Code, Name: ri.Name, Level: ri.Level, Parent: ri.ParentCode,
			Grouping: refdata.IsGrouping(ri.Level, ri.Name),
		}
		rs.children[ri.ParentCode] = append(rs.children[ri.ParentCode], ri.Code)
		if ri.Level == fundhub.LevelCounty {
			rs.counties = append(rs.counties, ri.Code)
		}
	}

	for _, c := range rs.children {
		slices.Sort(c)
	}
	slices.Sort(rs.counties)

	return rs
}

// Get returns the region with the code, or nil.
func (rs *Regions) Get(code string) *Region { return rs.byCode[code] }

// Counties returns the codes of all counties, sorted. The slice is shared:
// do not change it.
func (rs *Regions) Counties() []string { return rs.counties }

// Children returns the codes of a region's direct children, sorted. The
// slice is shared: do not change it.
func (rs *Regions) Children(code string) []string { return rs.children[code] }

// Recipients returns the regions a province-level budget unit (a province
// or a 计划单列市) passes money down to: its real cities and its counties.
// A province leaves out its 计划单列市 and their counties, which the
// central budget funds directly. Grouping rows are never recipients.
func (rs *Regions) Recipients(code string) []string {
	var out []string
	for _, child := range rs.children[code] {
		if refdata.IsSeparatelyPlanned(child) {
			continue
		}
		r := rs.byCode[child]
		if r.Level == fundhub.LevelCounty {
			out = append(out, child)
			continue
		}
		if !r.Grouping {
			out = append(out, child)
		}
		out = append(out, rs.Recipients(child)...)
	}

	return out
}
