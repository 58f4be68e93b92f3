package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"fundhub"
	"fundhub/authz"
	"fundhub/graph"
	"fundhub/postgres/pgtest"
)

// The scope matrix seeds funds, allocations, projects, payments, targets,
// reports and problems across two provinces, signs in officials of every
// level and department, and reads everything as each of them. What each may
// see is worked out here from the seed and the access rule alone (a role
// held at the unit's region reaches its subtree, in the directions the role
// covers), never from the product's own scope code, so a leak or an
// over-hiding in any store query, loader or total shows as a difference.

const (
	smSeed     = 20240601
	smPageSize = 40
	smMissing  = "999999999"
	smNation   = fundhub.NationalCode
	smEco      = "ECO_RESTORATION"
	smGeo      = "GEOHAZARD"
	smRelief   = "DISASTER_RELIEF"
	smOther    = "OTHER"
)

// smParents is the part of the GB/T 2260 tree the seed uses, child to
// parent. 宁波 is a 计划单列市, so separatelyPlannedAmount has something
// to count.
var smParents = map[string]string{
	"330000": smNation, "330100": "330000", "330106": "330100", "330108": "330100",
	"330110": "330100", "330200": "330000", "330203": "330200",
	"320000": smNation, "320100": "320000", "320102": "320100", "320104": "320100",
	"320200": "320000", "320205": "320200",
}

const smSeparatelyPlanned = "330200"

// smRoleDirs is the access rule as the brief states it: the directions each
// role reads; "*" is every direction, and admin reads none.
var smRoleDirs = map[string]string{
	authz.RoleFinance:          "*",
	authz.RoleMinistrySupport:  "*",
	authz.RoleEcoRestoration:   smEco,
	authz.RoleMarineMonitoring: smEco,
	authz.RoleGeohazard:        smGeo,
}

type smFund struct {
	id                                int64
	name, category, level, dir, owner string
	year                              int
	allocs                            []*smAlloc
}

type smProject struct {
	id          int64
	region, dir string
}

type smAlloc struct {
	id               int64
	fund             *smFund
	from, to, source string
	project          *smProject
	parent           *smAlloc
	amount           decimal.Decimal
	withdrawn        bool
	target           *smTarget
	payments         []*smPayment
	// mismatched marks the GEOHAZARD allocation that names an
	// ECO_RESTORATION project.
	mismatched bool
}

type smPayment struct {
	id        int64
	alloc     *smAlloc
	region    string
	amount    decimal.Decimal
	paidOn    string
	reverses  *smPayment
	withdrawn bool
}

type smTarget struct {
	id      int64
	alloc   *smAlloc
	project *smProject
	fund    *smFund
	parent  *smTarget
	region  string
	year    int
}

type smReport struct {
	id      int64
	region  string
	quarter int
	status  string
	lines   []*smLine
}

type smLine struct {
	id      int64
	report  *smReport
	alloc   *smAlloc
	project *smProject
	target  *smTarget
}

type smProblem struct {
	id      int64
	kind    string
	region  string
	alloc   *smAlloc
	project *smProject
}

// smWorld is the seed, kept in Go so the expected answers come from it.
type smWorld struct {
	r        *rand.Rand
	funds    []*smFund
	projects []*smProject
	allocs   []*smAlloc
	payments []*smPayment
	targets  []*smTarget
	reports  []*smReport
	lines    []*smLine
	problems []*smProblem
	// Distinct id ranges per table, so a leaked id in a failure message
	// says at once what kind of record it is.
	nextID map[string]int64
}

func (w *smWorld) id(table string) int64 {
	w.nextID[table]++
	return w.nextID[table]
}

// smPath returns the codes from the nation down to code.
func smPath(code string) []string {
	if code == smNation {
		return []string{smNation}
	}
	return append(smPath(smParents[code]), code)
}

func smUnder(code, root string) bool { return slices.Contains(smPath(code), root) }

