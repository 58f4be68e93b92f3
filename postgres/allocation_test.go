package postgres_test

import (
	"context"
	"testing"

	"github.com/shopspring/decimal"

	"fundhub"
	"fundhub/postgres"
	"fundhub/postgres/pgtest"
)

// seedAllocations adds allocations of two funds of different directions to
// regions of Liaoning (including Dalian, a 计划单列市) and Zhejiang.
func seedAllocations(t *testing.T, db *postgres.DB) {
	t.Helper()
	_, err := db.SQL().Exec(`
		INSERT INTO funds (id, name, year, category, direction, owner_region) VALUES
			(1, '生态修复资金', 2024, 'CENTRAL', 'ECO_RESTORATION', '100000'),
			(2, '地灾资金', 2024, 'CENTRAL', 'GEOHAZARD', '100000');
		INSERT INTO allocations (fund_id, from_region, to_region, amount, source) VALUES
			(1, '100000', '210000', 1000.10, 'CENTRAL_TRANSFER'),
			(1, '100000', '210200', 200.20, 'CENTRAL_TRANSFER'),
			(1, '210000', '210100', 300.30, 'PROVINCE_MATCH'),
			(2, '100000', '210000', 400.40, 'CENTRAL_TRANSFER'),
			(1, '100000', '330000', 500.50, 'CENTRAL_TRANSFER'),
			(2, '330000', '330106', 600.60, 'PROVINCE_MATCH');`)
	if err != nil {
		t.Fatal(err)
	}
}

func TestDB_AllocationsObeyTheScope(t *testing.T) {
	db := pgtest.New(t)
	seedAllocations(t, db)
	ctx := context.Background()
	liaoning := fundhub.Scope{RegionCodes: []string{"210000"}}
	geo := fundhub.Scope{RegionCodes: []string{"100000"},
		Directions: []fundhub.Direction{fundhub.DirectionGeohazard}}
	tests := []struct {
		name   string
		scope  fundhub.Scope
		filter fundhub.AllocationFilter
		count  int
		amount string
	}{
		{"everything", fundhub.FullScope(), fundhub.AllocationFilter{}, 6, "3002.1"},
		{"a province sees its subtree", liaoning, fundhub.AllocationFilter{}, 4, "1901"},
		{"a city sees only itself", fundhub.Scope{RegionCodes: []string{"210200"}},
			fundhub.AllocationFilter{}, 1, "200.2"},
		{"a filter cannot widen the scope", liaoning,
			fundhub.AllocationFilter{RegionUnder: ptr("330000")}, 0, "0"},
		{"a direction limits the funds", geo, fundhub.AllocationFilter{}, 2, "1001"},
		{"the zero scope sees nothing", fundhub.Scope{}, fundhub.AllocationFilter{}, 0, "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := db.FindAllocations(ctx, tt.scope, tt.filter, fundhub.Page{First: 2})
			if err != nil {
				t.Fatal(err)
			}
			if l.Total != tt.count || !l.Amount.Equal(decimal.RequireFromString(tt.amount)) {
				t.Errorf("got %d allocations of %s, want %d of %s", l.Total, l.Amount,
					tt.count, tt.amount)
			}

			totals, err := db.AllocationTotals(ctx, tt.scope,
				fundhub.TotalsQuery{Filter: tt.filter})
			if err != nil {
				t.Fatal(err)
			}
			if len(totals) != 1 || !totals[0].Amount.Equal(l.Amount) ||
				totals[0].Count != l.Total {
				t.Errorf("totals: got %+v, want the list's %d and %s", totals, l.Total, l.Amount)
			}
		})
	}
}

func TestDB_OutOfScopeLookupIsNotFound(t *testing.T) {
	db := pgtest.New(t)
	seedAllocations(t, db)
	ctx := context.Background()
	var zhejiang int64
	err := db.SQL().Get(&zhejiang, `SELECT id FROM allocations WHERE to_region = '330106'`)
	if err != nil {
		t.Fatal(err)
	}

	_, err = db.FindAllocation(ctx, fundhub.Scope{RegionCodes: []string{"210000"}}, zhejiang)
	if fundhub.ErrorCode(err) != fundhub.ENOTFOUND {
		t.Errorf("another province's allocation: got %v, want NOT_FOUND", err)
	}
	_, err = db.FindAllocation(ctx, fundhub.Scope{RegionCodes: []string{"210000"}}, 999999)
	if fundhub.ErrorCode(err) != fundhub.ENOTFOUND {
		t.Errorf("a missing allocation: got %v, want NOT_FOUND", err)
	}
	found, err := db.AllocationsByIDs(ctx, fundhub.Scope{RegionCodes: []string{"210000"}},
		[]int64{zhejiang})
	if err != nil || len(found) != 0 {
		t.Errorf("loader: got %d allocations (%v), want none", len(found), err)
	}
}

func TestDB_RollupKeepsSeparatelyPlannedApart(t *testing.T) {
	db := pgtest.New(t)
	seedAllocations(t, db)
	prov, nat := fundhub.LevelProvince, fundhub.LevelNational

	totals, err := db.AllocationTotals(context.Background(), fundhub.FullScope(),
		fundhub.TotalsQuery{GroupBy: []fundhub.AllocationDimension{fundhub.DimRegion},
			RegionLevel: &prov, Filter: fundhub.AllocationFilter{FromLevel: &nat}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]string{"210000": {"1600.7", "200.2"}, "330000": {"500.5", "0"}}
	for _, tt := range totals {
		w := want[*tt.RegionCode]
		if !tt.Amount.Equal(decimal.RequireFromString(w[0])) ||
			!tt.SeparatelyPlannedAmount.Equal(decimal.RequireFromString(w[1])) {
			t.Errorf("%s: got %s (%s to 计划单列市), want %s (%s)", *tt.RegionCode,
				tt.Amount, tt.SeparatelyPlannedAmount, w[0], w[1])
		}
	}
	if len(totals) != len(want) {
		t.Errorf("groups: got %d, want %d", len(totals), len(want))
	}
}

func ptr[T any](v T) *T { return &v }
