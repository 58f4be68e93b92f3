package postgres

// inspectionScope is the head of every check: the regions of the
// inspected subtree ($2) and the projects under inspection, all of them or
// a sample of $5 drawn in the order of md5($4 || id), so the same seed
// draws the same sample. $1 is the run, $3 the year.
const inspectionScope = `WITH scope_regions AS (SELECT r.code FROM regions r
		WHERE r.path LIKE (SELECT path FROM regions WHERE code = $2) || '%'),
	sample AS (SELECT p.id FROM projects p
		WHERE p.region_code IN (SELECT code FROM scope_regions)
		ORDER BY md5($4::text || ':' || p.id::text), p.id LIMIT $5::int)
	INSERT INTO inspection_findings (run_id, check_name, severity, region_code, direction,
		allocation_id, project_id, payment_id, report_id, target_id, detail) `

// sampled is true for a row tied to project column col when the run takes
// every project, or when the project is in the sample.
func sampled(col string) string {
	return `($5::int IS NULL OR ` + col + ` IN (SELECT id FROM sample))`
}

// inspectionChecks are the checks of article 25, each a SELECT that
// yields findings in the columns of inspectionScope's INSERT. Their names
// are stable: findings are filtered and exported by them.
var inspectionChecks = []struct{ name, query string }{
	{"allocation_outside_reserve", `SELECT $1, 'allocation_outside_reserve', 'MAJOR',
		a.to_region, f.direction, a.id, a.project_id, NULL::bigint, NULL::bigint,
		NULL::bigint, format('Allocation %s of %s yuan went to project %s, which is %s, '
			|| 'not in the reserve.', a.id, a.amount, p.id, p.reserve_status)
		FROM allocations a JOIN funds f ON f.id = a.fund_id
		JOIN projects p ON p.id = a.project_id
		WHERE NOT a.withdrawn AND f.year = $3 AND a.to_region IN (SELECT code FROM
			scope_regions) AND p.reserve_status NOT IN ('ADMITTED', 'FUNDED',
			'IN_PROGRESS', 'ADJUSTED', 'COMPLETED') AND ` + sampled("a.project_id")},
	{"allocation_without_document", `SELECT $1, 'allocation_without_document', 'MINOR',
		a.to_region, f.direction, a.id, a.project_id, NULL, NULL, NULL,
		format('Allocation %s of %s yuan names no approval document.', a.id, a.amount)
		FROM allocations a JOIN funds f ON f.id = a.fund_id
		WHERE NOT a.withdrawn AND f.year = $3 AND a.document_id IS NULL
			AND a.to_region IN (SELECT code FROM scope_regions) AND ` +
		sampled("a.project_id")},
	{"malformed_document_number", `SELECT $1, 'malformed_document_number', 'MINOR',
		a.to_region, f.direction, a.id, a.project_id, NULL, NULL, NULL,
		format('Document number %s of allocation %s is not of the form 财资环〔2023〕60号.',
			d.doc_no, a.id)
		FROM allocations a JOIN funds f ON f.id = a.fund_id
		JOIN approval_documents d ON d.id = a.document_id
		WHERE NOT a.withdrawn AND f.year = $3
			AND a.to_region IN (SELECT code FROM scope_regions)
			AND d.doc_no !~ '^[^〔〕\s]+〔(19|20)[0-9]{2}〕[0-9]+号$' AND ` +
		sampled("a.project_id")},
	{"money_without_targets", `SELECT $1, 'money_without_targets', 'MINOR', a.to_region,
		f.direction, a.id, a.project_id, NULL, NULL, NULL,
		format('Allocation %s of %s yuan carries no performance target: targets travel '
			|| 'with the money.', a.id, a.amount)
		FROM allocations a JOIN funds f ON f.id = a.fund_id
		WHERE NOT a.withdrawn AND f.year = $3
			AND a.to_region IN (SELECT code FROM scope_regions)
			AND NOT EXISTS (SELECT 1 FROM performance_targets t WHERE t.allocation_id = a.id)
			AND ` + sampled("a.project_id")},
	{"targets_without_money", `SELECT $1, 'targets_without_money', 'MINOR', t.region_code,
		f.direction, t.allocation_id, t.project_id, NULL, NULL, t.id,
		format('Target %s (%s) is tied to no allocation in force.', t.id, t.indicator)
		FROM performance_targets t LEFT JOIN funds f ON f.id = t.fund_id
		LEFT JOIN allocations a ON a.id = t.allocation_id
		WHERE t.year = $3 AND t.region_code IN (SELECT code FROM scope_regions)
			AND (a.id IS NULL OR a.withdrawn) AND ` + sampled("t.project_id")},
	{"target_not_quantified", `SELECT $1, 'target_not_quantified', 'MINOR', t.region_code,
		f.direction, t.allocation_id, t.project_id, NULL, NULL, t.id,
		format('Target %s (%s) has no target value%s.', t.id, t.indicator,
			CASE WHEN t.unit IS NULL THEN ' and no unit' ELSE '' END)
		FROM performance_targets t LEFT JOIN funds f ON f.id = t.fund_id
		WHERE t.year = $3 AND t.region_code IN (SELECT code FROM scope_regions)
			AND t.target_value IS NULL AND ` + sampled("t.project_id")},
	{"payment_in_future", `SELECT $1, 'payment_in_future', 'MAJOR', p.region_code,
		f.direction, p.allocation_id, a.project_id, p.id, NULL, NULL,
		format('Payment %s of %s yuan is dated %s, in the future.', p.id, p.amount, p.paid_on)
		FROM payments p LEFT JOIN allocations a ON a.id = p.allocation_id
		LEFT JOIN funds f ON f.id = a.fund_id
		WHERE NOT p.withdrawn AND p.paid_on > (now() AT TIME ZONE 'Asia/Shanghai')::date
			AND extract(year FROM p.paid_on) >= $3
			AND p.region_code IN (SELECT code FROM scope_regions) AND ` +
		sampled("a.project_id")},
	{"reported_payments_differ", `SELECT $1, 'reported_payments_differ', 'MINOR',
		er.region_code, f.direction, rl.allocation_id, a.project_id, NULL, er.id, NULL,
		format('The report of %s Q%s says %s yuan was paid from allocation %s; the finance '
			|| 'system recorded %s by the quarter''s end.', er.year, er.quarter,
			sum(rl.paid_amount), rl.allocation_id, COALESCE((SELECT sum(py.amount)
			FROM payments py WHERE py.allocation_id = rl.allocation_id AND NOT py.withdrawn
			AND py.paid_on < make_date(er.year, 1, 1)
				+ make_interval(months => 3 * er.quarter)), 0))
		FROM report_lines rl JOIN execution_reports er ON er.id = rl.report_id
		JOIN allocations a ON a.id = rl.allocation_id JOIN funds f ON f.id = a.fund_id
		WHERE er.year = $3 AND er.region_code IN (SELECT code FROM scope_regions)
			AND rl.paid_amount IS NOT NULL AND NOT rl.withdrawn
			AND er.status IN ('SUBMITTED', 'REVIEWED', 'TRANSMITTED') AND ` +
		sampled("a.project_id") + `
		GROUP BY er.id, er.region_code, er.year, er.quarter, f.direction, rl.allocation_id,
			a.project_id
		HAVING abs(sum(rl.paid_amount) - COALESCE((SELECT sum(py.amount) FROM payments py
			WHERE py.allocation_id = rl.allocation_id AND NOT py.withdrawn
			AND py.paid_on < make_date(er.year, 1, 1)
				+ make_interval(months => 3 * er.quarter)), 0)) > 1`},
	{"report_missing", `SELECT $1, 'report_missing', 'MINOR', r.code, NULL, NULL, NULL,
		NULL, NULL, NULL, format('%s received money in %s but filed no report of Q%s.',
			r.code, $3::int, q.quarter)
		FROM regions r CROSS JOIN generate_series(1, 4) AS q(quarter)
		WHERE r.code IN (SELECT code FROM scope_regions) AND r.level IN ('CITY', 'COUNTY')
			AND $5::int IS NULL
			AND make_date($3, 1, 1) + make_interval(months => 3 * q.quarter)
				<= (now() AT TIME ZONE 'Asia/Shanghai')::date
			AND EXISTS (SELECT 1 FROM allocations a JOIN funds f ON f.id = a.fund_id
				WHERE a.to_region = r.code AND f.year = $3 AND NOT a.withdrawn)
			AND COALESCE((SELECT min(COALESCE(a.received_on, a.issued_on))
					FROM allocations a JOIN funds f ON f.id = a.fund_id
					WHERE a.to_region = r.code AND f.year = $3 AND NOT a.withdrawn),
				make_date($3, 1, 1))
				< make_date($3, 1, 1) + make_interval(months => 3 * q.quarter)
			AND NOT EXISTS (SELECT 1 FROM execution_reports er WHERE er.region_code = r.code
				AND er.year = $3 AND er.quarter = q.quarter
				AND er.status IN ('SUBMITTED', 'REVIEWED', 'TRANSMITTED'))`},
	{"actual_differs_from_evaluation", `SELECT $1, 'actual_differs_from_evaluation',
		'MINOR', t.region_code, f.direction, t.allocation_id, t.project_id, NULL,
		last.report_id, t.id,
		format('Reports gave %s for %s (%s Q%s); the evaluation of %s found %s.',
			last.actual, t.indicator, last.year, last.quarter, ev.evaluated_on, ev.value)
		FROM performance_targets t LEFT JOIN funds f ON f.id = t.fund_id
		JOIN LATERAL (SELECT e.value, e.evaluated_on FROM target_evaluations e
			WHERE e.target_id = t.id ORDER BY e.evaluated_on DESC, e.id DESC LIMIT 1) ev
			ON true
		JOIN LATERAL (SELECT rl.actual_value AS actual, er.id AS report_id, er.year,
			er.quarter FROM report_lines rl JOIN execution_reports er ON er.id = rl.report_id
			WHERE rl.target_id = t.id AND rl.actual_value IS NOT NULL AND NOT rl.withdrawn
				AND er.status IN ('SUBMITTED', 'REVIEWED', 'TRANSMITTED')
			ORDER BY er.year DESC, er.quarter DESC, rl.id DESC LIMIT 1) last ON true
		WHERE t.year = $3 AND t.region_code IN (SELECT code FROM scope_regions)
			AND abs(last.actual - ev.value) > 0.05 * greatest(abs(ev.value), 1) AND ` +
		sampled("t.project_id")},
	{"actual_far_above_target", `SELECT $1, 'actual_far_above_target', 'MINOR',
		er.region_code, f.direction, t.allocation_id, t.project_id, NULL, er.id, t.id,
		format('The report of %s Q%s gives %s for %s against a target of %s, more than '
			|| 'twice it, with no explanation.', er.year, er.quarter, rl.actual_value,
			t.indicator, t.target_value)
		FROM report_lines rl JOIN execution_reports er ON er.id = rl.report_id
		JOIN performance_targets t ON t.id = rl.target_id
		LEFT JOIN funds f ON f.id = t.fund_id
		WHERE er.year = $3 AND er.region_code IN (SELECT code FROM scope_regions)
			AND t.target_value > 0 AND rl.actual_value > 2 * t.target_value
			AND COALESCE(btrim(rl.note), '') = '' AND NOT rl.withdrawn AND ` +
		sampled("t.project_id")},
}