// smChildren returns the direct children of code, sorted.
func smChildren(code string) []string {
	var out []string
	for c, p := range smParents {
		if p == code {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}

func smLevelOf(code string) int { return len(smPath(code)) - 1 }

func (w *smWorld) money(lo, hi int64) decimal.Decimal {
	return decimal.New(lo*100+w.r.Int64N((hi-lo)*100), -2)
}

func (w *smWorld) addFund(name string, year int, category, level, dir, owner string) *smFund {
	f := &smFund{id: w.id("funds"), name: name, year: year, category: category, level: level,
		dir: dir, owner: owner}
	w.funds = append(w.funds, f)
	return f
}

func (w *smWorld) addAlloc(f *smFund, from, to, source string, parent *smAlloc) *smAlloc {
	a := &smAlloc{id: w.id("allocations"), fund: f, from: from, to: to, source: source,
		parent: parent, amount: w.money(10_000, 50_000_000)}
	f.allocs = append(f.allocs, a)
	w.allocs = append(w.allocs, a)
	return a
}

// projectIn picks a project of region and direction, or nil.
func (w *smWorld) projectIn(region, dir string) *smProject {
	var c []*smProject
	for _, p := range w.projects {
		if p.region == region && p.dir == dir {
			c = append(c, p)
		}
	}
	if len(c) == 0 {
		return nil
	}
	return c[w.r.IntN(len(c))]
}

// cascade allocates f from root down to every city and most counties, as
// 资金下达 does; a 计划单列市 gets central money straight from the nation.
func (w *smWorld) cascade(f *smFund, root, source string, skip int) {
	if root == smNation {
		for _, p := range smChildren(smNation) {
			if w.r.IntN(10) < skip {
				continue
			}
			w.cascadeFrom(f, p, source, w.addAlloc(f, smNation, p, source, nil), skip)
		}
		return
	}
	w.cascadeFrom(f, root, source, nil, skip)
}

func (w *smWorld) cascadeFrom(f *smFund, province, source string, top *smAlloc, skip int) {
	for _, c := range smChildren(province) {
		var ac *smAlloc
		if c == smSeparatelyPlanned && f.owner == smNation {
			ac = w.addAlloc(f, smNation, c, source, nil)
		} else {
			ac = w.addAlloc(f, province, c, source, top)
		}
		// Some city allocations name a county's project, so a county
		// sees the project while the allocation stays out of its reach.
		if w.r.IntN(4) == 0 {
			ks := smChildren(c)
			ac.project = w.projectIn(ks[w.r.IntN(len(ks))], f.dir)
		}
		for _, k := range smChildren(c) {
			if w.r.IntN(10) < skip+2 {
				continue
			}
			ak := w.addAlloc(f, c, k, source, ac)
			if w.r.IntN(2) == 0 {
				ak.project = w.projectIn(k, f.dir)
			}
		}
	}
}

func smGenerate(seed uint64) *smWorld {
	w := &smWorld{r: rand.New(rand.NewPCG(seed, seed^0x5eed)), nextID: map[string]int64{
		"funds": 100, "projects": 2000, "allocations": 3000, "payments": 5000,
		"targets": 7000, "reports": 8000, "lines": 8500, "problems": 9500}}

	var counties, cities, provinces []string
	for c := range smParents {
		switch smLevelOf(c) {
		case 1:
			provinces = append(provinces, c)
		case 2:
			cities = append(cities, c)
		case 3:
			counties = append(counties, c)
		}
	}
	slices.Sort(counties)
	slices.Sort(cities)
	slices.Sort(provinces)

	// Every county has a project of each direction, so each direction
	// has something to leak everywhere.
	for _, k := range counties {
		dirs := []string{smEco, smGeo}
		for range w.r.IntN(3) {
			dirs = append(dirs, []string{smEco, smGeo}[w.r.IntN(2)])
		}
		for _, d := range dirs {
			w.projects = append(w.projects, &smProject{id: w.id("projects"), region: k, dir: d})
		}
	}
	for _, c := range []string{"330100", "320100"} {
		w.projects = append(w.projects, &smProject{id: w.id("projects"), region: c, dir: smEco})
	}

	names := map[string]string{smEco: "生态保护修复", smGeo: "地质灾害防治"}
	for _, year := range []int{2023, 2024} {
		for _, dir := range []string{smEco, smGeo} {
			f := w.addFund("中央财政"+names[dir]+"资金", year, "CENTRAL", "", dir, smNation)
			w.cascade(f, smNation, "CENTRAL_TRANSFER", 0)
		}
	}
	relief := w.addFund("中央自然灾害救灾资金", 2024, "CENTRAL", "", smRelief, smNation)
	w.cascade(relief, smNation, "CENTRAL_TRANSFER", 4)
	// Both provinces set up funds of the same name: two funds, each seen
	// only in its own province (and by the nation).
	for _, p := range provinces {
		for _, dir := range []string{smEco, smGeo} {
			f := w.addFund("省级"+names[dir]+"专项资金", 2024, "LOCAL", "PROVINCE", dir, p)
			w.cascade(f, p, "PROVINCE_MATCH", 0)
		}
	}
	hz := w.addFund("杭州市生态修复资金", 2024, "LOCAL", "CITY", smEco, "330100")
	for _, k := range smChildren("330100") {
		w.addAlloc(hz, "330100", k, "CITY_MATCH", nil)
	}
	// Funds without allocations are seen only where their owner is.
	w.addFund("江苏省其他专项资金", 2024, "LOCAL", "PROVINCE", smOther, "320000")
	w.addFund("西湖区社会资本生态修复", 2024, "SOCIAL", "", smEco, "330106")

	// A GEOHAZARD allocation naming an ECO_RESTORATION project of 西湖区:
	// bad data a source may well send, and a geohazard official must still
	// not see the project through it.
	for _, a := range w.allocs {
		if a.to == "330106" && a.fund.dir == smGeo && a.project == nil {
			a.project = w.projectIn("330106", smEco)
			a.mismatched = true
			break
		}
	}
	// Withdrawn allocations count nowhere and show nowhere.
	for n := 0; n < 2; {
		a := w.allocs[w.r.IntN(len(w.allocs))]
		if smLevelOf(a.to) == 3 && a.project == nil && !a.withdrawn && a.parent != nil {
			a.withdrawn = true
			n++
		}
	}

	var live []*smAlloc
	for _, a := range w.allocs {
		if !a.withdrawn {
			live = append(live, a)
		}
	}

	w.seedPayments(live, counties)
	w.seedTargets(live)
	w.seedReports(live, append(append(slices.Clone(provinces), cities...), counties...))
	w.seedProblems(live, append(append(slices.Clone(provinces), cities...), counties...))

	return w
}

func (w *smWorld) date() string {
	return fmt.Sprintf("2024-%02d-%02d", 1+w.r.IntN(12), 1+w.r.IntN(28))
}

func (w *smWorld) addPayment(a *smAlloc, region string, amount decimal.Decimal) *smPayment {
	p := &smPayment{id: w.id("payments"), alloc: a, region: region, amount: amount,
		paidOn: w.date()}
	w.payments = append(w.payments, p)
	if a != nil {
		a.payments = append(a.payments, p)
	}
	return p
}

func (w *smWorld) seedPayments(live []*smAlloc, counties []string) {
	for _, a := range live {
		n := w.r.IntN(3)
		if smLevelOf(a.to) == 1 {
			n = w.r.IntN(2)
		}
		for range n {
			region := a.to
			// A city's money is often paid out in one of its counties.
			if ks := smChildren(a.to); smLevelOf(a.to) == 2 && w.r.IntN(2) == 0 {
				region = ks[w.r.IntN(len(ks))]
			}
			// The treasury above sometimes pays a county's money directly
			// (国库集中支付): the county sees the allocation but not that
			// payment, so paid must leave it out.
			if smLevelOf(a.to) == 3 && w.r.IntN(4) == 0 {
				region = smParents[a.to]
			}
			p := w.addPayment(a, region, w.money(1_000, 2_000_000))
			if w.r.IntN(5) == 0 {
				r := w.addPayment(a, region, p.amount.Mul(decimal.New(-3, -1)).Round(2))
				r.reverses = p
			}
		}
	}
	// One movement deleted at its source: kept, not counted.
	w.payments[w.r.IntN(len(w.payments))].withdrawn = true
	// Payments the finance system could not tie to an allocation carry no
	// direction.
	for range 3 {
		w.addPayment(nil, counties[w.r.IntN(len(counties))], w.money(100, 100_000))
	}
}

func (w *smWorld) addTarget(t *smTarget) *smTarget {
	t.id = w.id("targets")
	w.targets = append(w.targets, t)
	return t
}

func (w *smWorld) seedTargets(live []*smAlloc) {
	for _, a := range live {
		if w.r.IntN(2) == 0 && (a.parent == nil || a.parent.target == nil) {
			continue
		}
		t := &smTarget{alloc: a, project: a.project, fund: a.fund, region: a.to,
			year: a.fund.year}
		if a.parent != nil {
			t.parent = a.parent.target
		}
		a.target = w.addTarget(t)
	}
	central := map[string]*smFund{}
	for _, f := range w.funds {
		if f.owner == smNation && f.year == 2024 {
			central[f.dir] = f
		}
	}
	for _, p := range w.projects {
		if w.r.IntN(3) == 0 {
			w.addTarget(&smTarget{project: p, fund: central[p.dir], region: p.region,
				year: 2024})
		}
	}
	// Targets of no fund carry no direction.
	w.addTarget(&smTarget{region: "330110", year: 2024})
	w.addTarget(&smTarget{region: "320000", year: 2024})
}

func (w *smWorld) seedReports(live []*smAlloc, regions []string) {
	statuses := []string{"DRAFT", "SUBMITTED", "RETURNED", "REVIEWED", "TRANSMITTED"}
	for _, region := range regions {
		quarters := 1 + w.r.IntN(2)
		for q := 1; q <= quarters; q++ {
			r := &smReport{id: w.id("reports"), region: region, quarter: q,
				status: statuses[w.r.IntN(len(statuses))]}
			w.reports = append(w.reports, r)
			var here []*smAlloc
			for _, a := range live {
				if a.to == region {
					here = append(here, a)
				}
			}
			w.r.Shuffle(len(here), func(i, j int) { here[i], here[j] = here[j], here[i] })
			for _, a := range here[:min(len(here), 4)] {
				l := &smLine{report: r, alloc: a, project: a.project}
				if w.r.IntN(2) == 0 {
					l.target = a.target
				}
				w.addLine(l)
			}
			for _, p := range w.projects {
				if p.region == region && w.r.IntN(2) == 0 {
					w.addLine(&smLine{report: r, project: p})
				}
			}
			// A line of target progress (实际完成值) may name only the
			// target; it takes its direction from the target's fund.
			for _, tg := range w.targets {
				if tg.region == region && tg.fund != nil && w.r.IntN(3) == 0 {
					w.addLine(&smLine{report: r, target: tg})
				}
			}
		}
	}
}

func (w *smWorld) addLine(l *smLine) {
	l.id = w.id("lines")
	l.report.lines = append(l.report.lines, l)
	w.lines = append(w.lines, l)
}

func (w *smWorld) seedProblems(live []*smAlloc, regions []string) {
	add := func(kind, region string, a *smAlloc, p *smProject) {
		w.problems = append(w.problems, &smProblem{id: w.id("problems"), kind: kind,
			region: region, alloc: a, project: p})
	}
	for _, a := range live {
		if w.r.IntN(6) == 0 {
			add("SLOW_PAYMENT", a.to, a, a.project)
		}
	}
	for _, p := range w.projects {
		if w.r.IntN(4) == 0 {
			add("SLOW_PROGRESS", p.region, nil, p)
		}
	}
	for range 6 {
		add("LATE", regions[w.r.IntN(len(regions))], nil, nil)
	}
}

// insert writes the seed with plain SQL, ids and all, parents before
// children within each statement (foreign keys are checked at its end).
func (w *smWorld) insert(t *testing.T, db *sqlx.DB) {
	t.Helper()
	nullID := func(ok bool, id int64) any {
		if !ok {
			return nil
		}
		return id
	}

	var rows [][]any
	for _, f := range w.funds {
		var level any
		if f.level != "" {
			level = f.level
		}
		rows = append(rows, []any{f.id, f.name, f.year, f.category, level, f.dir, f.owner})
	}
	smInsert(t, db, "funds",
		"id, name, year, category, local_level, direction, owner_region", rows)

	rows = nil
	for _, p := range w.projects {
		rows = append(rows, []any{p.id, fmt.Sprintf("P-%d", p.id),
			fmt.Sprintf("项目%d", p.id), p.region, p.dir, "IN_PROGRESS",
			w.money(100_000, 90_000_000).String()})
	}
	smInsert(t, db, "projects", "id, code, name, region_code, direction, reserve_status, "+
		"planned_investment", rows)

	rows = nil
	for _, a := range w.allocs {
		rows = append(rows, []any{a.id, a.fund.id, a.from, a.to,
			nullID(a.project != nil, idOr(a.project)), a.amount.String(), a.source,
			nullID(a.parent != nil, idOr(a.parent)), a.withdrawn})
	}
	smInsert(t, db, "allocations", "id, fund_id, from_region, to_region, project_id, "+
		"amount, source, parent_id, withdrawn", rows)

	rows = nil
	for _, p := range w.payments {
		rows = append(rows, []any{p.id, nullID(p.alloc != nil, idOr(p.alloc)), p.region,
			p.amount.String(), p.paidOn, nullID(p.reverses != nil, idOr(p.reverses)),
			p.withdrawn})
	}
	smInsert(t, db, "payments", "id, allocation_id, region_code, amount, paid_on, "+
		"reverses_id, withdrawn", rows)

	rows = nil
	for _, tg := range w.targets {
		rows = append(rows, []any{tg.id, nullID(tg.alloc != nil, idOr(tg.alloc)),
			nullID(tg.project != nil, idOr(tg.project)), tg.region,
			nullID(tg.fund != nil, idOr(tg.fund)), tg.year,
			nullID(tg.parent != nil, idOr(tg.parent)), "治理面积", "亩", ">=", "120"})
	}
	smInsert(t, db, "performance_targets", "id, allocation_id, project_id, region_code, "+
		"fund_id, year, parent_id, indicator, unit, comparator, target_value", rows)

	rows = nil
	for _, r := range w.reports {
		rows = append(rows, []any{r.id, r.region, 2024, r.quarter, r.status})
	}
	smInsert(t, db, "execution_reports", "id, region_code, year, quarter, status", rows)

	rows = nil
	for _, l := range w.lines {
		rows = append(rows, []any{l.id, l.report.id, nullID(l.alloc != nil, idOr(l.alloc)),
			nullID(l.project != nil, idOr(l.project)),
			nullID(l.target != nil, idOr(l.target)), w.money(0, 1_000_000).String()})
	}
	smInsert(t, db, "report_lines", "id, report_id, allocation_id, project_id, target_id, "+
		"paid_amount", rows)

	rows = nil
	base := time.Date(2024, 7, 1, 9, 0, 0, 0, time.UTC)
	for i, p := range w.problems {
		rows = append(rows, []any{p.id, p.kind, p.region,
			nullID(p.project != nil, idOr(p.project)), nullID(p.alloc != nil, idOr(p.alloc)),
			fmt.Sprintf("问题%d", p.id), "rule", base.Add(-time.Duration(i) * time.Minute)})
	}
	smInsert(t, db, "problems", "id, kind, region_code, project_id, allocation_id, title, "+
		"raised_by, raised_at", rows)

	for _, table := range []string{"funds", "projects", "allocations", "payments",
		"performance_targets", "execution_reports", "report_lines", "problems"} {
		db.MustExec(`SELECT setval(pg_get_serial_sequence($1, 'id'),
			(SELECT max(id) FROM `+table+`))`, table)
	}
}

// idOr returns the id of a seeded record, or 0 for nil.
func idOr[T interface {
	*smFund | *smProject | *smAlloc | *smPayment | *smTarget
}](p T) int64 {
	switch v := any(p).(type) {
	case *smFund:
		if v != nil {
			return v.id
		}
	case *smProject:
		if v != nil {
			return v.id
		}
	case *smAlloc:
		if v != nil {
			return v.id
		}
	case *smPayment:
		if v != nil {
			return v.id
		}
	case *smTarget:
		if v != nil {
			return v.id
		}
	}
	return 0
}

func smInsert(t *testing.T, db *sqlx.DB, table, cols string, rows [][]any) {
	t.Helper()
	var ph []string
	var args []any
	for _, r := range rows {
		p := make([]string, len(r))
		for i, v := range r {
			args = append(args, v)
			p[i] = "$" + strconv.Itoa(len(args))
		}
		ph = append(ph, "("+strings.Join(p, ", ")+")")
	}
	q := "INSERT INTO " + table + " (" + cols + ") VALUES " + strings.Join(ph, ", ")
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("seeding %s: %v", table, err)
	}
}

// smScope is what a user may read by the rule, computed from their roles.
type smScope struct {
	none    bool
	root    string
	allDirs bool
	dirs    map[string]bool
}

func smScopeOf(region string, roles []string) smScope {
	s := smScope{root: region, dirs: map[string]bool{}}
	for _, r := range roles {
		switch d := smRoleDirs[r]; d {
		case "":
		case "*":
			s.allDirs = true
		default:
			s.dirs[d] = true
		}
	}
	s.none = !s.allDirs && len(s.dirs) == 0
	return s
}

func (s smScope) region(code string) bool { return !s.none && smUnder(code, s.root) }

// dir reports whether the scope covers direction d; "" is a record with no
// direction, which only a scope of every direction can be sure to cover.
func (s smScope) dir(d string) bool { return !s.none && (s.allDirs || s.dirs[d]) }

func (s smScope) String() string {
	switch {
	case s.none:
		return "nothing"
	case s.allDirs:
		return s.root + "/*"
	}
	return s.root + "/" + strings.Join(slices.Sorted(maps.Keys(s.dirs)), "+")
}

// The rule, entity by entity.

// fund: a fund of a covered direction that the nation owns (central money
// is announced to every region), that a region in reach owns, or that has
// sent money into reach.
func (s smScope) fund(f *smFund) bool {
	if f == nil || !s.dir(f.dir) {
		return false
	}
	if f.owner == smNation || s.region(f.owner) {
		return true
	}
	return slices.ContainsFunc(f.allocs, func(a *smAlloc) bool {
		return !a.withdrawn && s.region(a.to)
	})
}

func (s smScope) alloc(a *smAlloc) bool {
	return a != nil && !a.withdrawn && s.region(a.to) && s.dir(a.fund.dir)
}

func (s smScope) project(p *smProject) bool {
	return p != nil && s.region(p.region) && s.dir(p.dir)
}

func (p *smPayment) dir() string {
	if p.alloc == nil {
		return ""
	}
	return p.alloc.fund.dir
}

// payment: listed is true for lists and sums, which leave out movements
// withdrawn at their source; a lookup through reverses still finds them.
func (s smScope) payment(p *smPayment, listed bool) bool {
	return p != nil && (!listed || !p.withdrawn) && s.region(p.region) && s.dir(p.dir())
}

func (t *smTarget) dir() string {
	if t.fund == nil {
		return ""
	}
	return t.fund.dir
}

func (s smScope) target(t *smTarget) bool {
	return t != nil && s.region(t.region) && s.dir(t.dir())
}

func (s smScope) report(r *smReport) bool { return s.region(r.region) }

// line: a line tied to money or a project of a direction out of reach tells
// of it (its paid amount, its note), so it hides with it.
func (s smScope) line(l *smLine) bool {
	return s.report(l.report) && (l.alloc == nil || s.dir(l.alloc.fund.dir)) &&
		(l.project == nil || s.dir(l.project.dir)) && (l.target == nil || s.dir(l.target.dir()))
}

// problem: as a line, a problem raised on a hidden allocation or project
// hides with it; one raised on a region alone is the region's.
func (s smScope) problem(p *smProblem) bool {
	return s.region(p.region) && (p.alloc == nil || s.dir(p.alloc.fund.dir)) &&
		(p.project == nil || s.dir(p.project.dir))
}

// paid is Allocation.paid by the rule: the visible current payments only.
func (s smScope) paid(a *smAlloc) decimal.Decimal {
	sum := decimal.Zero
	for _, p := range a.payments {
		if s.payment(p, true) {
			sum = sum.Add(p.amount)
		}
	}
	return sum
}

type smUser struct {
	name   string
	region string
	kind   fundhub.DepartmentKind
	roles  []string
	token  string
	scope  smScope
}

func (u *smUser) String() string {
	return fmt.Sprintf("%s (%s %v, scope %s)", u.name, u.region, u.roles, u.scope)
}

// smUsers returns the named officials of the matrix and some generated
// from the seed: every level, every department, admin-only accounts and
// neighbours.
func smUsers(r *rand.Rand) []*smUser {
	const (
		fin, sup   = authz.RoleFinance, authz.RoleMinistrySupport
		eco, geo   = authz.RoleEcoRestoration, authz.RoleGeohazard
		mar, admin = authz.RoleMarineMonitoring, authz.RoleAdmin
	)
	u := func(name, region string, roles ...string) *smUser {
		return &smUser{name: name, region: region, roles: roles}
	}
	users := []*smUser{
		u("nat-finance", smNation, fin),
		u("nat-support", smNation, sup),
		u("nat-eco", smNation, eco),
		u("nat-geo", smNation, geo),
		u("nat-marine", smNation, mar),
		u("nat-admin", smNation, admin),
		u("zj-finance", "330000", fin),
		u("zj-geo", "330000", geo),
		u("zj-marine", "330000", mar),
		u("js-finance", "320000", fin),
		u("js-eco", "320000", eco),
		u("hz-finance", "330100", fin),
		u("hz-geo", "330100", geo),
		u("nb-eco", "330200", eco),
		u("nj-support", "320100", sup),
		u("xihu-finance", "330106", fin),
		u("xihu-geo", "330106", geo),
		u("binjiang-finance", "330108", fin),
		u("binjiang-eco", "330108", eco),
		u("xuanwu-geo-marine", "320102", geo, mar),
		u("yuhang-admin", "330110", admin),
		u("yuhang-support-admin", "330110", sup, admin),
	}
	regions := slices.Sorted(maps.Keys(smParents))
	regions = append(regions, smNation)
	all := []string{fin, sup, eco, geo, mar, admin}
	for i := range 10 {
		region := regions[r.IntN(len(regions))]
		roles := []string{all[r.IntN(len(all))]}
		if second := all[r.IntN(len(all))]; r.IntN(3) == 0 && second != roles[0] {
			roles = append(roles, second)
		}
		users = append(users, u(fmt.Sprintf("gen%02d-%s-%s", i, region,
			strings.ReplaceAll(roles[0], "_", "-")), region, roles...))
	}
	kinds := map[string]fundhub.DepartmentKind{
		fin: fundhub.DepartmentFinance, sup: fundhub.DepartmentMinistrySupport,
		eco: fundhub.DepartmentEcoRestoration, geo: fundhub.DepartmentGeohazard,
		mar: fundhub.DepartmentMarineMonitoring, admin: fundhub.DepartmentMinistrySupport,
	}
	for _, x := range users {
		x.kind = kinds[x.roles[0]]
		x.scope = smScopeOf(x.region, x.roles)
	}
	return users
}

// smMatrix is the seeded world, the server and the signed-in users.
type smMatrix struct {
	w     *smWorld
	srv   *httptest.Server
	users map[string]*smUser
}

func TestScopeMatrix(t *testing.T) {
	db := pgtest.New(t)
	w := smGenerate(smSeed)
	w.insert(t, db.SQL())

	d := newDeps(t, db, db, nil)
	srv := httptest.NewServer(graph.Handler(d))
	t.Cleanup(srv.Close)
	m := &smMatrix{w: w, srv: srv, users: map[string]*smUser{}}
	users := smUsers(rand.New(rand.NewPCG(smSeed, 7)))
	for _, u := range users {
		u.token = signIn(t, d, u.name, u.region, u.kind, u.roles...)
		m.users[u.name] = u
	}
	t.Logf("seeded %d funds, %d projects, %d allocations, %d payments, %d targets, "+
		"%d reports with %d lines, %d problems; %d users", len(w.funds), len(w.projects),
		len(w.allocs), len(w.payments), len(w.targets), len(w.reports), len(w.lines),
		len(w.problems), len(users))

	t.Run("unauthenticated", m.unauthenticated)
	t.Run("every user, every query", func(t *testing.T) {
		for _, u := range users {
			t.Run(u.name, func(t *testing.T) {
				t.Parallel()
				m.everyQuery(t, u)
			})
		}
	})
	t.Run("county cannot read its neighbour", m.countyNeighbour)
	t.Run("province reads its counties and no other province", m.provinceCounties)
	t.Run("geohazard sees nothing of ECO_RESTORATION", m.geohazardSeesNoEco)
}

// do posts one operation with token ("" for none) and decodes the answer.
func (m *smMatrix) do(t *testing.T, token, q string, vars map[string]any) (response, int) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	req, err := http.NewRequest(http.MethodPost, m.srv.URL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()

	var out response
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatalf("decoding response to %s: %v", q, err)
	}
	return out, res.StatusCode
}

