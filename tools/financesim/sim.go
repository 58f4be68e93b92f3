// Package financesim is a stand-in for a provincial finance system shaped
// like an integrated budget management system (预算管理一体化). It serves
// budget indicators (预算指标) and payment vouchers (支付凭证) as paged
// JSON, read incrementally by update time, for fundhub's demo and tests. It
// is not part of the product.
//
// The data is made up but deterministic from a seed, and built on the real
// region list and the published central allocations: every allocation is
// broken down to cities and counties of its province, in amounts that add
// up exactly to the published figure. Vouchers are generated on demand, so
// hundreds of thousands cost no memory. Test hooks change records and
// inject faults; all of it is safe for concurrent use.
package financesim

import (
	"fmt"
	"net/http"
	"strings"
	"sync"

	"fundhub/tools/simdata"
)

// Defaults of Options.
const (
	DefaultIndicators = 300
	DefaultVouchers   = 3000
)

// Options configure a Sim. The zero value serves the defaults with no
// authentication.
type Options struct {
	// Seed selects the data; the same seed gives the same data.
	Seed int64
	// Indicators is how many budget indicators to make (default 300). It is
	// raised to one per allocation when lower.
	Indicators int
	// Vouchers is how many payment vouchers to make (default 3000).
	Vouchers int
	// Token, when set, must arrive as "Authorization: Bearer <token>".
	Token string
	// Allocations are the published allocations to break down (default:
	// the embedded copy of demo/funds/allocations.csv).
	Allocations []Allocation
	// Regions is the region tree (default: the list embedded in refdata).
	Regions *simdata.Regions
}

// Sim is the stand-in finance system, an http.Handler. Create it with New.
type Sim struct {
	mu         sync.Mutex
	token      string
	indicators *table
	vouchers   *table
	gen        *voucherGen
	clock      int64
	moves      uint64
	added      int
	faults     faults
}

// New builds the sim's data. It panics only when the embedded region list
// or allocations cannot be read, which a test of this package catches.
func New(o Options) *Sim {
	o = withDefaults(o)
	g := &generator{
		seed: uint64(o.Seed), regions: o.Regions, docs: map[string]int{},
		projects: simdata.NewProjects(o.Seed, o.Regions),
	}
	inds := buildIndicators(g, o.Allocations, o.Indicators)
	s := &Sim{token: o.Token, gen: &voucherGen{seed: uint64(o.Seed), n: o.Vouchers, inds: inds}}

	s.indicators = newIndicatorTable(inds)
	s.vouchers = newVoucherTable(s.gen)
	s.clock = max(indicatorTimeline.End(len(inds)), voucherTimeline.End(o.Vouchers))

	return s
}

func withDefaults(o Options) Options {
	if o.Indicators <= 0 {
		o.Indicators = DefaultIndicators
	}
	if o.Vouchers <= 0 {
		o.Vouchers = DefaultVouchers
	}

	var err error
	if o.Allocations == nil {
		if o.Allocations, err = EmbeddedAllocations(); err != nil {
			panic(fmt.Sprintf("financesim: %v", err))
		}
	}
	if o.Regions == nil {
		if o.Regions, err = simdata.LoadRegions(); err != nil {
			panic(fmt.Sprintf("financesim: %v", err))
		}
	}

	return o
}

func newIndicatorTable(inds []indicator) *table {
	byID := make(map[string]int, len(inds))
	for i := range inds {
		byID[inds[i].id] = i
	}

	return &table{
		idField: "id", fields: indicatorFields, n: len(inds),
		keyAt:   func(i int) key { return key{ts: inds[i].ts, id: inds[i].id} },
		recAt:   func(i int) map[string]any { return inds[i].record() },
		indexOf: func(id string) (int, bool) { i, ok := byID[id]; return i, ok },
		current: map[string]*row{}, moved: map[int]bool{},
	}
}

func newVoucherTable(g *voucherGen) *table {
	return &table{
		idField: "voucher_no", fields: voucherFields, n: g.n,
		keyAt: g.key,
		recAt: func(i int) map[string]any {
			v := g.voucher(i)
			return v.record()
		},
		jsonAt: func(buf []byte, i int) []byte {
			v := g.voucher(i)
			return v.appendJSON(buf)
		},
		indexOf: voucherIndex,
		current: map[string]*row{}, moved: map[int]bool{},
	}
}

// tableOf returns the table an id belongs to: indicator ids start ZB,
// voucher numbers ZF.
func (s *Sim) tableOf(id string) (*table, error) {
	switch {
	case strings.HasPrefix(id, "ZB"):
		return s.indicators, nil
	case strings.HasPrefix(id, "ZF"):
		return s.vouchers, nil
	}

	return nil, fmt.Errorf("no record %q: ids start ZB (indicator) or ZF (voucher)", id)
}

// tick returns a new update time, later than any the sim has given out.
func (s *Sim) tick() int64 {
	s.moves++
	s.clock += 1_000_000 + int64(simdata.Hash(s.moves)%1_000_000)

	return s.clock
}

var _ http.Handler = (*Sim)(nil)
