package graph_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"fundhub"
	"fundhub/authz"
	"fundhub/graph"
	"fundhub/monitor"
	"fundhub/postgres/pgtest"
)

func TestDeadlines_FollowTheScope(t *testing.T) {
	db := pgtest.New(t)
	_, err := db.SQL().Exec(`
		INSERT INTO funds (id, name, year, category, direction, owner_region) VALUES
			(1, '生态修复', 2024, 'CENTRAL', 'ECO_RESTORATION', '100000'),
			(2, '地灾防治', 2024, 'CENTRAL', 'GEOHAZARD', '100000');
		INSERT INTO allocations (fund_id, from_region, to_region, amount, source, issued_on,
			received_on) VALUES
			(1, '330000', '330106', 100, 'CENTRAL_TRANSFER', '2024-03-20', '2024-03-25'),
			(2, '330000', '330106', 100, 'CENTRAL_TRANSFER', '2024-03-20', '2024-03-25'),
			(1, '330000', '330108', 100, 'CENTRAL_TRANSFER', '2024-03-20', '2024-03-25');`)
	if err != nil {
		t.Fatal(err)
	}
	e := &monitor.Engine{Store: db,
		Now: func() time.Time { return time.Date(2024, 5, 20, 9, 0, 0, 0, time.UTC) }}
	if _, err := e.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	d := newDeps(t, db, db, nil)
	srv := httptest.NewServer(graph.Handler(d))
	t.Cleanup(srv.Close)

	tests := []struct {
		name, region string
		kind         fundhub.DepartmentKind
		role         string
		want         map[string]int
	}{
		// 西湖 finance: filing of both allocations, and Q1 and Q2 reports.
		{"finance of 西湖", "330106", fundhub.DepartmentFinance, authz.RoleFinance,
			map[string]int{"FILING": 2, "QUARTER_REPORT": 2}},
		{"geohazard of 西湖", "330106", fundhub.DepartmentGeohazard, authz.RoleGeohazard,
			map[string]int{"FILING": 1, "QUARTER_REPORT": 2}},
		{"finance of 浙江", "330000", fundhub.DepartmentFinance, authz.RoleFinance,
			map[string]int{"FILING": 3, "QUARTER_REPORT": 4}},
	}
	for _, tt := range tests {
		tok := signIn(t, d, "u"+tt.region+tt.role, tt.region, tt.kind, tt.role)
		_, r := postAs(t, srv.URL, tok, `{ deadlines(first: 100) { totalCount
			nodes { kind state dueOn region { code } } } }`, nil)
		var got struct {
			Deadlines struct {
				TotalCount int
				Nodes      []struct{ Kind, State, DueOn string }
			}
		}
		if err := json.Unmarshal(r.Data, &got); err != nil || len(r.Errors) > 0 {
			t.Fatalf("%s: %s %+v", tt.name, r.Data, r.Errors)
		}
		counts := map[string]int{}
		for _, n := range got.Deadlines.Nodes {
			counts[n.Kind]++
		}
		for k, n := range tt.want {
			if counts[k] != n {
				t.Errorf("%s: %d %s deadlines, want %d (%+v)", tt.name, counts[k], k, n,
					got.Deadlines.Nodes)
			}
		}
		if got.Deadlines.TotalCount != len(got.Deadlines.Nodes) {
			t.Errorf("%s: totalCount %d for %d nodes", tt.name, got.Deadlines.TotalCount,
				len(got.Deadlines.Nodes))
		}
	}
}