// data runs q as u and decodes its data into out; a GraphQL error fails the
// case, named by user and what.
func (m *smMatrix) data(t *testing.T, u *smUser, what, q string, vars map[string]any,
	out any) bool {
	t.Helper()
	resp, _ := m.do(t, u.token, q, vars)
	if len(resp.Errors) > 0 {
		t.Errorf("%s: %s: errors %+v", u, what, resp.Errors)
		return false
	}
	if err := json.Unmarshal(resp.Data, out); err != nil {
		t.Errorf("%s: %s: decoding %s: %v", u, what, resp.Data, err)
		return false
	}
	return true
}

type smConn struct {
	TotalCount  int
	TotalAmount *string
	PageInfo    struct {
		HasNextPage bool
		EndCursor   *string
	}
	Nodes []json.RawMessage
}

// walk reads every page of a list as u and checks that the pages agree
// with the count and the total they report.
func (m *smMatrix) walk(t *testing.T, u *smUser, field, args, sel string,
	withAmount bool) ([]json.RawMessage, decimal.Decimal, bool) {
	t.Helper()
	amt := ""
	if withAmount {
		amt = " totalAmount"
	}
	q := fmt.Sprintf(`query($after: String) { list: %s(%sfirst: %d, after: $after) {
		totalCount%s pageInfo { hasNextPage endCursor } nodes { %s } } }`,
		field, args, smPageSize, amt, sel)
	what := field
	if args != "" {
		what += "(" + strings.TrimSuffix(args, ", ") + ")"
	}

	var all []json.RawMessage
	var after any
	total, amount := -1, decimal.Zero
	for page := 0; ; page++ {
		var got struct{ List smConn }
		if !m.data(t, u, what, q, map[string]any{"after": after}, &got) {
			return nil, amount, false
		}
		c := got.List
		if total >= 0 && c.TotalCount != total {
			t.Errorf("%s: %s: totalCount changed between pages: %d then %d", u, what,
				total, c.TotalCount)
		}
		total = c.TotalCount
		if withAmount {
			a := smDec(t, c.TotalAmount)
			if page > 0 && !a.Equal(amount) {
				t.Errorf("%s: %s: totalAmount changed between pages: %s then %s", u, what,
					amount, a)
			}
			amount = a
		}
		all = append(all, c.Nodes...)
		if !c.PageInfo.HasNextPage {
			break
		}
		if len(c.Nodes) == 0 || c.PageInfo.EndCursor == nil || page > 100 {
			t.Errorf("%s: %s: hasNextPage with no way forward on page %d", u, what, page)
			return nil, amount, false
		}
		after = *c.PageInfo.EndCursor
	}
	if total != len(all) {
		t.Errorf("%s: %s: totalCount %d, but the pages held %d records", u, what, total,
			len(all))
	}
	return all, amount, true
}

