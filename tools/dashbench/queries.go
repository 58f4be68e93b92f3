package main

import "fundhub"

// dashQuery is one query of a dashboard: what the dashboard sends over
// GraphQL, and the SQL the store runs to answer it for a caller of scope s,
// which the bench times beside it. Adding a query is adding an entry.
type dashQuery struct {
	name      string
	graphql   string
	variables map[string]any
	sql       func(s fundhub.Scope) (string, []any)
	// more are the statements the store runs besides sql for the same
	// request (a comparison's second cut), timed one after the other.
	more func(s fundhub.Scope) []statement
}

// statement is one SQL statement with its arguments.
type statement struct {
	sql  string
	args []any
}

// statements are every statement of q, sql first.
func (q dashQuery) statements(s fundhub.Scope) []statement {
	stmt, args := q.sql(s)
	out := []statement{{stmt, args}}
	if q.more != nil {
		out = append(out, q.more(s)...)
	}

	return out
}

// The store builds the statements of allocationTotals (postgres/totals.go),
// payments (postgres/payment.go, list.go) and problemSummary
// (postgres/problem.go) inside package postgres without exposing them, so
// the statements below are copies written by hand, as the store builds
// them for a caller who sees everything (the bench's ministry user: the
// scope then adds no predicate, and s is not read). A change to the store's
// SQL must be copied here; a query whose SQL the postgres package exposes
// calls it with s instead.

// allocationFrom is the store's FROM clause of allocations and their totals.
const allocationFrom = `allocations a
	JOIN funds f ON f.id = a.fund_id
	JOIN regions tr ON tr.code = a.to_region
	JOIN regions fr ON fr.code = a.from_region
	LEFT JOIN approval_documents doc ON doc.id = a.document_id`

// totalsCols are the summed columns every allocationTotals group has.
const totalsCols = `COALESCE(sum(a.amount), 0) AS amount,
	COALESCE(sum(a.amount) FILTER (WHERE tr.path LIKE ANY (ARRAY(
		SELECT sp.path || '%' FROM regions sp WHERE sp.separately_planned))), 0)
		AS separately_planned_amount,
	count(*) AS count`

// paymentFrom is the store's FROM clause of payments.
const paymentFrom = `payments p JOIN regions pr ON pr.code = p.region_code
	LEFT JOIN allocations a ON a.id = p.allocation_id
	LEFT JOIN funds f ON f.id = a.fund_id`

// paymentPage is the store's count and sum of the matching payments, read
// from the payment_flows summary (flowWhere over pf and its region pr),
// with the first page of the payments themselves (where), in one
// statement; the store runs the two in one read-only transaction.
func paymentPage(flowWhere, where string) string {
	return `SELECT st.total, st.amount, pg.* FROM
		(SELECT COALESCE(sum(pf.payments), 0) AS total, COALESCE(sum(pf.amount), 0) AS amount
			FROM payment_flows pf JOIN regions pr ON pr.code = pf.region_code
			LEFT JOIN funds f ON f.id = pf.fund_id ` + flowWhere + `) st
		LEFT JOIN LATERAL (SELECT p.id, p.allocation_id, p.region_code, p.project_code,
			p.source, p.amount, p.paid_on, p.reverses_id, p.withdrawn, p.source_system,
			p.external_id, p.last_synced_at
			FROM ` + paymentFrom + ` ` + where + `
			ORDER BY p.paid_on DESC, p.id DESC LIMIT 50 OFFSET 0) pg ON true`
}

