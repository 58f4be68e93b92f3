package simdata

import (
	"fmt"
	"time"

	"fundhub"
)

// Directions of funds and projects, as the sources write them.
const (
	EcoRestoration = "生态保护修复"
	Geohazard      = "地质灾害防治"
)

// Statuses of a project in the reserve, in the order a project moves
// through them.
var Statuses = []string{"申报", "备案", "入库", "实施中", "已完工", "已终止"}

// statusWeights are the per-cent shares of Statuses among made-up projects.
var statusWeights = []int{10, 10, 25, 35, 15, 5}

// DefaultProjects is the size of the project reserve when none is given:
// enough that every county has at least four projects, the ones the finance
// sim names.
const DefaultProjects = 12000

// ProjectTimeline spaces the update times of reserve projects.
var ProjectTimeline = Timeline{
	Start: time.Date(2025, 12, 20, 8, 0, 0, 0, Zone).UnixMicro(),
	Step:  20_000_000,
	Salt:  HashString("reserve.projects"),
}

// Project is one made-up project. Project i always has the same fields for
// the same seed and region list.
type Project struct {
	Index      int
	Code       string
	Name       string
	RegionCode string
	Direction  string
	Status     string
	Year       int
	Investment Money
	StartOn    time.Time
	EndOn      time.Time
	// UpdatedAt is in microseconds since the epoch, from ProjectTimeline.
	UpdatedAt int64
	Deleted   bool
}

// Projects is the universe of made-up projects: project i lies in county
// i mod C of a seeded order of the C counties, so both sims can name the
// k-th project of a county without sharing any state. It never changes
// after NewProjects, so it is safe for concurrent use.
type Projects struct {
	seed     uint64
	regions  *Regions
	counties []string
	pos      map[string]int
}

// NewProjects returns the universe for the seed.
func NewProjects(seed int64, rs *Regions) *Projects {
	counties := append([]string(nil), rs.Counties()...)
	r := NewRand(uint64(seed), HashString("project-counties"))
	r.Shuffle(len(counties), func(i, j int) {
		counties[i], counties[j] = counties[j], counties[i]
	})

	pos := make(map[string]int, len(counties))
	for i, c := range counties {
		pos[c] = i
	}

	return &Projects{seed: uint64(seed), regions: rs, counties: counties, pos: pos}
}

// InCounty returns the k-th project (from 0) of a county, and false when
// the code is no county.
func (p *Projects) InCounty(county string, k int) (Project, bool) {
	i, ok := p.pos[county]
	if !ok {
		return Project{}, false
	}

	return p.Project(k*len(p.counties) + i), true
}

// Project returns project i.
func (p *Projects) Project(i int) Project {
	r := NewRand(p.seed, HashString("project"), uint64(i))
	county := p.counties[i%len(p.counties)]
	pr := Project{Index: i, RegionCode: county, Direction: EcoRestoration}
	if r.IntN(10) < 4 {
		pr.Direction = Geohazard
	}

	pr.Year = r.Between(2018, 2025)
	pr.Status = pickWeighted(r, Statuses, statusWeights)
	pr.Investment = investment(r, pr.Direction)
	pr.StartOn = Date(pr.Year, time.January, 1).AddDate(0, 0, r.IntN(300))
	pr.EndOn = pr.StartOn.AddDate(r.Between(1, 3), 0, -1)

	pr.Code = fmt.Sprintf("%d-%s-77-%02d-%06d", pr.Year, county, r.Between(1, 3), i+1)
	pr.Name = p.projectName(r, county, pr.Direction, i/len(p.counties))
	pr.UpdatedAt = ProjectTimeline.At(i)
	pr.Deleted = r.IntN(100) == 0

	return pr
}

// investment returns a planned investment rounded to 100 yuan: 50万 to 5亿
// for ecological restoration, 50万 to 5000万 for hazard prevention.
func investment(r *Rand, direction string) Money {
	hi := 5_000_000
	if direction == Geohazard {
		hi = 500_000
	}

	return Money(r.Between(5_000, hi)) * 100 * FenPerYuan
}

var projectKinds = map[string][]string{
	EcoRestoration: {"历史遗留废弃矿山生态修复工程", "山水林田湖草沙一体化保护和修复工程",
		"湿地生态保护修复项目", "国土绿化试点示范项目", "小流域综合治理与生态修复项目"},
	Geohazard: {"地质灾害隐患点综合治理工程", "滑坡治理工程", "泥石流沟综合治理工程",
		"地质灾害避险搬迁项目", "崩塌危岩体排危除险工程"},
}

var phases = []string{"", "（二期）", "（三期）", "（四期）"}

// projectName writes 杭州市西湖区滑坡治理工程（二期): the city (unless it is
// a grouping row), the county, a kind of work and, past the first project
// of the county, a phase.
func (p *Projects) projectName(r *Rand, county, direction string, k int) string {
	c := p.regions.Get(county)
	name := c.Name
	city := p.regions.Get(c.Parent)
	if city != nil && city.Level == fundhub.LevelCity && !city.Grouping {
		name = city.Name + name
	}

	kinds := projectKinds[direction]
	return name + kinds[r.IntN(len(kinds))] + phases[k%len(phases)]
}

func pickWeighted(r *Rand, values []string, weights []int) string {
	total := 0
	for _, w := range weights {
		total += w
	}

	n := r.IntN(total)
	for i, w := range weights {
		if n < w {
			return values[i]
		}
		n -= w
	}

	return values[len(values)-1]
}
