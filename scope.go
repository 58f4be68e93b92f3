package fundhub

// Scope is what a caller may see: the region subtrees it reaches and the fund
// directions its role covers. Every store query takes one and applies it in
// SQL, so pages, counts and totals only ever cover visible rows.
//
// The zero Scope sees nothing. Use FullScope for a caller that sees all.
type Scope struct {
	// All grants every region and every direction.
	All bool
	// RegionCodes are the roots of the subtrees the caller may see.
	RegionCodes []string
	// Directions are the fund directions the caller may see; empty means
	// every direction within the regions.
	Directions []Direction
}

// FullScope returns the scope of a caller who may see everything, such as the
// command line and the sync runner.
func FullScope() Scope { return Scope{All: true} }

// Page asks for one page of a list: at most First items after skipping
// Offset items. The zero Page is the first page of the default size.
type Page struct {
	First  int
	Offset int
}

// Default and maximum page sizes of lists.
const (
	DefaultPageSize = 50
	MaxPageSize     = 1000
)

// Limit returns the page size to use: First, or the default when it is not
// positive, capped at MaxPageSize.
func (p Page) Limit() int {
	switch {
	case p.First <= 0:
		return DefaultPageSize
	case p.First > MaxPageSize:
		return MaxPageSize
	}

	return p.First
}
