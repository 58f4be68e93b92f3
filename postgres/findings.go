package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"fundhub"
)

// storeFindings raises a problem per finding not raised before (its key
// is the problem's dedup key; existing ones take no new id), updates the
// severity and explanation of those still open, reopens those the rule
// itself closed, and closes the open problems of rules whose finding is
// gone. Raising, reopening and closing are audited, by the rule.
func storeFindings(ctx context.Context, tx *sqlx.Tx, today time.Time, rules []string,
	fs []fundhub.Finding, res *fundhub.MonitorResult) error {
	doc, err := json.Marshal(findingRows(fs))
	if err != nil {
		return fmt.Errorf("encoding findings: %w", err)
	}

	var counts struct {
		Raised   int `db:"raised"`
		Reopened int `db:"reopened"`
	}
	err = tx.GetContext(ctx, &counts, `WITH x AS (SELECT * FROM jsonb_to_recordset($1)
			AS x(rule text, key text, kind text, severity text, region text,
			allocation bigint, project bigint, title text, detail text)),
		prev AS (SELECT pb.id, pb.dedup_key, pb.status FROM problems pb
			JOIN x ON x.key = pb.dedup_key),
		upd AS (UPDATE problems pb SET severity = x.severity, title = x.title,
				detail = x.detail,
				status = CASE WHEN pb.status = 'CLOSED' THEN 'OPEN' ELSE pb.status END,
				resolved_at = CASE WHEN pb.status = 'CLOSED' THEN NULL
					ELSE pb.resolved_at END,
				resolution_note = CASE WHEN pb.status = 'CLOSED' THEN NULL
					ELSE pb.resolution_note END
			FROM x, prev WHERE pb.dedup_key = x.key AND prev.id = pb.id
				AND (pb.status = 'CLOSED' OR (pb.severity, pb.title, pb.detail)
					IS DISTINCT FROM (x.severity, x.title, x.detail))
			RETURNING pb.id, pb.rule, pb.region_code, prev.status = 'CLOSED' AS reopened),
		ins AS (INSERT INTO problems (kind, severity, region_code, project_id,
				allocation_id, rule, dedup_key, title, detail, raised_by)
			SELECT kind, severity, region, project, allocation, rule, key, title, detail,
				'rule:' || rule FROM x
			WHERE NOT EXISTS (SELECT 1 FROM prev WHERE prev.dedup_key = x.key)
			ON CONFLICT (dedup_key) DO NOTHING
			RETURNING id, rule, region_code),
		audit AS (INSERT INTO audit_log (actor, action, entity, entity_id, region_code,
				reason)
			SELECT 'rule:' || rule, 'problem.raise', 'problem', id::text, region_code,
				'raised by the monitor' FROM ins
			UNION ALL
			SELECT 'rule:' || rule, 'problem.reopen', 'problem', id::text, region_code,
				'the condition holds again' FROM upd WHERE reopened)
		SELECT (SELECT count(*) FROM ins) AS raised,
			(SELECT count(*) FROM upd WHERE reopened) AS reopened`, doc)
	if err != nil {
		return fmt.Errorf("raising problems: %w", err)
	}
	res.Raised, res.Reopened = counts.Raised, counts.Reopened

	err = tx.GetContext(ctx, &res.Closed, `WITH gone AS (UPDATE problems pb
			SET status = 'CLOSED', resolved_at = now(),
				resolution_note = 'Closed by rule ' || pb.rule ||
					': the condition no longer holds on ' || $3 || '.'
			WHERE pb.rule = ANY($1) AND pb.status IN ('OPEN', 'ACKNOWLEDGED')
				AND pb.dedup_key IS NOT NULL AND NOT pb.dedup_key = ANY($2)
			RETURNING pb.id, pb.rule, pb.region_code),
		audit AS (INSERT INTO audit_log (actor, action, entity, entity_id, region_code,
				reason)
			SELECT 'rule:' || rule, 'problem.close', 'problem', id::text, region_code,
				'the condition no longer holds' FROM gone)
		SELECT count(*) FROM gone`, pq.Array(rules), pq.Array(keysOf(fs)),
		today.Format(time.DateOnly))
	if err != nil {
		return fmt.Errorf("closing cleared problems: %w", err)
	}

	return nil
}

func findingRows(fs []fundhub.Finding) []map[string]any {
	rows := make([]map[string]any, len(fs))
	for i, f := range fs {
		rows[i] = map[string]any{"rule": f.Rule, "key": f.Key, "kind": f.Kind,
			"severity": f.Severity, "region": f.RegionCode, "allocation": f.AllocationID,
			"project": f.ProjectID, "title": f.Title, "detail": f.Detail}
	}

	return rows
}

func keysOf(fs []fundhub.Finding) []string {
	keys := make([]string, len(fs))
	for i, f := range fs {
		keys[i] = f.Key
	}

	return keys
}