func smDec(t *testing.T, s *string) decimal.Decimal {
	t.Helper()
	if s == nil {
		t.Errorf("decimal: got null")
		return decimal.Zero
	}
	d, err := decimal.NewFromString(*s)
	if err != nil {
		t.Errorf("decimal %q: %v", *s, err)
	}
	return d
}

type smRef struct{ ID string }

// smRefWant is the expected value of a nullable relationship: the id when
// the caller may see the record, null otherwise.
func smRefWant(visible bool, id int64) string {
	if !visible {
		return "null"
	}
	return strconv.FormatInt(id, 10)
}

func smRefGot(r *smRef) string {
	if r == nil {
		return "null"
	}
	return r.ID
}

func smIDs[T any](t *testing.T, nodes []json.RawMessage) ([]T, []int64) {
	t.Helper()
	out := make([]T, len(nodes))
	ids := make([]int64, len(nodes))
	for i, n := range nodes {
		if err := json.Unmarshal(n, &out[i]); err != nil {
			t.Fatalf("decoding node %s: %v", n, err)
		}
		var id struct{ ID string }
		_ = json.Unmarshal(n, &id)
		ids[i], _ = strconv.ParseInt(id.ID, 10, 64)
	}
	return out, ids
}

// sameIDs compares the ids a list returned with the ids the rule lets u
// see, naming what leaked and what was hidden.
func sameIDs(t *testing.T, u *smUser, what string, got []int64, want map[int64]bool) {
	t.Helper()
	seen := map[int64]bool{}
	var leaked, dup, missing []int64
	for _, id := range got {
		switch {
		case seen[id]:
			dup = append(dup, id)
		case !want[id]:
			leaked = append(leaked, id)
		}
		seen[id] = true
	}
	for id := range want {
		if !seen[id] {
			missing = append(missing, id)
		}
	}
	slices.Sort(leaked)
	slices.Sort(missing)
	if len(leaked) > 0 {
		t.Errorf("%s: %s LEAKS %d records outside the scope: %v", u, what, len(leaked),
			leaked)
	}
	if len(missing) > 0 {
		t.Errorf("%s: %s HIDES %d records in scope: %v", u, what, len(missing), missing)
	}
	if len(dup) > 0 {
		t.Errorf("%s: %s returned records twice: %v", u, what, dup)
	}
}

func (m *smMatrix) everyQuery(t *testing.T, u *smUser) {
	m.checkFunds(t, u)
	m.checkAllocations(t, u)
	m.checkTotals(t, u)
	m.checkAnalysis(t, u)
	m.checkProjects(t, u)
	m.checkTargets(t, u)
	m.checkReports(t, u)
	m.checkPayments(t, u)
	m.checkProblems(t, u)
	m.checkLookups(t, u)
	m.checkFiltered(t, u, []string{"330000", "320000", "330100", "330106", "330108"})
}

func (m *smMatrix) checkFunds(t *testing.T, u *smUser) {
	nodes, _, ok := m.walk(t, u, "funds", "", "id", false)
	if !ok {
		return
	}
	_, ids := smIDs[smRef](t, nodes)
	want := map[int64]bool{}
	for _, f := range m.w.funds {
		if u.scope.fund(f) {
			want[f.id] = true
		}
	}
	sameIDs(t, u, "funds", ids, want)
}

type smAllocNode struct {
	ID, Amount, Paid      string
	Fund, Parent, Project *smRef
}

func (m *smMatrix) allocByID() map[int64]*smAlloc {
	out := map[int64]*smAlloc{}
	for _, a := range m.w.allocs {
		out[a.id] = a
	}
	return out
}

