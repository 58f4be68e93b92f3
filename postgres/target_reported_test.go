package postgres_test

import (
	"testing"

	"fundhub/postgres/pgtest"
)

func TestDB_TargetsKeepTheirLatestReportedValue(t *testing.T) {
	db := pgtest.New(t)
	pgtest.SeedAnalysis(t, db)

	// Each step, then every target's kept value against its lines read
	// afresh.
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
	} {
		if _, err := db.SQL().Exec(step.sql); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		var drift []string
		pgtest.Select(t, db, &drift, `SELECT t.id || ': kept ' ||
				COALESCE(t.reported_value::text, '-') || ', lines ' ||
				COALESCE(l.actual_value::text, '-')
			FROM performance_targets t LEFT JOIN LATERAL (SELECT rl.actual_value,
				er.year * 4 + er.quarter - 1 AS idx FROM report_lines rl
				JOIN execution_reports er ON er.id = rl.report_id
				WHERE rl.target_id = t.id AND rl.actual_value IS NOT NULL AND NOT rl.withdrawn
				ORDER BY er.year DESC, er.quarter DESC, rl.id DESC LIMIT 1) l ON true
			WHERE t.reported_value IS DISTINCT FROM l.actual_value
				OR t.reported_index IS DISTINCT FROM l.idx`)
		if len(drift) > 0 {
			t.Errorf("after %s: %v", step.name, drift)
		}
	}
}