// dashQueries are the queries of a national dashboard, timed in this order.
func dashQueries() []dashQuery {
	return []dashQuery{
		{name: "allocationTotals/province",
			graphql: `{ allocationTotals(groupBy: [REGION], regionLevel: PROVINCE) {
				region { code name } amount separatelyPlannedAmount count } }`,
			more: provinceNames,
			sql: func(fundhub.Scope) (string, []any) {
				region := `COALESCE(NULLIF(split_part(tr.path, '/', 3), ''), a.to_region)`
				return `SELECT ` + region + ` AS region_code, ` + totalsCols + `
					FROM ` + allocationFrom + ` WHERE NOT a.withdrawn
					GROUP BY ` + region + ` ORDER BY 1`, nil
			}},
		{name: "allocationTotals/year+direction",
			graphql: `{ allocationTotals(groupBy: [YEAR, DIRECTION]) {
				year direction amount separatelyPlannedAmount count } }`,
			sql: func(fundhub.Scope) (string, []any) {
				return `SELECT f.year AS year, f.direction AS direction, ` + totalsCols + `
					FROM ` + allocationFrom + ` WHERE NOT a.withdrawn
					GROUP BY f.year, f.direction ORDER BY 1, 2`, nil
			}},
		{name: "allocationTotals/counties of 330000",
			graphql: `query($under: String, $year: Int) { allocationTotals(groupBy: [REGION],
				regionLevel: COUNTY, filter: {regionUnder: $under, year: $year}) {
				region { code name } amount count } }`,
			variables: map[string]any{"under": "330000", "year": 2024},
			more:      countyNames,
			sql: func(fundhub.Scope) (string, []any) {
				region := `COALESCE(NULLIF(split_part(tr.path, '/', 5), ''), a.to_region)`
				return `SELECT ` + region + ` AS region_code, ` + totalsCols + `
					FROM ` + allocationFrom + ` WHERE NOT a.withdrawn AND f.year = $1
					AND tr.path LIKE (SELECT path FROM regions WHERE code = $2) || '%'
					GROUP BY ` + region + ` ORDER BY 1`, []any{2024, "330000"}
			}},
		{name: "payments(first: 50)",
			graphql: `{ payments(first: 50) { totalCount totalAmount
				nodes { id amount paidOn region { code name } } } }`,
			sql: func(fundhub.Scope) (string, []any) {
				return paymentPage(``, `WHERE NOT p.withdrawn`), nil
			}},
		{name: "payments(first: 50) under 330000",
			graphql: `query($under: String) { payments(filter: {regionUnder: $under}, first: 50) {
				totalCount totalAmount nodes { id amount paidOn region { code name } } } }`,
			variables: map[string]any{"under": "330000"},
			sql: func(fundhub.Scope) (string, []any) {
				under := `pr.path LIKE (SELECT path FROM regions WHERE code = $1) || '%'`
				return paymentPage(`WHERE `+under, `WHERE NOT p.withdrawn AND `+under),
					[]any{"330000"}
			}},
		{name: "problemSummary/province",
			graphql: `{ problemSummary(level: PROVINCE) {
				region { code name } open late lagging inconsistent major } }`,
			sql: func(fundhub.Scope) (string, []any) {
				return `SELECT anc.code AS region_code, count(*) AS open,
					count(*) FILTER (WHERE pb.kind = 'LATE') AS late,
					count(*) FILTER (WHERE pb.kind IN ('SLOW_PAYMENT', 'SLOW_PROGRESS'))
						AS lagging,
					count(*) FILTER (WHERE pb.kind = 'DATA_INCONSISTENCY') AS inconsistent,
					count(*) FILTER (WHERE pb.severity IN ('MAJOR', 'CRITICAL')) AS major
					FROM problems pb JOIN regions rg ON rg.code = pb.region_code
					JOIN regions anc ON rg.path LIKE anc.path || '%'
					WHERE pb.status IN ('OPEN', 'ACKNOWLEDGED')
					AND rg.path LIKE (SELECT path FROM regions WHERE code = $1) || '%'
					AND anc.level = $2
					GROUP BY anc.code ORDER BY anc.code`,
					[]any{fundhub.NationalCode, "PROVINCE"}
			}},
	}
}

// countyNames is the statement the regions' dataloader runs for the names
// of Zhejiang's counties (by code, as RegionsByCodes reads them), which a
// request that shows them runs after its totals.
func countyNames(fundhub.Scope) []statement {
	return []statement{{sql: `SELECT r.code, r.name, r.level, r.parent_code, r.path,
		r.separately_planned, r.grouping, r.valid_from, r.valid_to, r.successor_code
		FROM regions r WHERE r.code = ANY(ARRAY(SELECT c.code FROM regions c
			JOIN regions p ON p.code = c.parent_code WHERE p.parent_code = '330000'))`}}
}

// provinceNames is the dataloader's statement for the provinces' names.
func provinceNames(fundhub.Scope) []statement {
	return []statement{{sql: `SELECT r.code, r.name, r.level, r.parent_code, r.path,
		r.separately_planned, r.grouping, r.valid_from, r.valid_to, r.successor_code
		FROM regions r WHERE r.code = ANY(ARRAY(SELECT code FROM regions
			WHERE level = 'PROVINCE'))`}}
}