func (m *smMatrix) checkAllocations(t *testing.T, u *smUser) {
	nodes, total, ok := m.walk(t, u, "allocations", "",
		"id amount paid fund { id } parent { id } project { id }", true)
	if !ok {
		return
	}
	got, ids := smIDs[smAllocNode](t, nodes)
	s := u.scope
	want, sum := map[int64]bool{}, decimal.Zero
	for _, a := range m.w.allocs {
		if s.alloc(a) {
			want[a.id] = true
			sum = sum.Add(a.amount)
		}
	}
	sameIDs(t, u, "allocations", ids, want)
	if !total.Equal(sum) {
		t.Errorf("%s: allocations.totalAmount: got %s, want %s (the sum over the %d "+
			"allocations in scope)", u, total, sum, len(want))
	}

	// The total must also be the sum of the very rows the pages returned,
	// whatever the rule says.
	var paged decimal.Decimal
	for _, n := range got {
		amt, _ := decimal.NewFromString(n.Amount)
		paged = paged.Add(amt)
	}
	if !total.Equal(paged) {
		t.Errorf("%s: allocations.totalAmount %s, but the pages sum to %s", u, total, paged)
	}

	byID := m.allocByID()
	for i, n := range got {
		a := byID[ids[i]]
		if a == nil || !want[a.id] {
			continue
		}
		who := fmt.Sprintf("%s: allocations node %d", u, a.id)
		if amt, _ := decimal.NewFromString(n.Amount); !amt.Equal(a.amount) {
			t.Errorf("%s: amount %s, want %s", who, n.Amount, a.amount)
		}
		if g := smRefGot(n.Fund); g != smRefWant(true, a.fund.id) {
			t.Errorf("%s: fund %s, want %d", who, g, a.fund.id)
		}
		if g, w := smRefGot(n.Parent), smRefWant(s.alloc(a.parent), idOr(a.parent)); g != w {
			t.Errorf("%s: parent %s, want %s", who, g, w)
		}
		if g, w := smRefGot(n.Project), smRefWant(s.project(a.project),
			idOr(a.project)); g != w {
			t.Errorf("%s: project %s, want %s (project of %s)", who, g, w,
				smProjDir(a.project))
		}
		if p, _ := decimal.NewFromString(n.Paid); !p.Equal(s.paid(a)) {
			t.Errorf("%s: paid %s, want %s (sum of the payments in scope)", who, n.Paid,
				s.paid(a))
		}
	}
}

func smProjDir(p *smProject) string {
	if p == nil {
		return "none"
	}
	return p.region + " " + p.dir
}

type smGrouping struct {
	name, groupBy, level, filter string
	dims                         []string
	keep                         func(*smAlloc) bool
}

var smGroupings = []smGrouping{
	{name: "byProvince", groupBy: "REGION", level: "PROVINCE", dims: []string{"REGION"}},
	{name: "byCity", groupBy: "REGION", level: "CITY", dims: []string{"REGION"}},
	{name: "byCounty", groupBy: "REGION", level: "COUNTY", dims: []string{"REGION"}},
	{name: "byDirection", groupBy: "DIRECTION", dims: []string{"DIRECTION"}},
	{name: "byFundYear", groupBy: "FUND, YEAR", dims: []string{"FUND", "YEAR"}},
	{name: "byCategorySource", groupBy: "CATEGORY, SOURCE",
		dims: []string{"CATEGORY", "SOURCE"}},
	{name: "byCityDirection", groupBy: "REGION, DIRECTION", level: "CITY",
		dims: []string{"REGION", "DIRECTION"}},
	{name: "all", groupBy: ""},
	{name: "centralByProvince", groupBy: "REGION", level: "PROVINCE",
		filter: "{ fromLevel: NATIONAL }", dims: []string{"REGION"},
		keep: func(a *smAlloc) bool { return a.from == smNation }},
	{name: "ecoIntoZhejiang", groupBy: "FUND", filter: `{ regionUnder: "330000", ` +
		`direction: ECO_RESTORATION }`, dims: []string{"FUND"},
		keep: func(a *smAlloc) bool { return smUnder(a.to, "330000") && a.fund.dir == smEco }},
}

type smTotal struct {
	Category, Source, Direction *string
	Year                        *int
	Fund                        *smRef
	Region                      *struct{ Code string }
	Amount                      string
	SeparatelyPlannedAmount     string
	Count                       int
}

func (r smTotal) key() string {
	s := func(p *string) string {
		if p == nil {
			return "-"
		}
		return *p
	}
	k := []string{s(r.Category), s(r.Source), s(r.Direction), "-", "-", "-"}
	if r.Year != nil {
		k[3] = strconv.Itoa(*r.Year)
	}
	if r.Fund != nil {
		k[4] = r.Fund.ID
	}
	if r.Region != nil {
		k[5] = r.Region.Code
	}
	return strings.Join(k, "|")
}

type smSum struct {
	amount, sp decimal.Decimal
	count      int
}

// expectedKey is the group an allocation falls in by the rule.
func (g smGrouping) expectedKey(a *smAlloc) string {
	k := []string{"-", "-", "-", "-", "-", "-"}
	for _, d := range g.dims {
		switch d {
		case "CATEGORY":
			k[0] = a.fund.category
		case "SOURCE":
			k[1] = a.source
		case "DIRECTION":
			k[2] = a.fund.dir
		case "YEAR":
			k[3] = strconv.Itoa(a.fund.year)
		case "FUND":
			k[4] = strconv.FormatInt(a.fund.id, 10)
		case "REGION":
			depth := map[string]int{"PROVINCE": 1, "CITY": 2, "COUNTY": 3}[g.level]
			// A recipient above the level stands for itself.
			if p := smPath(a.to); len(p) > depth {
				k[5] = p[depth]
			} else {
				k[5] = a.to
			}
		}
	}
	return strings.Join(k, "|")
}

func (m *smMatrix) checkTotals(t *testing.T, u *smUser) {
	var q strings.Builder
	q.WriteString("{")
	for _, g := range smGroupings {
		fmt.Fprintf(&q, " %s: allocationTotals(groupBy: [%s]", g.name, g.groupBy)
		if g.level != "" {
			fmt.Fprintf(&q, ", regionLevel: %s", g.level)
		}
		if g.filter != "" {
			fmt.Fprintf(&q, ", filter: %s", g.filter)
		}
		q.WriteString(`) { category source direction year fund { id } region { code }
			amount separatelyPlannedAmount count }`)
	}
	q.WriteString(" }")
	var got map[string][]smTotal
	if !m.data(t, u, "allocationTotals", q.String(), nil, &got) {
		return
	}

	for _, g := range smGroupings {
		want := map[string]smSum{}
		if len(g.dims) == 0 {
			// Without a group, one row sums everything, even nothing.
			want[g.expectedKey(nil)] = smSum{}
		}
		for _, a := range m.w.allocs {
			if !u.scope.alloc(a) || (g.keep != nil && !g.keep(a)) {
				continue
			}
			k := g.expectedKey(a)
			s := want[k]
			s.amount = s.amount.Add(a.amount)
			if smUnder(a.to, smSeparatelyPlanned) {
				s.sp = s.sp.Add(a.amount)
			}
			s.count++
			want[k] = s
		}
		what := "allocationTotals " + g.name
		seen := map[string]bool{}
		for _, r := range got[g.name] {
			k := r.key()
			w, ok := want[k]
			switch {
			case seen[k]:
				t.Errorf("%s: %s: group %s twice", u, what, k)
			case !ok:
				t.Errorf("%s: %s LEAKS group %s (amount %s, %d allocations): no "+
					"allocation in scope falls in it", u, what, k, r.Amount, r.Count)
			default:
				amt, _ := decimal.NewFromString(r.Amount)
				sp, _ := decimal.NewFromString(r.SeparatelyPlannedAmount)
				if !amt.Equal(w.amount) || !sp.Equal(w.sp) || r.Count != w.count {
					t.Errorf("%s: %s: group %s: got amount %s (计划单列 %s) over %d, "+
						"want %s (%s) over %d, the allocations in scope", u, what, k,
						r.Amount, r.SeparatelyPlannedAmount, r.Count, w.amount, w.sp,
						w.count)
				}
			}
			if g.level != "" && r.Region == nil {
				t.Errorf("%s: %s: group %s has no region", u, what, k)
			}
			if slices.Contains(g.dims, "FUND") && r.Fund == nil {
				t.Errorf("%s: %s: group %s names a fund the caller cannot see", u, what, k)
			}
			seen[k] = true
		}
		for k := range want {
			if !seen[k] {
				t.Errorf("%s: %s HIDES group %s (amount %s over %d allocations in scope)",
					u, what, k, want[k].amount, want[k].count)
			}
		}
	}
}

func (m *smMatrix) checkProjects(t *testing.T, u *smUser) {
	nodes, _, ok := m.walk(t, u, "projects", "", "id direction", false)
	if !ok {
		return
	}
	_, ids := smIDs[smRef](t, nodes)
	want := map[int64]bool{}
	for _, p := range m.w.projects {
		if u.scope.project(p) {
			want[p.id] = true
		}
	}
	sameIDs(t, u, "projects", ids, want)
}

