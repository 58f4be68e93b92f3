package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"fundhub"
	"fundhub/postgres"
	"fundhub/postgres/pgtest"
)

// seedQuarterlyProblems adds open and closed problems to seedAnalysis's
// year: about the project (eco), about Zhejiang's own geohazard money,
// about the county itself, in Liaoning, and one resolved.
func seedQuarterlyProblems(t *testing.T, db *postgres.DB) {
	t.Helper()
	_, err := db.SQL().Exec(`
	INSERT INTO problems (id, kind, severity, status, region_code, project_id, allocation_id,
		title, raised_by) VALUES
		(1, 'SLOW_PAYMENT', 'MINOR', 'OPEN', '330106', 1, NULL, '项目支付慢', 'rule'),
		(2, 'SLOW_PAYMENT', 'MAJOR', 'OPEN', '330106', NULL, 5, '地灾资金支付慢', 'rule'),
		(3, 'LATE', 'MAJOR', 'ACKNOWLEDGED', '330500', NULL, NULL, '湖州迟报', 'rule'),
		(4, 'LATE', 'MAJOR', 'OPEN', '210000', NULL, NULL, '辽宁迟报', 'rule'),
		(5, 'OTHER', 'MINOR', 'RESOLVED', '330100', NULL, NULL, '已解决', 'rule');`)
	if err != nil {
		t.Fatal(err)
	}
}

// quarterlyQuery asks for Zhejiang's second quarter of 2024, graded on the
// monitor's default gaps.
func quarterlyQuery(region string) fundhub.QuarterlyQuery {
	return fundhub.QuarterlyQuery{Region: region, Quarter: fundhub.Quarter{Year: 2024,
		Quarter: 2}, Today: time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC),
		Thresholds: fundhub.ProgressThresholds{Yellow: decimal.NewFromInt(10),
			Red: decimal.NewFromInt(20)}}
}

func quarterlyLineText(l *fundhub.QuarterlyLine) string {
	own := ""
	if l.Own {
		own = " own"
	}

	return fmt.Sprintf("%s%s alloc=%s recv=%s paid=%s exec=%s elapsed=%s gap=%s %s",
		l.Code, own, l.Allocated.StringFixed(2), l.Received.StringFixed(2),
		l.Paid.StringFixed(2), pct(l.ExecutionRate), l.Progress.Elapsed.StringFixed(2),
		pct(l.Progress.Gap), l.Progress.Warning)
}

func TestDB_QuarterlyReportDataMatchesHandWorkedFigures(t *testing.T) {
	db := pgtest.New(t)
	pgtest.SeedAnalysis(t, db)
	seedQuarterlyProblems(t, db)
	ctx := context.Background()

	rep, err := db.QuarterlyReportData(ctx, fundhub.FullScope(), quarterlyQuery("330000"))
	if err != nil {
		t.Fatal(err)
	}
	// 182 of 366 days: 49.73 per cent of 2024 gone by the end of June.
	var got []string
	got = append(got, quarterlyLineText(&rep.Current), quarterlyLineText(&rep.Previous))
	for _, l := range append(rep.ByDirection, rep.ByRegion...) {
		got = append(got, quarterlyLineText(l))
	}
	want := []string{
		"330000 alloc=1250.00 recv=1250.00 paid=200.00 exec=16.00 elapsed=49.73 gap=33.73 RED",
		"330000 alloc=1250.00 recv=1250.00 paid=0.00 exec=0.00 elapsed=24.86 gap=24.86 RED",
		"ECO_RESTORATION alloc=1000.00 recv=1000.00 paid=100.00 exec=10.00 elapsed=49.73 " +
			"gap=39.73 RED",
		"GEOHAZARD alloc=250.00 recv=250.00 paid=100.00 exec=40.00 elapsed=49.73 gap=9.73 NONE",
		"330000 own alloc=1000.00 recv=1000.00 paid=0.00 exec=0.00 elapsed=49.73 gap=49.73 RED",
		"330100 alloc=850.00 recv=850.00 paid=200.00 exec=23.53 elapsed=49.73 gap=26.20 RED",
		"330500 alloc=300.00 recv=0.00 paid=0.00 exec=0.00 elapsed=49.73 gap=49.73 RED",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// The project: 300 allocated in April, 100 paid in May (the July payment
	// is after the quarter); nothing allocated by March, so newly lagging.
	var lagging []string
	for _, l := range rep.Lagging {
		lagging = append(lagging, fmt.Sprintf("%s %s %s/%s %s new=%v", l.Kind, l.Name,
			l.Paid.StringFixed(2), l.Allocated.StringFixed(2), l.Progress.Warning, l.New))
	}
	wantLagging := []string{
		"REGION 湖州市 0.00/300.00 RED new=false",
		"REGION 杭州市 200.00/850.00 RED new=false",
		"PROJECT 西湖区矿山修复 100.00/300.00 YELLOW new=true",
	}
	if strings.Join(lagging, "\n") != strings.Join(wantLagging, "\n") {
		t.Errorf("lagging:\n%s\nwant:\n%s", strings.Join(lagging, "\n"),
			strings.Join(wantLagging, "\n"))
	}
	if rep.Projects != 1 || len(rep.Problems) != 3 || rep.Problems[0].Severity != "MAJOR" {
		t.Errorf("projects %d, problems %d, want 1 and Zhejiang's 3 open, major first",
			rep.Projects, len(rep.Problems))
	}
}

func TestDB_QuarterlyReportDataKeepsToTheScope(t *testing.T) {
	db := pgtest.New(t)
	pgtest.SeedAnalysis(t, db)
	seedQuarterlyProblems(t, db)
	ctx := context.Background()
	eco := fundhub.Scope{RegionCodes: []string{"330000"},
		Directions: []fundhub.Direction{fundhub.DirectionEcoRestoration}}

	for _, c := range []struct {
		scope  fundhub.Scope
		region string
	}{{fundhub.Scope{RegionCodes: []string{"210000"}}, "330000"},
		{eco, "100000"}, {eco, "999999"}} {
		_, err := db.QuarterlyReportData(ctx, c.scope, quarterlyQuery(c.region))
		if fundhub.ErrorCode(err) != fundhub.ENOTFOUND {
			t.Errorf("%v on %s: got %v, want NOT_FOUND", c.scope.RegionCodes, c.region, err)
		}
	}

	rep, err := db.QuarterlyReportData(ctx, eco, quarterlyQuery("330000"))
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, p := range rep.Problems {
		titles = append(titles, p.Title)
	}
	if got := strings.Join(titles, ","); got != "湖州迟报,项目支付慢" {
		t.Errorf("problems: got %s, want 湖州迟报,项目支付慢 (no geohazard, no Liaoning)", got)
	}
	var ids []string
	err = db.EachQuarterlyAllocation(ctx, eco, quarterlyQuery("330000"),
		func(a *fundhub.QuarterlyAllocation) error {
			ids = append(ids, fmt.Sprintf("%d:%s→%s", a.ID, a.FromName, a.ToName))
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	want := "1:全国→浙江省,2:浙江省→杭州市,3:杭州市→西湖区,9:西湖区→西湖区,4:浙江省→湖州市"
	if got := strings.Join(ids, ","); got != want {
		t.Errorf("allocations: got %s, want %s", got, want)
	}
}
