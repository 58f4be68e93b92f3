package graph_test

import (
	"testing"

	"fundhub/postgres/pgtest"
)

func TestLoaders_BoundStatementsOfNestedList(t *testing.T) {
	db, count := pgtest.NewCounting(t)
	loadDemo(t, db)
	// 80 more allocations from Zhejiang to its counties, each to a project.
	_, err := db.SQL().Exec(`
		INSERT INTO projects (name, region_code, direction, reserve_status)
		SELECT '项目 ' || r.code, r.code, 'GEOHAZARD', 'ADMITTED'
		FROM regions r WHERE r.code LIKE '33%' AND r.level = 'COUNTY' LIMIT 80;
		INSERT INTO funds (name, year, category, direction, owner_region)
		VALUES ('地质灾害防治资金', 2024, 'CENTRAL', 'GEOHAZARD', '100000');
		INSERT INTO allocations (fund_id, from_region, to_region, project_id, amount, source)
		SELECT (SELECT id FROM funds WHERE name = '地质灾害防治资金'), '330000',
			p.region_code, p.id, 1000000, 'CENTRAL_TRANSFER' FROM projects p;`)
	if err != nil {
		t.Fatal(err)
	}
	srv := server(t, db)

	var got struct {
		Allocations struct {
			Nodes []struct {
				Project *struct{ Name string }
			}
		}
	}
	count.Reset()
	query(t, srv, `{ allocations(first: 100) { totalCount nodes {
		amount fund { name ownerRegion { name } }
		fromRegion { name } toRegion { name fullName parent { name } }
		project { name region { name } } sourceRecords { sourceSystem amount } } } }`, nil, &got)

	if n := len(got.Allocations.Nodes); n != 100 {
		t.Fatalf("allocations listed: got %d, want 100", n)
	}
	// The count and the page, then at most one batch per relationship asked
	// for: fund, fromRegion, toRegion, project and sourceRecords of the
	// allocations, then ownerRegion, fullName, parent and project.region.
	// Batches of one loader that start together share a statement. Two more
	// check the caller's token and record its use, once per request.
	if n := count.Count(); n > 13 {
		t.Errorf("SQL statements for 100 allocations with relations: got %d, want at most 13", n)
	}
	withProject := 0
	for _, n := range got.Allocations.Nodes {
		if n.Project != nil {
			withProject++
		}
	}
	if withProject == 0 {
		t.Error("no allocation came back with its project")
	}
}