type smTargetNode struct {
	ID                                string
	Allocation, Project, Fund, Parent *smRef
}

func (m *smMatrix) checkTargets(t *testing.T, u *smUser) {
	nodes, _, ok := m.walk(t, u, "performanceTargets", "",
		"id allocation { id } project { id } fund { id } parent { id }", false)
	if !ok {
		return
	}
	got, ids := smIDs[smTargetNode](t, nodes)
	s := u.scope
	want, byID := map[int64]bool{}, map[int64]*smTarget{}
	for _, tg := range m.w.targets {
		byID[tg.id] = tg
		if s.target(tg) {
			want[tg.id] = true
		}
	}
	sameIDs(t, u, "performanceTargets", ids, want)
	for i, n := range got {
		tg := byID[ids[i]]
		if tg == nil || !want[tg.id] {
			continue
		}
		who := fmt.Sprintf("%s: performanceTargets node %d", u, tg.id)
		smCheckRef(t, who, "allocation", n.Allocation, s.alloc(tg.alloc), idOr(tg.alloc))
		smCheckRef(t, who, "project", n.Project, s.project(tg.project), idOr(tg.project))
		smCheckRef(t, who, "fund", n.Fund, s.fund(tg.fund), idOr(tg.fund))
		smCheckRef(t, who, "parent", n.Parent, s.target(tg.parent), idOr(tg.parent))
	}
}

func smCheckRef(t *testing.T, who, field string, got *smRef, visible bool, id int64) {
	t.Helper()
	if g, w := smRefGot(got), smRefWant(visible, id); g != w {
		t.Errorf("%s: %s %s, want %s", who, field, g, w)
	}
}

type smLineNode struct {
	ID                          string
	Allocation, Project, Target *smRef
}

func (m *smMatrix) checkReports(t *testing.T, u *smUser) {
	nodes, _, ok := m.walk(t, u, "executionReports", "",
		"id lines { id allocation { id } project { id } target { id } }", false)
	if !ok {
		return
	}
	got, ids := smIDs[struct {
		ID    string
		Lines []smLineNode
	}](t, nodes)
	s := u.scope
	want, byID := map[int64]bool{}, map[int64]*smReport{}
	for _, r := range m.w.reports {
		byID[r.id] = r
		if s.report(r) {
			want[r.id] = true
		}
	}
	sameIDs(t, u, "executionReports", ids, want)

	lines := map[int64]*smLine{}
	var gotLines []int64
	wantLines := map[int64]bool{}
	for i, n := range got {
		r := byID[ids[i]]
		if r == nil || !want[r.id] {
			continue
		}
		for _, l := range r.lines {
			lines[l.id] = l
			if s.line(l) {
				wantLines[l.id] = true
			}
		}
		for _, ln := range n.Lines {
			id, _ := strconv.ParseInt(ln.ID, 10, 64)
			gotLines = append(gotLines, id)
			l := lines[id]
			if l == nil || l.report != r {
				t.Errorf("%s: executionReports node %d holds line %s of another report",
					u, r.id, ln.ID)
				continue
			}
			who := fmt.Sprintf("%s: executionReports node %d line %d", u, r.id, l.id)
			smCheckRef(t, who, "allocation", ln.Allocation, s.alloc(l.alloc), idOr(l.alloc))
			smCheckRef(t, who, "project", ln.Project, s.project(l.project), idOr(l.project))
			smCheckRef(t, who, "target", ln.Target, s.target(l.target), idOr(l.target))
		}
	}
	sameIDs(t, u, "executionReports.lines", gotLines, wantLines)
}

type smPaymentNode struct {
	ID, Amount           string
	Allocation, Reverses *smRef
}

func (m *smMatrix) checkPayments(t *testing.T, u *smUser) {
	nodes, total, ok := m.walk(t, u, "payments", "",
		"id amount allocation { id } reverses { id }", true)
	if !ok {
		return
	}
	got, ids := smIDs[smPaymentNode](t, nodes)
	s := u.scope
	want, byID, sum := map[int64]bool{}, map[int64]*smPayment{}, decimal.Zero
	for _, p := range m.w.payments {
		byID[p.id] = p
		if s.payment(p, true) {
			want[p.id] = true
			sum = sum.Add(p.amount)
		}
	}
	sameIDs(t, u, "payments", ids, want)
	if !total.Equal(sum) {
		t.Errorf("%s: payments.totalAmount: got %s, want %s (the sum over the %d "+
			"payments in scope)", u, total, sum, len(want))
	}
	var paged decimal.Decimal
	for _, n := range got {
		amt, _ := decimal.NewFromString(n.Amount)
		paged = paged.Add(amt)
	}
	if !total.Equal(paged) {
		t.Errorf("%s: payments.totalAmount %s, but the pages sum to %s", u, total, paged)
	}
	for i, n := range got {
		p := byID[ids[i]]
		if p == nil || !want[p.id] {
			continue
		}
		who := fmt.Sprintf("%s: payments node %d", u, p.id)
		if amt, _ := decimal.NewFromString(n.Amount); !amt.Equal(p.amount) {
			t.Errorf("%s: amount %s, want %s", who, n.Amount, p.amount)
		}
		smCheckRef(t, who, "allocation", n.Allocation, s.alloc(p.alloc), idOr(p.alloc))
		smCheckRef(t, who, "reverses", n.Reverses, s.payment(p.reverses, false),
			idOr(p.reverses))
	}
}

type smProblemNode struct {
	ID                  string
	Allocation, Project *smRef
}

func (m *smMatrix) checkProblems(t *testing.T, u *smUser) {
	nodes, _, ok := m.walk(t, u, "problems", "", "id allocation { id } project { id }",
		false)
	if !ok {
		return
	}
	got, ids := smIDs[smProblemNode](t, nodes)
	s := u.scope
	want, byID := map[int64]bool{}, map[int64]*smProblem{}
	for _, p := range m.w.problems {
		byID[p.id] = p
		if s.problem(p) {
			want[p.id] = true
		}
	}
	sameIDs(t, u, "problems", ids, want)
	for i, n := range got {
		p := byID[ids[i]]
		if p == nil {
			continue
		}
		who := fmt.Sprintf("%s: problems node %d", u, p.id)
		smCheckRef(t, who, "allocation", n.Allocation, s.alloc(p.alloc), idOr(p.alloc))
		smCheckRef(t, who, "project", n.Project, s.project(p.project), idOr(p.project))
	}
}

// checkLookups asks for every seeded fund, allocation and project by id: one
// in scope must come back, one out of it must be null with no error, just
// like an id that does not exist.
func (m *smMatrix) checkLookups(t *testing.T, u *smUser) {
	type lookup struct {
		field   string
		id      int64
		visible bool
	}
	s := u.scope
	var all []lookup
	for _, f := range m.w.funds {
		all = append(all, lookup{"fund", f.id, s.fund(f)})
	}
	for _, a := range m.w.allocs {
		all = append(all, lookup{"allocation", a.id, s.alloc(a)})
	}
	for _, p := range m.w.projects {
		all = append(all, lookup{"project", p.id, s.project(p)})
	}

	leaked, hidden := map[string][]int64{}, map[string][]int64{}
	// Chunks keep each document well under the server's token limit.
	for chunk := range slices.Chunk(all, 150) {
		var q strings.Builder
		q.WriteString("{")
		for _, f := range []string{"fund", "allocation", "project"} {
			fmt.Fprintf(&q, ` missing_%s: %s(id: "%s") { id }`, f, f, smMissing)
		}
		for _, l := range chunk {
			fmt.Fprintf(&q, ` x%d: %s(id: "%d") { id }`, l.id, l.field, l.id)
		}
		q.WriteString(" }")
		resp, _ := m.do(t, u.token, q.String(), nil)
		if len(resp.Errors) > 0 {
			t.Errorf("%s: lookups by id answered errors, unlike a missing id: %+v", u,
				resp.Errors)
			continue
		}
		var got map[string]*smRef
		if err := json.Unmarshal(resp.Data, &got); err != nil {
			t.Fatalf("decoding %s: %v", resp.Data, err)
		}
		for _, f := range []string{"fund", "allocation", "project"} {
			if r := got["missing_"+f]; r != nil {
				t.Errorf("%s: %s(id: %s) found %+v", u, f, smMissing, r)
			}
		}
		for _, l := range chunk {
			r := got["x"+strconv.FormatInt(l.id, 10)]
			switch {
			case l.visible && (r == nil || r.ID != strconv.FormatInt(l.id, 10)):
				hidden[l.field] = append(hidden[l.field], l.id)
			case !l.visible && r != nil:
				leaked[l.field] = append(leaked[l.field], l.id)
			}
		}
	}
	for _, f := range []string{"fund", "allocation", "project"} {
		if ids := leaked[f]; len(ids) > 0 {
			t.Errorf("%s: %s(id) LEAKS %d records outside the scope: %v", u, f, len(ids),
				ids)
		}
		if ids := hidden[f]; len(ids) > 0 {
			t.Errorf("%s: %s(id) HIDES %d records in scope: %v", u, f, len(ids), ids)
		}
	}
}

