package postgres

import (
	"fmt"

	"fundhub"
)

// allocationPart sums allocations: what entered each group by the end of
// the cut-off quarter, what of it was received by then, and the projects
// funded. Grouped by quarter, an allocation counts as allocated in the
// quarter it was issued and as received in the quarter it arrived, so it
// is read once per event, and a project in the quarter its money was
// issued. The projects are counted apart, over the allocations that name
// one, so that the money is summed without sorting every allocation.
func (b *analysisBuilder) allocationPart() string {
	cut := b.w.arg(b.q.AsOf.End())
	issued := "COALESCE(a.issued_on, a.received_on, make_date(f.year, 1, 1))"
	entering := b.entering()
	exprs := map[fundhub.AnalysisDimension]string{
		fundhub.AnalyzeCategory:  "f.category",
		fundhub.AnalyzeFund:      "f.id",
		fundhub.AnalyzeSource:    "a.source",
		fundhub.AnalyzeDirection: "f.direction",
		fundhub.AnalyzeRegion:    b.ancestor("tr"),
		fundhub.AnalyzeYear:      "f.year",
		fundhub.AnalyzeQuarter:   quarterIndex(issued),
	}
	projectKeys, projectGroup := b.keys(exprs)
	exprs[fundhub.AnalyzeQuarter] = quarterIndex("ev.day")
	keys, group := b.keys(exprs)

	b.w.add("NOT a.withdrawn")
	b.w.scope(b.s, "a.to_region", "f.direction")
	b.filters("f.category", "f.id", "a.source", "f.direction", "tr.path", "f.year")
	b.w.add(issued + " <= " + cut)
	where := b.preds()
	// The regions join on their key, so PostgreSQL leaves them out when
	// neither the keys nor the filters read them.
	from := `allocations a JOIN funds f ON f.id = a.fund_id
	LEFT JOIN regions tr ON tr.code = a.to_region
	LEFT JOIN regions fr ON fr.code = a.from_region`

	projects := fmt.Sprintf(`SELECT %s, NULL::numeric AS allocated, NULL::numeric AS received,
	NULL::numeric AS paid, count(DISTINCT a.project_id) AS projects, NULL::bigint AS targets,
	NULL::numeric AS completion, NULL::boolean AS by_months
FROM %s %s AND a.project_id IS NOT NULL%s`, projectKeys, from, where, projectGroup)
	money := fmt.Sprintf(`SELECT %s,
	sum(a.amount) FILTER (WHERE %s) AS allocated,
	sum(a.amount) FILTER (WHERE %s AND a.received_on <= %s) AS received,
	NULL::numeric AS paid, NULL::bigint AS projects, NULL::bigint AS targets,
	NULL::numeric AS completion, bool_and(f.progress_by = 'MONTHS') AS by_months
FROM %s %s%s`, keys, entering, entering, cut, from, where, group)
	if b.q.Grouped(fundhub.AnalyzeQuarter) {
		money = fmt.Sprintf(`SELECT %s,
	sum(a.amount) FILTER (WHERE ev.issue AND %s) AS allocated,
	sum(a.amount) FILTER (WHERE NOT ev.issue AND %s) AS received,
	NULL::numeric AS paid, NULL::bigint AS projects, NULL::bigint AS targets,
	NULL::numeric AS completion, bool_and(f.progress_by = 'MONTHS') AS by_months
FROM %s CROSS JOIN LATERAL (VALUES (true, %s), (false, a.received_on)) AS ev (issue, day)
%s AND ev.day <= %s%s`, keys, entering, entering, from, issued, where, cut, group)
	}

	return money + "\nUNION ALL\n" + projects
}

