package postgres_test

import (
	"context"
	"sync"
	"testing"

	"fundhub/postgres"
	"fundhub/postgres/pgtest"
)

// flowsDrift lists the keys where the trigger-kept payment_flows differ
// from summing the payments afresh.
func flowsDrift(t *testing.T, db *postgres.DB) []string {
	t.Helper()
	var drift []string
	pgtest.Select(t, db, &drift, `
		WITH fresh AS (SELECT fund_id, project_direction, source, region_code, year,
				quarter, sum(amount) AS amount, count(*) AS payments
			FROM payment_flow_keys GROUP BY 1, 2, 3, 4, 5, 6),
		kept AS (SELECT * FROM payment_flows WHERE amount <> 0 OR payments <> 0)
		SELECT concat_ws('|', COALESCE(f.fund_id, k.fund_id), COALESCE(f.source, k.source),
			COALESCE(f.region_code, k.region_code), COALESCE(f.year, k.year),
			COALESCE(f.quarter, k.quarter), f.amount, k.amount, f.payments, k.payments)
		FROM fresh f FULL JOIN kept k USING (fund_id, project_direction, source,
			region_code, year, quarter)
		WHERE f.amount IS DISTINCT FROM k.amount OR f.payments IS DISTINCT FROM k.payments`)

	return drift
}

func TestDB_PaymentFlowsFollowEveryChange(t *testing.T) {
	db := pgtest.New(t)
	pgtest.SeedAnalysis(t, db)

	for _, step := range []struct{ name, sql string }{
		{"a batch of payments", `INSERT INTO payments (allocation_id, project_id,
			region_code, amount, paid_on) SELECT 9, 1, '330106', g * 1.01,
			date '2024-01-01' + g FROM generate_series(1, 200) g`},
		{"amounts corrected", `UPDATE payments SET amount = amount + 1 WHERE id % 3 = 0`},
		{"a payment moved to another quarter and source",
			`UPDATE payments SET paid_on = '2024-11-11', source = 'COUNTY_MATCH' WHERE id = 1`},
		{"withdrawn at the source", `UPDATE payments SET withdrawn = true WHERE id % 7 = 0`},
		{"brought back", `UPDATE payments SET withdrawn = false WHERE id = 14`},
		{"moved to another allocation", `UPDATE payments SET allocation_id = 5 WHERE id = 20`},
		{"deleted", `DELETE FROM payments WHERE id > 150`},
		{"the allocation's fund changed", `UPDATE allocations SET fund_id = 3 WHERE id = 9`},
		{"the allocation's source changed",
			`UPDATE allocations SET source = 'PROVINCE_MATCH' WHERE id = 5`},
		{"the project's direction changed",
			`UPDATE projects SET direction = 'GEOHAZARD' WHERE id = 1`},
		{"nothing changed but the sync time", `UPDATE payments SET last_synced_at = now()`},
	} {
		if _, err := db.SQL().Exec(step.sql); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if d := flowsDrift(t, db); len(d) > 0 {
			t.Fatalf("after %s, payment_flows drift: %v", step.name, d)
		}
	}
}

func TestDB_PaymentFlowsStayExactUnderConcurrentWriters(t *testing.T) {
	db := pgtest.New(t)
	pgtest.SeedAnalysis(t, db)
	ctx := context.Background()

	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Every writer touches the same keys, in different orders.
			for i := range 20 {
				_, err := db.SQL().ExecContext(ctx, `INSERT INTO payments (allocation_id,
					region_code, amount, paid_on) VALUES (9, '330106', 1.00, $1),
					(5, '330106', 2.00, $2)`,
					[]string{"2024-02-01", "2024-05-01"}[(w+i)%2],
					[]string{"2024-05-01", "2024-02-01"}[(w+i)%2])
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if d := flowsDrift(t, db); len(d) > 0 {
		t.Fatalf("payment_flows drift: %v", d)
	}
}