// checkFiltered runs the region filters, which must narrow the scope and
// never widen it, with their counts and sums; one request asks for every
// region, aliased.
func (m *smMatrix) checkFiltered(t *testing.T, u *smUser, regions []string) {
	var q strings.Builder
	q.WriteString("{")
	for i, r := range regions {
		f := fmt.Sprintf(`(filter: { regionUnder: "%s" }, first: 200)`, r)
		fmt.Fprintf(&q, ` allocations%d: allocations%s { totalCount totalAmount nodes { id } }
			payments%d: payments%s { totalCount totalAmount nodes { id } }
			projects%d: projects%s { totalCount nodes { id } }
			problems%d: problems%s { totalCount nodes { id } }
			performanceTargets%d: performanceTargets%s { totalCount nodes { id } }`,
			i, f, i, f, i, f, i, f, i, f)
	}
	q.WriteString(" }")
	var got map[string]smConn
	if !m.data(t, u, "lists under "+strings.Join(regions, ", "), q.String(), nil, &got) {
		return
	}

	s := u.scope
	for i, region := range regions {
		in := func(code string) bool { return smUnder(code, region) }
		check := func(field string, want map[int64]bool, sum *decimal.Decimal) {
			c := got[field+strconv.Itoa(i)]
			_, ids := smIDs[smRef](t, c.Nodes)
			what := fmt.Sprintf("%s(filter: {regionUnder: %q})", field, region)
			sameIDs(t, u, what, ids, want)
			if c.TotalCount != len(want) {
				t.Errorf("%s: %s.totalCount %d, want %d", u, what, c.TotalCount, len(want))
			}
			if sum != nil {
				if a := smDec(t, c.TotalAmount); !a.Equal(*sum) {
					t.Errorf("%s: %s.totalAmount %s, want %s", u, what, a, *sum)
				}
			}
		}

		want, sum := map[int64]bool{}, decimal.Zero
		for _, a := range m.w.allocs {
			if s.alloc(a) && in(a.to) {
				want[a.id] = true
				sum = sum.Add(a.amount)
			}
		}
		check("allocations", want, &sum)

		want, sum = map[int64]bool{}, decimal.Zero
		for _, p := range m.w.payments {
			if s.payment(p, true) && in(p.region) {
				want[p.id] = true
				sum = sum.Add(p.amount)
			}
		}
		check("payments", want, &sum)

		want = map[int64]bool{}
		for _, p := range m.w.projects {
			if s.project(p) && in(p.region) {
				want[p.id] = true
			}
		}
		check("projects", want, nil)

		want = map[int64]bool{}
		for _, p := range m.w.problems {
			if s.problem(p) && in(p.region) {
				want[p.id] = true
			}
		}
		check("problems", want, nil)

		want = map[int64]bool{}
		for _, tg := range m.w.targets {
			if s.target(tg) && in(tg.region) {
				want[tg.id] = true
			}
		}
		check("performanceTargets", want, nil)
	}
}

// unauthenticated asks every data query without a token, and with a token
// that was never issued.
func (m *smMatrix) unauthenticated(t *testing.T) {
	fund, alloc, proj := m.w.funds[0].id, m.w.allocs[0].id, m.w.projects[0].id
	queries := []string{
		`{ funds { totalCount nodes { id } } }`,
		fmt.Sprintf(`{ fund(id: "%d") { id } }`, fund),
		`{ allocations { totalCount totalAmount nodes { id } } }`,
		fmt.Sprintf(`{ allocation(id: "%d") { id paid } }`, alloc),
		`{ allocationTotals(groupBy: [REGION]) { amount count } }`,
		`{ projects { totalCount nodes { id } } }`,
		fmt.Sprintf(`{ project(id: "%d") { id } }`, proj),
		`{ performanceTargets { totalCount nodes { id } } }`,
		`{ executionReports { totalCount nodes { id lines { id } } } }`,
		`{ payments { totalCount totalAmount nodes { id } } }`,
		`{ problems { totalCount nodes { id } } }`,
		`{ regions { totalCount } }`,
		`{ region(code: "330000") { name } }`,
		`{ connectors { name } }`,
		`{ syncRuns { totalCount } }`,
		`{ me { username } }`,
		`{ users { totalCount } }`,
	}
	for _, q := range queries {
		for _, token := range []string{"", "not-a-token-we-issued"} {
			resp, status := m.do(t, token, q, nil)
			who := "no token"
			if token != "" {
				who = "a token never issued"
			}
			if len(resp.Errors) == 0 || resp.Errors[0].Extensions["code"] != "UNAUTHENTICATED" {
				t.Errorf("%s: %s: got errors %+v, want UNAUTHENTICATED", who, q, resp.Errors)
			}
			if d := strings.TrimSpace(string(resp.Data)); d != "" && d != "null" {
				t.Errorf("%s: %s: answered data %s", who, q, d)
			}
			if token != "" && status != http.StatusUnauthorized {
				t.Errorf("%s: %s: status %d, want 401", who, q, status)
			}
		}
	}
}

// countyNeighbour: 西湖区's officials read nothing of 滨江区, by id or by
// filter, while 滨江区's own officials do.
func (m *smMatrix) countyNeighbour(t *testing.T) {
	const neighbour = "330108"
	var theirs []*smProject
	for _, p := range m.w.projects {
		if p.region == neighbour {
			theirs = append(theirs, p)
		}
	}
	q := `query($r: String!) {
		projects(filter: { regionUnder: $r }) { totalCount nodes { id } }
		allocations(filter: { regionUnder: $r }) { totalCount totalAmount }
		toRegion: allocations(filter: { toRegion: $r }) { totalCount totalAmount }
		payments(filter: { regionUnder: $r }) { totalCount totalAmount }
		problems(filter: { regionUnder: $r }) { totalCount }
		performanceTargets(filter: { regionUnder: $r }) { totalCount }
		executionReports(filter: { regionUnder: $r }) { totalCount }
		allocationTotals(filter: { regionUnder: $r }, groupBy: [REGION],
			regionLevel: COUNTY) { amount count }
	}`
	type answer struct {
		Projects, Allocations, ToRegion, Payments      smConn
		Problems, PerformanceTargets, ExecutionReports smConn
		AllocationTotals                               []smTotal
	}
	for _, name := range []string{"xihu-finance", "xihu-geo"} {
		u := m.users[name]
		for _, p := range theirs {
			var got struct{ Project *smRef }
			q := fmt.Sprintf(`{ project(id: "%d") { id } }`, p.id)
			if m.data(t, u, "project(id)", q, nil, &got) && got.Project != nil {
				t.Errorf("%s: project(id: %d) of 滨江区 (%s) came back", u, p.id, p.dir)
			}
		}
		var got answer
		if !m.data(t, u, "filters on 滨江区", q, map[string]any{"r": neighbour}, &got) {
			continue
		}
		for what, c := range map[string]smConn{"projects": got.Projects,
			"allocations": got.Allocations, "allocations(toRegion)": got.ToRegion,
			"payments": got.Payments, "problems": got.Problems,
			"performanceTargets": got.PerformanceTargets,
			"executionReports":   got.ExecutionReports} {
			if c.TotalCount != 0 || len(c.Nodes) != 0 {
				t.Errorf("%s: %s(filter on 滨江区): %d records, want none", u, what,
					c.TotalCount)
			}
			if c.TotalAmount != nil && !smDec(t, c.TotalAmount).IsZero() {
				t.Errorf("%s: %s(filter on 滨江区): totalAmount %s, want 0", u, what,
					*c.TotalAmount)
			}
		}
		if len(got.AllocationTotals) != 0 {
			t.Errorf("%s: allocationTotals(filter on 滨江区): %+v, want none", u,
				got.AllocationTotals)
		}
	}

	// The same questions from 滨江区 itself find its records, so the empty
	// answers above are the scope at work and not an empty county.
	u := m.users["binjiang-finance"]
	var got answer
	if m.data(t, u, "filters on 滨江区", q, map[string]any{"r": neighbour}, &got) {
		if got.Projects.TotalCount != len(theirs) || got.Allocations.TotalCount == 0 {
			t.Errorf("%s: own county: %d projects and %d allocations, want %d and some",
				u, got.Projects.TotalCount, got.Allocations.TotalCount, len(theirs))
		}
	}
}

