package connectors_test

import (
	"context"
	"encoding/csv"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"fundhub"
	"fundhub/connectors"
	"fundhub/connectors/source"
	"fundhub/postgres"
	"fundhub/postgres/pgtest"
)

// declare loads the demo connector declarations, pointing their folders at
// dir when it is not empty, and saves them.
func declare(t *testing.T, db *postgres.DB, dir string) map[string]*fundhub.Connector {
	t.Helper()
	cfgs, err := connectors.LoadConfigFile("../demo/connectors.yaml")
	if err != nil {
		t.Fatal(err)
	}

	out := map[string]*fundhub.Connector{}
	for _, cfg := range cfgs {
		if cfg.Kind != "file" {
			continue // the demo's live connectors need the stand-in systems
		}
		if dir != "" {
			cfg.File.Dir = dir
		}
		c, err := cfg.Connector()
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SaveConnector(context.Background(), c); err != nil {
			t.Fatal(err)
		}
		out[c.Name] = c
	}

	return out
}

func newRunner(db *postgres.DB) *connectors.Runner {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	return &connectors.Runner{Store: db, Open: source.Open, Regions: db.AllRegions, Logger: logger}
}

func runOK(t *testing.T, r *connectors.Runner, c *fundhub.Connector) *fundhub.SyncRun {
	t.Helper()
	run, err := r.Run(context.Background(), c, "test")
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != fundhub.RunSucceeded {
		t.Fatalf("run of %s: got status %s (%v), want SUCCEEDED", c.Name, run.Status, run.Error)
	}

	return run
}

