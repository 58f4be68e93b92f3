package reservesim

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/lib/pq"

	"fundhub/tools/simdata"
)

// template is a kind of performance target (绩效目标). Its value is written
// as kind says:
//   - "count": the project's hectares or hazard points (planned investment
//     in 万元 over its unit cost), as a plain number such as "1200";
//   - "cost": "≤" and the unit cost in 万元;
//   - "fixed": the text in fixed, such as "100" or "≥90";
//   - "range": "≥" and a number from lo to hi, such as "≥85";
//   - "per-wan" and "per-count": "≥" and the investment in 万元, or the
//     count, times a number from lo to hi.
type template struct {
	level1, level2, indicator, unit string
	kind, fixed                     string
	lo, hi                          int
}

// templates are the kinds of target per direction. The first (a quantity)
// and the last (satisfaction) go to every project; each of the others to
// about two projects in five.
var templates = map[string][]template{
	simdata.EcoRestoration: {
		{"产出指标", "数量指标", "生态修复治理面积", "公顷", "count", "", 0, 0},
		{"产出指标", "质量指标", "修复区域植被覆盖率", "%", "range", "", 60, 90},
		{"产出指标", "时效指标", "项目按期完工率", "%", "fixed", "100", 0, 0},
		{"产出指标", "成本指标", "单位面积修复治理成本", "万元/公顷", "cost", "", 0, 0},
		{"效益指标", "生态效益指标", "林草覆盖率提高", "百分点", "range", "", 1, 5},
		{"效益指标", "社会效益指标", "受益群众人数", "人", "per-wan", "", 2, 6},
		{"满意度指标", "服务对象满意度指标", "周边群众满意度", "%", "range", "", 85, 95},
	},
	simdata.Geohazard: {
		{"产出指标", "数量指标", "治理地质灾害隐患点数量", "处", "count", "", 0, 0},
		{"产出指标", "质量指标", "工程竣工验收合格率", "%", "fixed", "100", 0, 0},
		{"产出指标", "时效指标", "汛期前完成主体工程比例", "%", "range", "", 90, 100},
		{"产出指标", "成本指标", "单点平均治理成本", "万元/处", "cost", "", 0, 0},
		{"效益指标", "社会效益指标", "受威胁群众安全保障人数", "人", "per-count", "", 20, 200},
		{"效益指标", "经济效益指标", "保护财产价值", "万元", "per-wan", "", 2, 10},
		{"满意度指标", "服务对象满意度指标", "受益群众满意度", "%", "fixed", "≥90", 0, 0},
	},
}

// unitCosts are the ranges of unit cost, in 万元 per hectare or per hazard
// point, at most 256 values wide.
var unitCosts = map[string][2]int{
	simdata.EcoRestoration: {8, 20},
	simdata.Geohazard:      {30, 280},
}

// insertTargets derives the targets of every project in one set-based
// INSERT ... SELECT. Choices come from the md5 of the seed and the project
// code, so they are deterministic on any PostgreSQL: one md5 per project
// gives two 60-bit numbers, and template t uses bits 8t to 8t+7 of each.
// Targets share their project's updated_at, so ties exist by construction.
func insertTargets(ctx context.Context, tx *sql.Tx, seed int64) error {
	q := strings.Replace(insertTargetsSQL, "{{templates}}", templatesSQL(), 1)
	q = strings.Replace(q, "{{costs}}", costsSQL(), 1)
	if _, err := tx.ExecContext(ctx, q, fmt.Sprint(seed)); err != nil {
		return fmt.Errorf("inserting targets: %w", err)
	}

	return nil
}

const insertTargetsSQL = `
WITH tpl (direction, no, last, level1, level2, indicator, unit, kind, fixed, lo, hi) AS (
	VALUES {{templates}}
), cost (direction, lo, hi) AS (
	VALUES {{costs}}
), hashed AS (
	SELECT p.project_code, p.direction, p.updated_at, p.is_deleted,
		(p.planned_investment / 10000)::bigint AS wan,
		md5($1 || ':' || p.project_code) AS m
	FROM reserve.projects p
), bits AS (
	SELECT h.*, ('x' || substr(m, 1, 15))::bit(60)::bigint AS h1,
		('x' || substr(m, 16, 15))::bit(60)::bigint AS h2
	FROM hashed h
), sized AS MATERIALIZED (
	SELECT b.*, c.lo + (b.h2 & 255) % (c.hi - c.lo + 1) AS unit_cost
	FROM bits b JOIN cost c USING (direction)
), drawn AS (
	SELECT s.project_code, s.updated_at, s.is_deleted, s.wan, s.unit_cost,
		greatest(1, s.wan / s.unit_cost) AS n, t.*,
		(s.h1 >> (8 * t.no)) & 255 AS pick, (s.h2 >> (8 * t.no)) & 255 AS val
	FROM sized s JOIN tpl t USING (direction)
)
INSERT INTO reserve.performance_targets (target_id, project_code, level1, level2, indicator,
	unit, target_value, updated_at, is_deleted)
SELECT project_code || '-' || lpad(no::text, 2, '0'), project_code, level1, level2,
	indicator, unit,
	CASE kind
		WHEN 'count' THEN n::text
		WHEN 'cost' THEN '≤' || unit_cost
		WHEN 'fixed' THEN fixed
		WHEN 'range' THEN '≥' || (lo + val % (hi - lo + 1))
		WHEN 'per-wan' THEN '≥' || wan * (lo + val % (hi - lo + 1))
		WHEN 'per-count' THEN '≥' || n * (lo + val % (hi - lo + 1))
	END,
	updated_at, is_deleted OR pick / 5 % 50 = 0
FROM drawn
WHERE no = 1 OR last OR pick % 5 < 2`

// templatesSQL writes the templates as rows of a VALUES list.
func templatesSQL() string {
	var rows []string
	for _, dir := range []string{simdata.EcoRestoration, simdata.Geohazard} {
		ts := templates[dir]
		for i, t := range ts {
			rows = append(rows, fmt.Sprintf("(%s, %d, %t, %s, %s, %s, %s, %s, %s, %d, %d)",
				pq.QuoteLiteral(dir), i+1, i == len(ts)-1, pq.QuoteLiteral(t.level1),
				pq.QuoteLiteral(t.level2), pq.QuoteLiteral(t.indicator),
				pq.QuoteLiteral(t.unit), pq.QuoteLiteral(t.kind), pq.QuoteLiteral(t.fixed),
				t.lo, t.hi))
		}
	}

	return strings.Join(rows, ",\n\t\t")
}

func costsSQL() string {
	var rows []string
	for _, dir := range []string{simdata.EcoRestoration, simdata.Geohazard} {
		c := unitCosts[dir]
		rows = append(rows, fmt.Sprintf("(%s, %d, %d)", pq.QuoteLiteral(dir), c[0], c[1]))
	}

	return strings.Join(rows, ", ")
}
