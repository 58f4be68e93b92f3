package postgres_test

import (
	"testing"

	"fundhub/postgres"
	"fundhub/postgres/pgtest"
)

// targetDrift lists, for the quarters given by index, the funds and regions
// where target_flows' sums differ from the targets' completion worked out
// afresh from their report lines.
func targetDrift(t *testing.T, db *postgres.DB, quarters ...int) []string {
	t.Helper()
	var drift []string
	for _, q := range quarters {
		var d []string
		pgtest.Select(t, db, &d, `
		WITH fresh AS (SELECT COALESCE(t.fund_id, ta.fund_id) AS fund_id, t.region_code,
				count(*) AS targets,
				sum(LEAST(COALESCE(act.value, 0) / t.target_value, 1)) AS completion
			FROM performance_targets t LEFT JOIN allocations ta ON ta.id = t.allocation_id
			LEFT JOIN LATERAL (SELECT rl.actual_value AS value FROM report_lines rl
				JOIN execution_reports er ON er.id = rl.report_id
				WHERE rl.target_id = t.id AND rl.actual_value IS NOT NULL
					AND NOT rl.withdrawn AND er.year * 4 + er.quarter - 1 <= $1
				ORDER BY er.year DESC, er.quarter DESC, rl.id DESC LIMIT 1) act ON true
			WHERE NOT t.withdrawn AND t.target_value > 0
				AND (t.comparator IS NULL OR t.comparator IN ('>=', '>', '=', '~'))
				AND COALESCE(t.fund_id, ta.fund_id) IS NOT NULL
				AND NOT EXISTS (SELECT 1 FROM performance_targets c WHERE c.parent_id = t.id)
			GROUP BY 1, 2),
		kept AS (SELECT fund_id, region_code, sum(targets) AS targets,
				sum(completion) AS completion
			FROM target_flows WHERE quarter_index <= $1 GROUP BY 1, 2
			HAVING sum(targets) <> 0 OR sum(completion) <> 0)
		SELECT concat_ws('|', $1, COALESCE(f.fund_id, k.fund_id),
			COALESCE(f.region_code, k.region_code), f.targets, k.targets, f.completion,
			k.completion)
		FROM fresh f FULL JOIN kept k USING (fund_id, region_code)
		WHERE f.targets IS DISTINCT FROM k.targets
			OR f.completion IS DISTINCT FROM k.completion`, q)
		drift = append(drift, d...)
	}

	return drift
}

func TestDB_TargetFlowsFollowEveryChange(t *testing.T) {
	db := pgtest.New(t)
	pgtest.SeedAnalysis(t, db)
	// 2024 Q1 to Q4 and a year later, as indexes.
	quarters := []int{8096, 8097, 8098, 8099, 8103}

	for _, step := range []struct{ name, sql string }{
		{"as seeded", `SELECT 1`},
		{"a later quarter reported", `INSERT INTO execution_reports (id, region_code, year,
			quarter) VALUES (10, '330106', 2024, 4);
			INSERT INTO report_lines (report_id, target_id, actual_value) VALUES (10, 4, 8)`},
		{"a value corrected", `UPDATE report_lines SET actual_value = 9
			WHERE report_id = 10 AND target_id = 4`},
		{"the latest withdrawn", `UPDATE report_lines SET withdrawn = true
			WHERE report_id = 10`},
		{"a line moved to another target", `UPDATE report_lines SET target_id = 3
			WHERE report_id = 1 AND target_id = 2`},
		{"lines deleted", `DELETE FROM report_lines WHERE target_id = 3`},
		{"a target's value changed", `UPDATE performance_targets SET target_value = 20
			WHERE id = 4`},
		{"a leaf decomposed further", `INSERT INTO performance_targets (id, fund_id,
			region_code, year, parent_id, indicator, unit, comparator, target_value)
			VALUES (5, 2, '330106', 2024, 4, '治理隐患点', '处', '>=', 4)`},
		{"the part reported", `INSERT INTO report_lines (report_id, target_id, actual_value)
			VALUES (2, 5, 3)`},
		{"the part withdrawn", `UPDATE performance_targets SET withdrawn = true WHERE id = 5`},
		{"a ceiling, not a target to reach", `UPDATE performance_targets
			SET comparator = '<=' WHERE id = 3`},
		{"a target of an allocation whose fund changed", `
			INSERT INTO performance_targets (id, allocation_id, region_code, year, indicator,
				comparator, target_value) VALUES (6, 9, '330106', 2024, '面积', '>=', 10);
			INSERT INTO report_lines (report_id, target_id, actual_value) VALUES (1, 6, 4);
			UPDATE allocations SET fund_id = 3 WHERE id = 9`},
		{"a target deleted", `DELETE FROM report_lines WHERE target_id = 6;
			DELETE FROM performance_targets WHERE id = 6`},
	} {
		if _, err := db.SQL().Exec(step.sql); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if d := targetDrift(t, db, quarters...); len(d) > 0 {
			t.Fatalf("after %s, target_flows drift: %v", step.name, d)
		}
	}
}