// published reads allocations.csv: yuan by fund, year and recipient code.
func published(t *testing.T) map[string]decimal.Decimal {
	t.Helper()
	f, err := os.Open("../demo/funds/allocations.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}

	out := map[string]decimal.Decimal{}
	for _, r := range recs[1:] {
		wan := decimal.RequireFromString(r[5])
		key := r[0] + "|" + r[1] + "|" + r[4]
		out[key] = out[key].Add(wan.Mul(decimal.NewFromInt(10000)))
	}

	return out
}

func TestRunner_PublishedAllocationsMatchExactly(t *testing.T) {
	db := pgtest.New(t)
	cs := declare(t, db, "")
	r := newRunner(db)

	first := runOK(t, r, cs["published-allocations"])
	if first.Inserted != 37 || first.Rejected != 0 {
		t.Errorf("first run: got %d inserted, %d rejected, want 37 and 0", first.Inserted, first.Rejected)
	}

	var rows []struct {
		Key    string          `db:"key"`
		Amount decimal.Decimal `db:"amount"`
	}
	err := db.SQL().Select(&rows, `SELECT f.name || '|' || f.year || '|' || a.to_region AS key,
		sum(a.amount) AS amount FROM allocations a JOIN funds f ON f.id = a.fund_id
		GROUP BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	want := published(t)
	if len(rows) != len(want) {
		t.Errorf("groups: got %d, want %d", len(rows), len(want))
	}
	for _, row := range rows {
		if w, ok := want[row.Key]; !ok || !w.Equal(row.Amount) {
			t.Errorf("%s: got %s yuan, want %s", row.Key, row.Amount, w)
		}
	}
}

func TestRunner_SecondRunChangesNothing(t *testing.T) {
	db := pgtest.New(t)
	cs := declare(t, db, "")
	r := newRunner(db)

	names := []string{"published-allocations", "eco-zone-table-2020", "published-targets"}
	for _, name := range names {
		runOK(t, r, cs[name])
		again := runOK(t, r, cs[name])
		if again.Inserted != 0 || again.Updated != 0 {
			t.Errorf("%s second run: got %d inserted, %d updated, want 0 and 0",
				name, again.Inserted, again.Updated)
		}
		if again.Unchanged == 0 {
			t.Errorf("%s second run: got 0 unchanged, want the first run's rows", name)
		}
	}
}

func TestRunner_TwoSourcesOneAllocation(t *testing.T) {
	db := pgtest.New(t)
	cs := declare(t, db, "")
	r := newRunner(db)

	runOK(t, r, cs["published-allocations"])
	eco := runOK(t, r, cs["eco-zone-table-2020"])

	// 地方合计 is a total row; 宁波, 厦门, 青岛 and 深圳 are listed without figures.
	if eco.Skipped != 5 || eco.Rejected != 0 || eco.Inserted != 27 {
		t.Errorf("eco table run: got %+v, want 27 inserted, 5 skipped, 0 rejected", eco.RunCounts)
	}
	var allocations, twoSources, conflicts int
	pgtest.Get(t, db, &allocations, `SELECT count(*) FROM allocations`)
	pgtest.Get(t, db, &twoSources, `SELECT count(*) FROM (SELECT allocation_id FROM
		allocation_sources GROUP BY 1 HAVING count(*) = 2) s`)
	pgtest.Get(t, db, &conflicts, `SELECT count(*) FROM allocations WHERE conflict`)
	if allocations != 37 || twoSources != 27 || conflicts != 0 {
		t.Errorf("got %d allocations, %d with two sources, %d conflicts; want 37, 27, 0",
			allocations, twoSources, conflicts)
	}
}

// copyDemo copies the demo fund files to a temporary folder, applying edit
// to the named file's text.
func copyDemo(t *testing.T, name string, edit func(string) string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"allocations.csv", "eco_function_zone_transfer_2020.csv",
		"performance_targets.csv"} {
		b, err := os.ReadFile(filepath.Join("../demo/funds", f))
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		if f == name {
			text = edit(text)
		}
		if err := os.WriteFile(filepath.Join(dir, f), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	return dir
}

func TestRunner_SourceDisagreementIsReported(t *testing.T) {
	db := pgtest.New(t)
	dir := copyDemo(t, "eco_function_zone_transfer_2020.csv", func(s string) string {
		return strings.Replace(s, "北京市,110000,1.98,", "北京市,110000,1.99,", 1)
	})
	cs := declare(t, db, dir)
	r := newRunner(db)

	runOK(t, r, cs["published-allocations"])
	runOK(t, r, cs["eco-zone-table-2020"])

	var a struct {
		Amount   decimal.Decimal `db:"amount"`
		Conflict bool            `db:"conflict"`
	}
	if err := db.SQL().Get(&a, `SELECT amount, conflict FROM allocations
		WHERE to_region = '110000'`); err != nil {
		t.Fatal(err)
	}
	if !a.Conflict || !a.Amount.Equal(decimal.RequireFromString("198000000")) {
		t.Errorf("Beijing: got %s conflict=%v, want 198000000 (first source) conflict=true",
			a.Amount, a.Conflict)
	}
	var detail string
	if err := db.SQL().Get(&detail, `SELECT detail FROM problems
		WHERE rule = 'source_disagreement' AND status = 'OPEN'`); err != nil {
		t.Fatalf("no open disagreement problem: %v", err)
	}
	for _, want := range []string{"198000000.00", "199000000.00"} {
		if !strings.Contains(detail, want) {
			t.Errorf("problem detail %q does not name %s", detail, want)
		}
	}
}

func TestRunner_DisagreementClearsWhenSourcesAgree(t *testing.T) {
	db := pgtest.New(t)
	dir := copyDemo(t, "eco_function_zone_transfer_2020.csv", func(s string) string {
		return strings.Replace(s, "北京市,110000,1.98,", "北京市,110000,1.99,", 1)
	})
	cs := declare(t, db, dir)
	r := newRunner(db)
	runOK(t, r, cs["published-allocations"])
	runOK(t, r, cs["eco-zone-table-2020"])

	fixed := copyDemo(t, "", nil)
	cs = declare(t, db, fixed)
	again := runOK(t, r, cs["eco-zone-table-2020"])

	var conflicts int
	var status string
	pgtest.Get(t, db, &conflicts, `SELECT count(*) FROM allocations WHERE conflict`)
	pgtest.Get(t, db, &status, `SELECT status FROM problems WHERE rule = 'source_disagreement'`)
	if again.Updated != 1 || conflicts != 0 || status != "RESOLVED" {
		t.Errorf("got %d updated, %d conflicts, problem %s; want 1, 0, RESOLVED",
			again.Updated, conflicts, status)
	}
}
