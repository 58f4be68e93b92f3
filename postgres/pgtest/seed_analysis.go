package pgtest

import (
	"testing"

	"fundhub/postgres"
)

// SeedAnalysis adds a small year of money whose figures the analysis tests
// work out by hand: a central fund of 2024 passed 100000→330000→330100→
// 330106→a project, with 300 more to 330500; a provincial fund of Zhejiang
// sent to 330106; Liaoning's 800; the 2023 fund for year-on-year; payments
// with a refund, a withdrawn one and one after June; a decomposed target
// and reported values in 2024 Q2 and Q3.
func SeedAnalysis(tb testing.TB, db *postgres.DB) {
	tb.Helper()
	if _, err := db.SQL().Exec(analysisSeed); err != nil {
		tb.Fatalf("seeding the analysis data: %v", err)
	}
}

const analysisSeed = `
	INSERT INTO funds (id, name, year, category, local_level, direction, owner_region) VALUES
		(1, '生态修复 2024', 2024, 'CENTRAL', NULL, 'ECO_RESTORATION', '100000'),
		(2, '浙江地灾 2024', 2024, 'LOCAL', 'PROVINCE', 'GEOHAZARD', '330000'),
		(3, '生态修复 2023', 2023, 'CENTRAL', NULL, 'ECO_RESTORATION', '100000');
	INSERT INTO projects (id, name, region_code, direction, planned_investment) VALUES
		(1, '西湖区矿山修复', '330106', 'ECO_RESTORATION', 300);
	INSERT INTO allocations (id, fund_id, from_region, to_region, project_id, amount,
		source, issued_on, received_on, parent_id) VALUES
		(1, 1, '100000', '330000', NULL, 1000, 'CENTRAL_TRANSFER',
			'2024-02-10', '2024-02-20', NULL),
		(2, 1, '330000', '330100', NULL, 600, 'CENTRAL_TRANSFER',
			'2024-03-01', '2024-03-05', 1),
		(3, 1, '330100', '330106', NULL, 400, 'CENTRAL_TRANSFER',
			'2024-04-10', '2024-04-15', 2),
		(4, 1, '330000', '330500', NULL, 300, 'CENTRAL_TRANSFER', '2024-05-01', NULL, 1),
		(5, 2, '330000', '330106', NULL, 250, 'PROVINCE_MATCH',
			'2024-03-15', '2024-03-20', NULL),
		(6, 1, '100000', '210000', NULL, 800, 'CENTRAL_TRANSFER',
			'2024-02-10', '2024-02-25', NULL),
		(7, 3, '100000', '330000', NULL, 500, 'CENTRAL_TRANSFER',
			'2023-03-01', '2023-03-10', NULL),
		(8, 3, '330000', '330106', NULL, 500, 'CENTRAL_TRANSFER',
			'2023-04-01', '2023-04-05', 7),
		(9, 1, '330106', '330106', 1, 300, 'CENTRAL_TRANSFER',
			'2024-04-20', '2024-04-20', 3);
	INSERT INTO payments (id, allocation_id, project_id, region_code, amount, paid_on,
		reverses_id, withdrawn) VALUES
		(1, 9, 1, '330106', 100, '2024-05-10', NULL, false),
		(2, 9, 1, '330106', 50, '2024-07-01', NULL, false),
		(3, 5, NULL, '330106', 125, '2024-06-30', NULL, false),
		(4, 6, NULL, '210000', 200, '2024-03-31', NULL, false),
		(5, 8, NULL, '330106', 250, '2023-06-15', NULL, false),
		(6, 4, NULL, '330500', 30, '2024-06-01', NULL, true),
		(7, 5, NULL, '330106', -25, '2024-06-30', 3, false);
	INSERT INTO performance_targets (id, fund_id, region_code, year, parent_id, indicator,
		unit, comparator, target_value) VALUES
		(1, 1, '330000', 2024, NULL, '治理面积', '公顷', '>=', 100),
		(2, 1, '330106', 2024, 1, '治理面积', '公顷', '>=', 60),
		(3, 1, '330500', 2024, 1, '治理面积', '公顷', '>=', 40),
		(4, 2, '330106', 2024, NULL, '治理隐患点', '处', '>=', 10);
	INSERT INTO execution_reports (id, region_code, year, quarter) VALUES
		(1, '330106', 2024, 2), (2, '330106', 2024, 3), (3, '330500', 2024, 2);
	INSERT INTO report_lines (report_id, target_id, actual_value) VALUES
		(1, 2, 30), (2, 2, 90), (1, 4, 5), (3, 3, 10);
	SELECT setval(pg_get_serial_sequence(t, 'id'), 1000)
	FROM unnest(ARRAY['funds', 'projects', 'allocations', 'payments',
		'performance_targets', 'execution_reports']) t;
`
