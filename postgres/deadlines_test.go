package postgres_test

import (
	"context"
	"testing"
	"time"

	"fundhub"
	"fundhub/monitor"
	"fundhub/postgres/pgtest"
)

func TestDB_RunDeadlinesTwiceChangesNothingAndRunsOnce(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	_, err := db.SQL().Exec(`
		INSERT INTO funds (id, name, year, category, direction, owner_region)
		VALUES (1, '重点生态保护修复治理资金', 2024, 'CENTRAL', 'ECO_RESTORATION', '100000');
		INSERT INTO allocations (id, fund_id, from_region, to_region, amount, source,
			issued_on, received_on)
		VALUES (1, 1, '100000', '330000', 100, 'CENTRAL_TRANSFER', '2024-03-01', '2024-03-06'),
			(2, 1, '330000', '330106', 100, 'CENTRAL_TRANSFER', '2024-03-20', '2024-03-25');
		UPDATE allocations SET parent_id = 1 WHERE id = 2;`)
	if err != nil {
		t.Fatal(err)
	}
	e := &monitor.Engine{Store: db,
		Now: func() time.Time { return time.Date(2024, 5, 20, 9, 0, 0, 0, time.UTC) }}

	first, err := e.Run(ctx)
	if err != nil || !first.Ran {
		t.Fatalf("first run: %+v %v", first, err)
	}
	var stamp1, stamp2 string
	pgtest.Get(t, db, &stamp1, `SELECT string_agg(key || computed_at, ',' ORDER BY key)
		FROM deadlines`)
	if _, err := e.Run(ctx); err != nil {
		t.Fatal(err)
	}
	pgtest.Get(t, db, &stamp2, `SELECT string_agg(key || computed_at, ',' ORDER BY key)
		FROM deadlines`)
	if stamp1 != stamp2 {
		t.Errorf("a second run changed deadlines:\n%s\n%s", stamp1, stamp2)
	}

	got, total, err := db.FindDeadlines(ctx, fundhub.FullScope(), fundhub.DeadlineFilter{},
		fundhub.Page{})
	if err != nil || total != first.Deadlines || total < 4 {
		t.Fatalf("deadlines: %d of %d, %v", total, first.Deadlines, err)
	}
	for _, d := range got {
		if d.Key == "PASS_ON:allocation:1" && (d.State != fundhub.DeadlineMet ||
			d.DueOn.Format(time.DateOnly) != "2024-04-07") {
			t.Errorf("passing on: %+v, want met, due 2024-04-07", d)
		}
	}

	// While another replica's run holds the lock, this one does nothing.
	tx, err := db.SQL().Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`SELECT pg_advisory_xact_lock(hashtext('fundhub:monitor'))`); err != nil {
		t.Fatal(err)
	}
	if res, err := e.Run(ctx); err != nil || res.Ran {
		t.Errorf("a run while another holds the lock: %+v %v, want not run", res, err)
	}
}

func TestDB_RulesRaiseOnceAndCloseWhenCleared(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	_, err := db.SQL().Exec(`
		INSERT INTO funds (id, name, year, category, direction, owner_region)
		VALUES (1, '地质灾害防治资金', 2024, 'CENTRAL', 'GEOHAZARD', '100000');
		INSERT INTO allocations (id, fund_id, from_region, to_region, amount, source,
			issued_on, received_on)
		VALUES (1, 1, '330000', '330106', 2000000, 'CENTRAL_TRANSFER', '2024-02-20',
			'2024-03-01');`)
	if err != nil {
		t.Fatal(err)
	}
	e := &monitor.Engine{Store: db,
		Now: func() time.Time { return time.Date(2024, 7, 1, 9, 0, 0, 0, time.UTC) }}

	// Two replicas at once: whether the second finds the lock taken or runs
	// after the first, each problem is raised once.
	results := make(chan fundhub.MonitorResult, 2)
	for range 2 {
		go func() {
			res, err := e.Run(ctx)
			if err != nil {
				t.Error(err)
			}
			results <- res
		}()
	}
	r1, r2 := <-results, <-results
	var n, all int
	pgtest.Get(t, db, &n, `SELECT count(*) FROM problems WHERE rule = 'slow_payment'`)
	pgtest.Get(t, db, &all, `SELECT count(*) FROM problems`)
	if r1.Raised+r2.Raised != all || n != 1 {
		t.Fatalf("two runs at once: %+v and %+v, %d problems, %d of slow payment; want "+
			"one run raising each once", r1, r2, all, n)
	}

	if res, err := e.Run(ctx); err != nil || res.Raised != 0 {
		t.Errorf("a second run: %+v %v, want nothing raised", res, err)
	}

	// Paying catches up with time: the rule closes its problem with a note.
	if _, err := db.SQL().Exec(`INSERT INTO payments (allocation_id, region_code, amount,
		paid_on) VALUES (1, '330106', 1200000, '2024-06-28')`); err != nil {
		t.Fatal(err)
	}
	res, err := e.Run(ctx)
	var status, note string
	pgtest.Get(t, db, &status, `SELECT status FROM problems WHERE rule = 'slow_payment'`)
	pgtest.Get(t, db, &note, `SELECT resolution_note FROM problems WHERE rule = 'slow_payment'`)
	if err != nil || res.Closed != 1 || status != "CLOSED" || note == "" {
		t.Errorf("after paying: %+v %v, problem %s (%q); want it closed with a note",
			res, err, status, note)
	}
	var audits int
	pgtest.Get(t, db, &audits, `SELECT count(*) FROM audit_log
		WHERE actor = 'rule:slow_payment' AND action IN ('problem.raise', 'problem.close')`)
	if audits != 2 {
		t.Errorf("audit records of the rule: %d, want 2", audits)
	}
}
