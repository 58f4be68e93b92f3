package connectors_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"fundhub"
	"fundhub/connectors"
	"fundhub/postgres"
	"fundhub/postgres/pgtest"
	"fundhub/tools/financesim"
)

// financeIndicators declares an http connector over the stand-in finance
// system's budget indicators, with pages of 50 and a fast backoff.
func financeIndicators(t *testing.T, db *postgres.DB, url string) *fundhub.Connector {
	t.Helper()
	return financeIndicatorsRetrying(t, db, url, 3)
}

// financeIndicatorsRetrying is financeIndicators with the given retries; -1
// makes one attempt only.
func financeIndicatorsRetrying(t *testing.T, db *postgres.DB, url string,
	retries int) *fundhub.Connector {
	t.Helper()
	cfg := &connectors.Config{Name: "finance", Kind: "http",
		HTTP: &connectors.HTTPConfig{
			URL:     url + financesim.IndicatorsPath,
			Records: "data.items",
			Paging:  connectors.HTTPPaging{Mode: "page", Size: 50},
			Incremental: &connectors.Incremental{TimeField: "updated_at", KeyField: "id",
				SinceParam: "updated_since"},
			Auth:    &connectors.HTTPAuth{TokenEnv: "FINANCE_TEST_TOKEN"},
			Retries: retries, Backoff: connectors.Duration(1e6),
		},
		Mapping: connectors.Mapping{Entity: "allocation", Key: []string{"id"},
			Deleted: &connectors.DeletedRule{Column: "is_deleted", Values: []string{"1"}},
			Fields: map[string]connectors.Field{
				"fund": {Column: "fund_name"}, "year": {Column: "year"},
				"category": {Column: "category",
					Map: map[string]string{"中央": "CENTRAL", "地方": "LOCAL"}},
				"direction": {Column: "fund_name", Otherwise: "ECO_RESTORATION",
					Match: []connectors.MatchRule{{Contains: "救灾", Value: "DISASTER_RELIEF"},
						{Contains: "地质灾害", Value: "GEOHAZARD"}}},
				"source": {Column: "source", Map: map[string]string{
					"中央财政直接下达": "CENTRAL_TRANSFER", "省级财政筹措": "PROVINCE_MATCH",
					"市级财政筹措": "CITY_MATCH"}},
				"from_region": {Column: "from_region_code"}, "to_region": {Column: "to_region_code"},
				"amount": {Column: "amount"}, "document_no": {Column: "doc_no"},
			}},
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	c, err := cfg.Connector()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SaveConnector(context.Background(), c); err != nil {
		t.Fatal(err)
	}

	return c
}

// financeSim starts the stand-in finance system on loopback.
func financeSim(t *testing.T) (*financesim.Sim, string) {
	t.Helper()
	t.Setenv("FINANCE_TEST_TOKEN", "s3cret-token")
	sim := financesim.New(financesim.Options{Seed: 7, Indicators: 300, Token: "s3cret-token"})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)

	return sim, srv.URL
}

func countAllocationSources(t *testing.T, db *postgres.DB) int {
	t.Helper()
	var n int
	pgtest.Get(t, db, &n, `SELECT count(*) FROM allocation_sources
		WHERE source_system = 'finance'`)

	return n
}

func TestRemote_DroppedConnectionKeepsCursorAndResumes(t *testing.T) {
	db := pgtest.New(t)
	sim, url := financeSim(t)
	c := financeIndicatorsRetrying(t, db, url, -1)
	sim.DropAfterPages(2)

	first, err := newRunner(db).Run(context.Background(), c, "test")
	if err != nil {
		t.Fatal(err)
	}
	if first.Status != fundhub.RunFailed {
		t.Fatalf("first run: got %s, want FAILED when the connection drops", first.Status)
	}
	loaded := countAllocationSources(t, db)
	if loaded < 90 || loaded > 100 {
		t.Errorf("after the drop: got %d records, want the two committed pages' records",
			loaded)
	}

	second := runOK(t, newRunner(db), c)
	again := runOK(t, newRunner(db), c)
	var dups int
	pgtest.Get(t, db, &dups, `SELECT count(*) FROM (SELECT external_id FROM allocation_sources
		GROUP BY source_system, external_id HAVING count(*) > 1) d`)
	if total := countAllocationSources(t, db); total < 280 || dups != 0 {
		t.Errorf("after resuming: got %d records and %d duplicates, want all and none",
			total, dups)
	}
	if second.Read != 300-loaded || again.Read != 0 {
		t.Errorf("reads: got %d then %d, want the %d not yet loaded, then none",
			second.Read, again.Read, 300-loaded)
	}
}

func TestRemote_RetriesA503AndStopsOnA401(t *testing.T) {
	db := pgtest.New(t)
	sim, url := financeSim(t)
	c := financeIndicators(t, db, url)

	sim.FailNext(2, 503)
	runOK(t, newRunner(db), c)

	t.Setenv("FINANCE_TEST_TOKEN", "wrong")
	sim.Update("ZB000001", func(r map[string]any) { r["amount"] = "1.00" })
	run, err := newRunner(db).Run(context.Background(), c, "test")
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != fundhub.RunFailed || run.Error == nil ||
		!strings.Contains(*run.Error, "FINANCE_TEST_TOKEN") ||
		strings.Contains(*run.Error, "wrong") {
		t.Errorf("with a bad token: got %s %v, want FAILED naming the variable, not the token",
			run.Status, run.Error)
	}
}

func TestRemote_MalformedRecordsAreRejectedTheRestLands(t *testing.T) {
	db := pgtest.New(t)
	sim, url := financeSim(t)
	c := financeIndicators(t, db, url)
	sim.MalformNext()

	run := runOK(t, newRunner(db), c)
	if run.Rejected < 2 || run.Inserted < 250 {
		t.Errorf("counts: got %+v, want the two malformed records rejected and the rest in",
			run.RunCounts)
	}
}

func TestRemote_ChangeAtTheSourceIsUpdatedAndAudited(t *testing.T) {
	db := pgtest.New(t)
	sim, url := financeSim(t)
	c := financeIndicators(t, db, url)
	runOK(t, newRunner(db), c)
	if again := runOK(t, newRunner(db), c); again.Read != 0 || again.Updated != 0 {
		t.Errorf("re-run over unchanged data: got %+v, want nothing read or updated",
			again.RunCounts)
	}

	if err := sim.Update("ZB000002", func(r map[string]any) { r["amount"] = "123.45" }); err != nil {
		t.Fatal(err)
	}
	run := runOK(t, newRunner(db), c)

	var amount, before string
	pgtest.Get(t, db, &amount, `SELECT amount::text FROM allocation_sources
		WHERE external_id = 'ZB000002'`)
	pgtest.Get(t, db, &before, `SELECT before->>'amount' FROM audit_log
		WHERE entity = 'allocation' AND entity_id = 'ZB000002' AND after->>'amount' = '123.45'`)
	if run.Updated != 1 || amount != "123.45" || before == "" {
		t.Errorf("got %d updated, amount %s, audited before %q; want 1, 123.45, the old amount",
			run.Updated, amount, before)
	}
}