// entering is true of an allocation that brings money into its group: its
// sender lies outside the group or outside what the caller sees (and the
// filtered region), or it is the first step of its fund, from the fund's
// owner. Money passed down within a group is counted once, where it came
// in.
func (b *analysisBuilder) entering() string {
	inside := "true"
	if b.q.Grouped(fundhub.AnalyzeRegion) {
		inside = b.ancestor("fr") + " = " + b.ancestor("tr")
	}
	if !b.s.All {
		if len(b.s.RegionCodes) == 0 {
			inside = "false"
		} else {
			inside += " AND a.from_region IN (" +
				fmt.Sprintf(subtreeCodes, b.w.arg(stringArray(b.s.RegionCodes))) + ")"
		}
	}
	if r := b.q.Filter.Region; r != nil {
		inside += fmt.Sprintf(
			" AND fr.path LIKE (SELECT path FROM regions WHERE code = %s) || '%%'", b.w.arg(*r))
	}

	return "(a.from_region = f.owner_region OR NOT (" + inside + "))"
}

// paymentPart sums the payment flows paid by the end of the cut-off
// quarter. A payment outside any allocation has no fund: it counts only in
// cuts that need none, and only for callers who see every direction.
func (b *analysisBuilder) paymentPart() string {
	direction := "COALESCE(f.direction, NULLIF(pf.project_direction, ''))"
	exprs := map[fundhub.AnalysisDimension]string{
		fundhub.AnalyzeCategory:  "f.category",
		fundhub.AnalyzeFund:      "f.id",
		fundhub.AnalyzeSource:    "NULLIF(pf.source, '')",
		fundhub.AnalyzeDirection: direction,
		fundhub.AnalyzeRegion:    b.ancestor("pg"),
		fundhub.AnalyzeYear:      "f.year",
		fundhub.AnalyzeQuarter:   "(pf.year * 4 + pf.quarter - 1)",
	}
	keys, group := b.keys(exprs)

	b.w.add("pf.year * 4 + pf.quarter - 1 <= %s", b.q.AsOf.Index())
	// As in the payments list, a caller limited to some directions sees
	// only payments of a fund of theirs.
	b.w.scope(b.s, "pf.region_code", "f.direction")
	b.filters("f.category", "f.id", "pf.source", direction, "pg.path", "f.year")

	return fmt.Sprintf(`SELECT %s,
	NULL::numeric AS allocated, NULL::numeric AS received, sum(pf.amount) AS paid,
	NULL::bigint AS projects, NULL::bigint AS targets, NULL::numeric AS completion,
	NULL::boolean AS by_months
FROM payment_flows pf LEFT JOIN funds f ON f.id = pf.fund_id
	LEFT JOIN regions pg ON pg.code = pf.region_code
%s%s`, keys, b.preds(), group)
}

// targetPart measures the leaf targets that can be completed (a value to
// reach, not a ceiling) of funds up to the cut-off year: each contributes
// its latest value reported by the cut-off over the target, at most one.
// A decomposed target is measured through its parts, never beside them.
// The sums come from target_flows, which triggers keep as steps per
// quarter: the steps up to the cut-off add up to each target's completion
// then.
func (b *analysisBuilder) targetPart() string {
	exprs := map[fundhub.AnalysisDimension]string{
		fundhub.AnalyzeCategory:  "f.category",
		fundhub.AnalyzeFund:      "f.id",
		fundhub.AnalyzeDirection: "f.direction",
		fundhub.AnalyzeRegion:    b.ancestor("tg"),
		fundhub.AnalyzeYear:      "f.year",
	}
	keys, group := b.keys(exprs)

	b.w.add("tf.quarter_index <= %s", b.q.AsOf.Index())
	b.w.add("f.year <= %s", b.q.AsOf.Year)
	b.w.scope(b.s, "tf.region_code", "f.direction")
	b.filters("f.category", "f.id", "", "f.direction", "tg.path", "f.year")

	return fmt.Sprintf(`SELECT %s,
	NULL::numeric AS allocated, NULL::numeric AS received, NULL::numeric AS paid,
	NULL::bigint AS projects, sum(tf.targets) AS targets, sum(tf.completion) AS completion,
	NULL::boolean AS by_months
FROM target_flows tf JOIN funds f ON f.id = tf.fund_id
	LEFT JOIN regions tg ON tg.code = tf.region_code
%s%s`, keys, b.preds(), group)
}
