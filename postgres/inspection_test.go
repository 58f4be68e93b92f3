package postgres_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"fundhub"
	"fundhub/postgres/pgtest"
)

// openGuard lets its caller, a ministry official, do anything: the store
// tests check what the store does once access is granted.
type openGuard struct{}

func (openGuard) Allow(string, string, fundhub.Direction) error         { return nil }
func (openGuard) Permits(string, string, fundhub.Direction) bool        { return true }
func (openGuard) AllowAbove(string, string, fundhub.Direction) error    { return nil }
func (openGuard) AllowOwn(string, string, fundhub.Direction) error      { return nil }
func (openGuard) AllowProvince(string, string, fundhub.Direction) error { return nil }
func (openGuard) Conceal(_, _ string, missing error) error              { return missing }
func (openGuard) Caller() *fundhub.Caller {
	return &fundhub.Caller{UserID: 0, Username: "inspector", RegionCode: "100000"}
}

func TestDB_InspectionFindsEachDefect(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	_, err := db.SQL().Exec(`
		WITH u AS (INSERT INTO units (full_name, region_code, department_kind)
			VALUES ('自然资源部', '100000', 'MINISTRY_SUPPORT') RETURNING id)
		INSERT INTO users (id, username, display_name, unit_id, password_hash, created_by)
		SELECT 0, 'inspector', 'x', u.id, 'x', 'test' FROM u;
		INSERT INTO funds (id, name, year, category, direction, owner_region)
		VALUES (1, '生态修复', 2024, 'CENTRAL', 'ECO_RESTORATION', '100000');
		INSERT INTO approval_documents (id, doc_no) VALUES (1, '财资环〔2024〕12号'),
			(2, '浙财资环2024-3');
		INSERT INTO projects (id, name, region_code, direction, reserve_status) VALUES
			(1, '未入库项目', '330106', 'ECO_RESTORATION', 'APPLIED'),
			(2, '入库项目', '330106', 'ECO_RESTORATION', 'IN_PROGRESS');
		INSERT INTO allocations (id, fund_id, from_region, to_region, amount, source,
			document_id, project_id) VALUES
			(1, 1, '100000', '330000', 1000, 'CENTRAL_TRANSFER', 1, NULL),
			(2, 1, '330000', '330106', 500, 'CENTRAL_TRANSFER', 2, 1),
			(3, 1, '330000', '330108', 300, 'CENTRAL_TRANSFER', NULL, NULL);
		UPDATE allocations SET parent_id = 1 WHERE id IN (2, 3);
		INSERT INTO performance_targets (id, allocation_id, region_code, fund_id, year,
			indicator, unit, target_value) VALUES
			(1, 1, '330000', 1, 2024, '修复面积', '公顷', 100),
			(2, 2, '330106', 1, 2024, '修复面积', '公顷', 50),
			(3, NULL, '330106', 1, 2024, '治理点', '处', NULL);
		INSERT INTO payments (allocation_id, region_code, amount, paid_on) VALUES
			(2, '330106', 10, '2099-01-01');
		INSERT INTO execution_reports (id, region_code, year, quarter, status)
		VALUES (1, '330106', 2024, 4, 'SUBMITTED');
		INSERT INTO report_lines (report_id, target_id, actual_value, unit)
		VALUES (1, 2, 40, '公顷');`)
	if err != nil {
		t.Fatal(err)
	}

	if _, err := db.RecordEvaluation(ctx, openGuard{}, fundhub.EvaluationInput{TargetID: 2,
		Value: decimal.NewFromInt(30), EvaluatedOn: time.Date(2025, 3, 1, 0, 0, 0, 0,
			time.UTC)}); err != nil {
		t.Fatal(err)
	}
	run, err := db.RunInspection(ctx, openGuard{}, fundhub.InspectionInput{
		RegionCode: "330000", Year: 2024})
	if err != nil {
		t.Fatal(err)
	}
	got, total, err := db.FindInspectionFindings(ctx, fundhub.FullScope(), run.ID, nil,
		fundhub.Page{First: 100})
	if err != nil || total != run.FindingCount {
		t.Fatalf("findings: %d of %d, %v", total, run.FindingCount, err)
	}
	var checks []string
	for _, f := range got {
		checks = append(checks, f.Check)
	}
	for _, want := range []string{"allocation_outside_reserve", "allocation_without_document",
		"malformed_document_number", "money_without_targets", "targets_without_money",
		"target_not_quantified", "payment_in_future", "report_missing",
		"actual_differs_from_evaluation"} {
		if !slices.Contains(checks, want) {
			t.Errorf("no %s finding among %v", want, checks)
		}
	}
	if slices.Contains(checks, "actual_far_above_target") {
		t.Errorf("a check fired with nothing to find: %v", checks)
	}
}

func TestDB_SpotChecksAreReproducibleFromTheSeed(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	_, err := db.SQL().Exec(`
		WITH u AS (INSERT INTO units (full_name, region_code, department_kind)
			VALUES ('自然资源部', '100000', 'MINISTRY_SUPPORT') RETURNING id)
		INSERT INTO users (id, username, display_name, unit_id, password_hash, created_by)
		SELECT 0, 'inspector', 'x', u.id, 'x', 'test' FROM u;
		INSERT INTO projects (name, region_code, direction, reserve_status)
		SELECT '项目' || g, '330106', 'ECO_RESTORATION', 'IN_PROGRESS'
		FROM generate_series(1, 60) g;
		INSERT INTO performance_targets (project_id, region_code, year, indicator)
		SELECT id, '330106', 2024, '指标' FROM projects;`)
	if err != nil {
		t.Fatal(err)
	}
	sample := func(seed int64) []int64 {
		n := 10
		run, err := db.RunInspection(ctx, openGuard{}, fundhub.InspectionInput{
			RegionCode: "330000", Year: 2024, SampleSize: &n, Seed: &seed})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		pgtest.Select(t, db, &ids, `SELECT DISTINCT project_id FROM inspection_findings
			WHERE run_id = $1 AND check_name = 'target_not_quantified' ORDER BY 1`, run.ID)
		return ids
	}

	a, b, c := sample(42), sample(42), sample(7)
	if len(a) != 10 || !slices.Equal(a, b) {
		t.Errorf("seed 42 twice: %v and %v, want the same 10 projects", a, b)
	}
	if slices.Equal(a, c) {
		t.Errorf("seeds 42 and 7 drew the same sample %v", a)
	}
}
