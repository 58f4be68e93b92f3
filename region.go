package fundhub

import (
	"context"
	"strings"
	"time"
)

// RegionLevel is the level of government a region belongs to.
type RegionLevel string

// The four levels of government. NationalCode is the one NATIONAL region, the
// root of the tree, standing for the ministry and the central budget.
const (
	LevelNational RegionLevel = "NATIONAL"
	LevelProvince RegionLevel = "PROVINCE"
	LevelCity     RegionLevel = "CITY"
	LevelCounty   RegionLevel = "COUNTY"

	NationalCode = "100000"
)

// Valid reports whether l is one of the four levels.
func (l RegionLevel) Valid() bool {
	switch l {
	case LevelNational, LevelProvince, LevelCity, LevelCounty:
		return true
	}

	return false
}

// Depth returns 0 for the nation, 1 for a province, 2 for a city and 3 for a
// county.
func (l RegionLevel) Depth() int {
	switch l {
	case LevelProvince:
		return 1
	case LevelCity:
		return 2
	case LevelCounty:
		return 3
	}

	return 0
}

// Region is an administrative division keyed by its six-digit GB/T 2260 code.
// A region whose code was retired keeps its row with ValidTo set, and may
// name the Successor that took over its area, so history stays readable.
type Region struct {
	Code       string      `db:"code"`
	Name       string      `db:"name"`
	Level      RegionLevel `db:"level"`
	ParentCode *string     `db:"parent_code"`
	// Path lists the codes from the nation down to this region, separated and
	// enclosed by slashes ("/100000/330000/330100/"), so a subtree is a
	// prefix match.
	Path string `db:"path"`
	// SeparatelyPlanned marks the 计划单列市 (Dalian, Ningbo, Xiamen, Qingdao,
	// Shenzhen), which the central budget funds directly, past their province.
	SeparatelyPlanned bool `db:"separately_planned"`
	// Grouping marks a GB/T 2260 city-level row that only groups counties
	// (市辖区, 县, 省直辖县级行政区划) and is no government of its own; full
	// names leave it out and region names never resolve to it.
	Grouping      bool       `db:"grouping"`
	ValidFrom     time.Time  `db:"valid_from"`
	ValidTo       *time.Time `db:"valid_to"`
	SuccessorCode *string    `db:"successor_code"`
}

// AncestorCodes returns the codes above the region, the nation first, read
// from its Path; nil when the path does not end in the region's own code.
func (r *Region) AncestorCodes() []string {
	codes := strings.FieldsFunc(r.Path, func(c rune) bool { return c == '/' })
	if n := len(codes); n > 0 && codes[n-1] == r.Code {
		return codes[:n-1]
	}

	return nil
}

// Current reports whether the region is valid today (ValidTo unset).
func (r *Region) Current() bool { return r.ValidTo == nil }

// RegionFilter selects regions. Nil fields do not filter.
type RegionFilter struct {
	Level *RegionLevel
	// Under restricts to the subtree below this code, the region excluded.
	Under *string
	// ParentCode restricts to direct children of this code.
	ParentCode *string
	// NameContains matches a substring of the name.
	NameContains *string
	// IncludeRetired also returns regions whose code is no longer valid.
	IncludeRetired bool
}

// RegionImport is one row of a region list to import.
type RegionImport struct {
	Code          string
	Name          string
	Level         RegionLevel
	ParentCode    string
	SuccessorCode string
}

// RegionImportResult counts what an import did. A second import of the same
// list reports only Unchanged.
type RegionImportResult struct {
	Added     int
	Renamed   int
	Moved     int
	Retired   int
	Restored  int
	Unchanged int
}

// RegionService reads and maintains the region tree.
type RegionService interface {
	// FindRegion returns the region with the code, or ENOTFOUND.
	FindRegion(ctx context.Context, scope Scope, code string) (*Region, error)
	// FindRegions returns one page of regions ordered by code, and the total
	// count of regions matching the filter.
	FindRegions(ctx context.Context, scope Scope, f RegionFilter, p Page) ([]*Region, int, error)
	// RegionsByCodes returns the regions with the codes, in no set order,
	// leaving out codes that do not exist. It is meant for dataloaders.
	RegionsByCodes(ctx context.Context, scope Scope, codes []string) ([]*Region, error)
	// ImportRegions applies a full region list valid on asOf: new codes are
	// added, changed names and parents applied (the old name kept in the
	// history), and codes missing from the list retired, never deleted.
	ImportRegions(ctx context.Context, rows []RegionImport, asOf time.Time) (RegionImportResult,
		error)
}

// RegionNameChange is one historical name of a region.
type RegionNameChange struct {
	Code      string    `db:"code"`
	Name      string    `db:"name"`
	ValidFrom time.Time `db:"valid_from"`
	ValidTo   time.Time `db:"valid_to"`
}

// CheckRegionCode refuses a region that is not a six-digit code, naming
// field: such a code matches nothing and would read as a region without
// money. It returns nil for a good code.
func CheckRegionCode(field, code string) *Error {
	ok := len(code) == 6
	for _, c := range code {
		ok = ok && c >= '0' && c <= '9'
	}
	if !ok {
		return Invalid(field, "%s must be a six-digit region code, got %q", field, code)
	}

	return nil
}