// provinceCounties: 浙江's finance department reads every county of 浙江
// and nothing of 江苏.
func (m *smMatrix) provinceCounties(t *testing.T) {
	u := m.users["zj-finance"]
	for _, k := range []string{"330106", "330108", "330110", "330203"} {
		wantProj, wantAlloc := 0, 0
		for _, p := range m.w.projects {
			if p.region == k {
				wantProj++
			}
		}
		for _, a := range m.w.allocs {
			if a.to == k && !a.withdrawn {
				wantAlloc++
			}
		}
		var got struct{ Projects, Allocations smConn }
		q := `query($k: String!) { projects(filter: { regionUnder: $k }) { totalCount }
			allocations(filter: { toRegion: $k }) { totalCount } }`
		if !m.data(t, u, "county "+k, q, map[string]any{"k": k}, &got) {
			continue
		}
		if wantProj == 0 || got.Projects.TotalCount != wantProj ||
			got.Allocations.TotalCount != wantAlloc {
			t.Errorf("%s: county %s: %d projects and %d allocations, want %d and %d",
				u, k, got.Projects.TotalCount, got.Allocations.TotalCount, wantProj,
				wantAlloc)
		}
	}

	var got struct {
		Totals                            []smTotal
		Projects, Allocations, Payments   smConn
		Problems, Targets, Reports, Funds smConn
	}
	q := `{ totals: allocationTotals(groupBy: [REGION], regionLevel: COUNTY) {
			region { code } amount count }
		projects(filter: { regionUnder: "320000" }) { totalCount }
		allocations(filter: { regionUnder: "320000" }) { totalCount totalAmount }
		payments(filter: { regionUnder: "320000" }) { totalCount totalAmount }
		problems(filter: { regionUnder: "320000" }) { totalCount }
		targets: performanceTargets(filter: { regionUnder: "320000" }) { totalCount }
		reports: executionReports(filter: { regionUnder: "320000" }) { totalCount }
		funds(filter: { nameLike: "江苏" }) { totalCount } }`
	if !m.data(t, u, "江苏 through 浙江's eyes", q, nil, &got) {
		return
	}
	counties := map[string]bool{}
	for _, r := range got.Totals {
		if r.Region == nil {
			continue
		}
		counties[r.Region.Code] = true
		if strings.HasPrefix(r.Region.Code, "32") {
			t.Errorf("%s: allocationTotals by county LEAKS 江苏's %s: %s over %d", u,
				r.Region.Code, r.Amount, r.Count)
		}
	}
	for _, k := range []string{"330106", "330108", "330110", "330203"} {
		if !counties[k] {
			t.Errorf("%s: allocationTotals by county HIDES 浙江's county %s", u, k)
		}
	}
	for what, c := range map[string]smConn{"projects": got.Projects,
		"allocations": got.Allocations, "payments": got.Payments, "problems": got.Problems,
		"performanceTargets": got.Targets, "executionReports": got.Reports,
		"funds owned by 江苏": got.Funds} {
		if c.TotalCount != 0 {
			t.Errorf("%s: %s under 320000: %d records, want none", u, what, c.TotalCount)
		}
	}
	for _, p := range m.w.projects {
		if !smUnder(p.region, "320000") {
			continue
		}
		var got struct{ Project *smRef }
		q := fmt.Sprintf(`{ project(id: "%d") { id } }`, p.id)
		if m.data(t, u, "project(id)", q, nil, &got) && got.Project != nil {
			t.Errorf("%s: project(id: %d) of 江苏 %s came back", u, p.id, p.region)
		}
	}
}

// geohazardSeesNoEco: a geohazard official, at any level, sees no
// ECO_RESTORATION fund, allocation, project, payment or target, and no
// report line or problem tied to one.
func (m *smMatrix) geohazardSeesNoEco(t *testing.T) {
	w := m.w
	ecoAlloc, ecoProj, ecoTarget := map[int64]bool{}, map[int64]bool{}, map[int64]bool{}
	for _, a := range w.allocs {
		ecoAlloc[a.id] = a.fund.dir == smEco
	}
	for _, p := range w.projects {
		ecoProj[p.id] = p.dir == smEco
	}
	for _, tg := range w.targets {
		ecoTarget[tg.id] = tg.dir() == smEco
	}
	byPayment, byLine, byProblem := map[int64]string{}, map[int64]string{}, map[int64]string{}
	for _, p := range w.payments {
		if p.dir() == smEco {
			byPayment[p.id] = fmt.Sprintf("allocation %d", p.alloc.id)
		}
	}
	for _, l := range w.lines {
		switch {
		case l.alloc != nil && ecoAlloc[l.alloc.id]:
			byLine[l.id] = fmt.Sprintf("ECO allocation %d", l.alloc.id)
		case l.project != nil && ecoProj[l.project.id]:
			byLine[l.id] = fmt.Sprintf("ECO project %d", l.project.id)
		case l.target != nil && ecoTarget[l.target.id]:
			byLine[l.id] = fmt.Sprintf("ECO target %d", l.target.id)
		}
	}
	for _, p := range w.problems {
		switch {
		case p.alloc != nil && ecoAlloc[p.alloc.id]:
			byProblem[p.id] = fmt.Sprintf("ECO allocation %d", p.alloc.id)
		case p.project != nil && ecoProj[p.project.id]:
			byProblem[p.id] = fmt.Sprintf("ECO project %d", p.project.id)
		}
	}

	// The GEOHAZARD allocation that names an ECO_RESTORATION project: the
	// allocation is 西湖区's geohazard money, the project is not theirs.
	for _, a := range w.allocs {
		if !a.mismatched {
			continue
		}
		u := m.users["xihu-geo"]
		var got struct {
			Allocation *struct {
				ID      string
				Project *smRef
			}
			Project *smRef
		}
		q := fmt.Sprintf(`{ allocation(id: "%d") { id project { id } }
			project(id: "%d") { id } }`, a.id, a.project.id)
		if m.data(t, u, "allocation naming an ECO project", q, nil, &got) {
			if got.Allocation == nil {
				t.Errorf("%s: allocation(id: %d) of 西湖区's GEOHAZARD money is hidden",
					u, a.id)
			} else if got.Allocation.Project != nil || got.Project != nil {
				t.Errorf("%s: ECO_RESTORATION project %d reached through allocation "+
					"%d: %+v, project(id): %+v", u, a.project.id, a.id,
					got.Allocation.Project, got.Project)
			}
		}
	}

	q := `{
		funds(filter: { direction: ECO_RESTORATION }) { totalCount }
		allocations(filter: { direction: ECO_RESTORATION }) { totalCount totalAmount }
		projects(filter: { direction: ECO_RESTORATION }) { totalCount }
		byDirection: allocationTotals(groupBy: [DIRECTION]) { direction amount count }
	}`
	for _, name := range []string{"nat-geo", "zj-geo", "hz-geo", "xihu-geo"} {
		u := m.users[name]
		var got struct {
			Funds, Allocations, Projects smConn
			ByDirection                  []smTotal
		}
		if m.data(t, u, "ECO_RESTORATION filters", q, nil, &got) {
			if n := got.Funds.TotalCount + got.Allocations.TotalCount +
				got.Projects.TotalCount; n != 0 {
				t.Errorf("%s: direction ECO_RESTORATION: %d funds, %d allocations, "+
					"%d projects, want none", u, got.Funds.TotalCount,
					got.Allocations.TotalCount, got.Projects.TotalCount)
			}
			for _, r := range got.ByDirection {
				if r.Direction == nil || *r.Direction != smGeo {
					t.Errorf("%s: allocationTotals by direction LEAKS %v: %s over %d", u,
						smStr(r.Direction), r.Amount, r.Count)
				}
			}
		}

		tied := func(what string, nodes []json.RawMessage, why map[int64]string) {
			_, ids := smIDs[smRef](t, nodes)
			slices.Sort(ids)
			var leaks []string
			for _, id := range ids {
				if r, ok := why[id]; ok {
					leaks = append(leaks, fmt.Sprintf("%d (%s)", id, r))
				}
			}
			if len(leaks) > 0 {
				t.Errorf("%s: %s LEAKS %d tied to ECO_RESTORATION: %s", u, what,
					len(leaks), strings.Join(leaks, ", "))
			}
		}
		if nodes, _, ok := m.walk(t, u, "payments", "", "id", true); ok {
			tied("payments", nodes, byPayment)
		}
		if nodes, _, ok := m.walk(t, u, "problems", "", "id", false); ok {
			tied("problems", nodes, byProblem)
		}
		if nodes, _, ok := m.walk(t, u, "performanceTargets", "", "id", false); ok {
			why := map[int64]string{}
			for id, eco := range ecoTarget {
				if eco {
					why[id] = "ECO fund"
				}
			}
			tied("performanceTargets", nodes, why)
		}
		if nodes, _, ok := m.walk(t, u, "executionReports", "", "id lines { id }",
			false); ok {
			var lines []json.RawMessage
			for _, n := range nodes {
				var r struct{ Lines []json.RawMessage }
				_ = json.Unmarshal(n, &r)
				lines = append(lines, r.Lines...)
			}
			tied("executionReports.lines", lines, byLine)
		}
	}
}

func smStr(p *string) string {
	if p == nil {
		return "null"
	}
	return *p
}
