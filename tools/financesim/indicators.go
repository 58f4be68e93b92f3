package financesim

import (
	"fmt"
	"strings"
	"time"

	"fundhub"
	"fundhub/tools/simdata"
)

// Categories and sources of indicators, as the finance system writes them.
const (
	CategoryCentral = "中央"
	CategoryLocal   = "地方"

	SourceCentral       = "中央财政直接下达"
	SourceProvinceMatch = "省级财政筹措"
	SourceCityMatch     = "市级财政筹措"
)

// indicatorTimeline spaces the update times of generated indicators.
var indicatorTimeline = simdata.Timeline{
	Start: time.Date(2026, 1, 4, 9, 0, 0, 0, simdata.Zone).UnixMicro(),
	Step:  120_000_000,
	Salt:  simdata.HashString("budget-indicators"),
}

// indicator is one generated budget indicator (预算指标).
type indicator struct {
	id, docNo, upperDocNo, fund, fundCode string
	year                                  int
	category, direction, source           string
	from, to, project, subject            string
	amount                                simdata.Money
	issued                                time.Time
	ts                                    int64
	deleted                               bool
}

// indicatorFields is the order of an indicator's fields in JSON.
var indicatorFields = []string{"id", "doc_no", "upper_doc_no", "fund_name", "fund_code",
	"year", "category", "direction", "source", "from_region_code", "to_region_code",
	"project_code", "subject_code", "amount", "issued_on", "updated_at", "is_deleted"}

func (in *indicator) record() map[string]any {
	return map[string]any{
		"id": in.id, "doc_no": in.docNo, "upper_doc_no": in.upperDocNo,
		"fund_name": in.fund, "fund_code": in.fundCode, "year": in.year,
		"category": in.category, "direction": in.direction, "source": in.source,
		"from_region_code": in.from, "to_region_code": in.to,
		"project_code": in.project, "subject_code": in.subject,
		"amount": in.amount.String(), "issued_on": simdata.FormatDate(in.issued),
		"updated_at": simdata.FormatMicros(in.ts), "is_deleted": flag(in.deleted),
	}
}

func flag(b bool) int {
	if b {
		return 1
	}

	return 0
}

// generator builds the indicators of one sim.
type generator struct {
	seed     uint64
	regions  *simdata.Regions
	projects *simdata.Projects
	docs     map[string]int
}

// buildIndicators breaks every allocation down into indicators, n in all
// (at least one per allocation), then shuffles them and numbers them in the
// order of their update times.
func buildIndicators(g *generator, allocs []Allocation, n int) []indicator {
	n = max(n, len(allocs))
	var out []indicator
	for a, al := range allocs {
		pieces := n / len(allocs)
		if a < n%len(allocs) {
			pieces++
		}
		r := simdata.NewRand(g.seed, simdata.HashString("allocation"), uint64(a))
		out = append(out, g.breakdown(r, al, pieces)...)
	}

	r := simdata.NewRand(g.seed, simdata.HashString("indicator-order"))
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	for j := range out {
		out[j].id = fmt.Sprintf("ZB%06d", j+1)
		out[j].ts = indicatorTimeline.At(j)
		out[j].deleted = simdata.Hash(g.seed, uint64(j), 0xde1)%40 == 0
	}

	return out
}

// breakdown returns the indicators of one allocation: central ones whose
// amounts add up exactly to the published figure, and about one in six of
// local matching money on top.
func (g *generator) breakdown(r *simdata.Rand, al Allocation, pieces int) []indicator {
	local := pieces / 6
	central := pieces - local
	direction := directionOf(al.Fund)
	base := indicator{
		fund: al.Fund, fundCode: fundCode(al.Fund), year: al.Year, direction: direction,
		from: al.RegionCode, subject: subjectCode(al.RegionCode, direction),
		upperDocNo: al.DocumentNo, category: CategoryCentral, source: SourceCentral,
		issued: simdata.Date(al.Year, time.March, 1).AddDate(0, 0, r.IntN(275)),
	}
	base.docNo = g.docNo(r, al)

	targets := g.recipients(r, al.RegionCode)
	out := make([]indicator, 0, pieces)
	for i, amount := range split(r, al.Amount, central) {
		out = append(out, g.piece(r, base, targets[i%len(targets)], amount))
	}

	return append(out, g.localMatch(r, base, al, targets, local)...)
}

// localMatch returns n indicators of the recipient's own matching money.
func (g *generator) localMatch(r *simdata.Rand, base indicator, al Allocation,
	targets []string, n int) []indicator {
	if n == 0 {
		return nil
	}

	base.category, base.upperDocNo, base.source = CategoryLocal, "", SourceProvinceMatch
	if g.regions.Get(al.RegionCode).Level == fundhub.LevelCity {
		base.source = SourceCityMatch
	}
	base.docNo = g.docNo(r, al)
	base.issued = laterDay(base.issued, r.Between(10, 60))

	share := al.Amount / simdata.Money(n*6)
	out := make([]indicator, 0, n)
	for range n {
		amount := share * simdata.Money(r.Between(5, 20)) / 100
		amount -= amount % (100 * simdata.FenPerYuan)
		out = append(out, g.piece(r, base, targets[r.IntN(len(targets))], max(amount, 1)))
	}

	return out
}

func (g *generator) piece(r *simdata.Rand, base indicator, to string,
	amount simdata.Money) indicator {
	in := base
	in.to, in.amount = to, amount
	in.project = g.projectFor(r, to, base.direction)

	return in
}

// recipients returns the regions an allocation is passed down to, in a
// seeded order; a unit with none passes money to itself.
func (g *generator) recipients(r *simdata.Rand, code string) []string {
	out := append([]string(nil), g.regions.Recipients(code)...)
	if len(out) == 0 {
		return []string{code}
	}
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })

	return out
}

// projectFor names a project of the county in the fund's direction: one of
// its first four projects, which a reserve of the default size holds, or
// about one time in twenty one far beyond, which it does not. It returns ""
// for a city, about one time in ten, and when no project of the direction
// is found.
func (g *generator) projectFor(r *simdata.Rand, county, direction string) string {
	reg := g.regions.Get(county)
	if reg == nil || reg.Level != fundhub.LevelCounty || r.IntN(10) == 0 {
		return ""
	}

	k0 := 0
	if r.IntN(20) == 0 {
		k0 = outsideReserve
	}
	for k := k0; k < k0+4; k++ {
		p, _ := g.projects.InCounty(county, k)
		if p.Direction == direction {
			return p.Code
		}
	}

	return ""
}

// outsideReserve is the first project number of a county that a reserve of
// simdata.DefaultProjects projects does not hold.
const outsideReserve = 8

// docNo returns the next document number of the issuing unit in the
// allocation's year, such as 浙财资环〔2024〕12号.
func (g *generator) docNo(r *simdata.Rand, al Allocation) string {
	office := "财资环"
	if strings.Contains(al.Fund, "重点生态功能区") {
		office = "财预"
	}
	prefix := abbreviation(al.RegionCode) + office
	key := fmt.Sprintf("%s%d", prefix, al.Year)

	if g.docs[key] == 0 {
		g.docs[key] = r.Between(3, 40)
	} else {
		g.docs[key] += r.Between(1, 9)
	}

	return fmt.Sprintf("%s〔%d〕%d号", prefix, al.Year, g.docs[key])
}
