package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"fundhub"
	"fundhub/postgres/pgtest"
)

func TestMigrate_LoadsReferenceData(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	prov := fundhub.LevelProvince

	_, total, err := db.FindRegions(ctx, fundhub.FullScope(),
		fundhub.RegionFilter{Level: &prov}, fundhub.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if total != 34 {
		t.Errorf("provinces: got %d, want 34", total)
	}

	var days, years int
	pgtest.Get(t, db, &days, `SELECT count(*) FROM calendar_days`)
	pgtest.Get(t, db, &years, `SELECT count(*) FROM calendar_years`)
	if days != 254 || years != 7 {
		t.Errorf("calendar: got %d days in %d years, want 254 in 7", days, years)
	}
}

func TestDB_ImportRegions(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	asOf := time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
	all, err := db.AllRegions(ctx)
	if err != nil {
		t.Fatal(err)
	}

	var rows []fundhub.RegionImport
	for _, r := range all {
		if r.Level == fundhub.LevelNational || r.Code == "330106" {
			continue // 330106 disappears from the new list
		}
		name := r.Name
		if r.Code == "330105" {
			name = "拱墅新区"
		}
		rows = append(rows, fundhub.RegionImport{Code: r.Code, Name: name,
			Level: r.Level, ParentCode: *r.ParentCode})
	}
	rows = append(rows, fundhub.RegionImport{Code: "330199", Name: "西湖新区",
		Level: fundhub.LevelCounty, ParentCode: "330100"})

	res, err := db.ImportRegions(ctx, rows, asOf)
	if err != nil {
		t.Fatal(err)
	}
	want := fundhub.RegionImportResult{Added: 1, Renamed: 1, Retired: 1,
		Unchanged: len(rows) - 2}
	if res != want {
		t.Errorf("first import: got %+v, want %+v", res, want)
	}

	again, err := db.ImportRegions(ctx, rows, asOf)
	if err != nil {
		t.Fatal(err)
	}
	if again != (fundhub.RegionImportResult{Unchanged: len(rows)}) {
		t.Errorf("second import: got %+v, want only %d unchanged", again, len(rows))
	}

	old, err := db.FindRegion(ctx, fundhub.FullScope(), "330106")
	if err != nil {
		t.Fatal(err)
	}
	if old.Name != "西湖区" || old.ValidTo == nil || !old.ValidTo.Equal(asOf) {
		t.Errorf("retired region: got %s valid to %v, want 西湖区 valid to %v",
			old.Name, old.ValidTo, asOf)
	}

	names, err := db.RegionNames(ctx, []string{"330105"})
	if err != nil {
		t.Fatal(err)
	}
	if h := names["330105"]; len(h) != 1 || h[0].Name != "拱墅区" {
		t.Errorf("name history of 330105: got %v, want [拱墅区]", h)
	}

	created, err := db.FindRegion(ctx, fundhub.FullScope(), "330199")
	if err != nil {
		t.Fatal(err)
	}
	if created == nil || !strings.HasPrefix(created.Path, "/100000/330000/330100/") {
		t.Errorf("new region path: got %+v", created)
	}
}

func TestDB_ImportCalendar(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	next := []fundhub.CalendarDay{
		{Day: day("2027-01-01"), Name: "元旦", OffDay: true},
		{Day: day("2027-02-07"), Name: "春节", OffDay: false},
		{Day: day("2026-01-01"), Name: "元旦", OffDay: true},
	}

	res, err := db.ImportCalendar(ctx, next)
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 2 || res.Changed != 0 || res.Unchanged != 1 {
		t.Errorf("first import: got %+v, want 2 added, 1 unchanged", res)
	}

	again, err := db.ImportCalendar(ctx, next)
	if err != nil {
		t.Fatal(err)
	}
	if again.Added != 0 || again.Changed != 0 || again.Unchanged != 3 {
		t.Errorf("second import: got %+v, want 3 unchanged", again)
	}

	var years []int
	pgtest.Select(t, db, &years, `SELECT year FROM calendar_years ORDER BY year`)
	if len(years) != 8 || years[7] != 2027 {
		t.Errorf("covered years: got %v, want 2020 to 2027", years)
	}
}

func TestDB_ImportRegions_RefusesAnOlderList(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	all, err := db.AllRegions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var rows []fundhub.RegionImport
	for _, r := range all {
		if r.Level != fundhub.LevelNational {
			rows = append(rows, fundhub.RegionImport{Code: r.Code, Name: r.Name,
				Level: r.Level, ParentCode: *r.ParentCode})
		}
	}

	_, err = db.ImportRegions(ctx, rows, time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC))
	if fundhub.ErrorCode(err) != fundhub.EINVALID {
		t.Errorf("list dated 2019 after the 2024 list: got %v, want BAD_USER_INPUT", err)
	}
}

func TestDB_ImportRegions_RefusesAPartialList(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	rows := []fundhub.RegionImport{{Code: "330000", Name: "浙江省",
		Level: fundhub.LevelProvince, ParentCode: fundhub.NationalCode}}

	_, err := db.ImportRegions(ctx, rows, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	if fundhub.ErrorCode(err) != fundhub.EINVALID {
		t.Fatalf("a one-province list: got %v, want BAD_USER_INPUT", err)
	}
	var retired int
	pgtest.Get(t, db, &retired, `SELECT count(*) FROM regions WHERE valid_to IS NOT NULL`)
	if retired != 0 {
		t.Errorf("retired regions after the refused import: got %d, want 0", retired)
	}
}
