package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"fundhub"
)

// monitorLock is the advisory lock of monitor runs: one at a time across
// replicas; a replica that finds it taken leaves the run to the holder.
const monitorLock = "fundhub:monitor"

// RunMonitor hands compute the facts of one snapshot and stores the
// deadlines and findings it returns, in one transaction under the monitor
// lock, so two replicas never run at once: deadlines of subjects that are
// gone are deleted and the rest upserted by key; findings raise problems
// once (by dedup key), and open problems of rules whose finding is gone are
// closed with a note. Ran is false when another run held the lock.
func (d *DB) RunMonitor(ctx context.Context, today time.Time, rules []string,
	compute func(fundhub.MonitorFacts) ([]fundhub.Deadline,
		[]fundhub.Finding)) (fundhub.MonitorResult, error) {
	var res fundhub.MonitorResult
	err := d.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &res.Ran, `SELECT pg_try_advisory_xact_lock(
			hashtext($1))`, monitorLock); err != nil || !res.Ran {
			return err
		}
		facts, err := monitorFacts(ctx, tx, today)
		if err != nil {
			return err
		}

		deadlines, findings := compute(facts)
		res.Deadlines, res.Findings = len(deadlines), len(findings)
		if err := storeDeadlines(ctx, tx, deadlines); err != nil {
			return err
		}

		return storeFindings(ctx, tx, today, rules, findings, &res)
	})
	if err != nil {
		return fundhub.MonitorResult{}, fmt.Errorf("running the monitor: %w", err)
	}

	return res, nil
}

func monitorFacts(ctx context.Context, tx *sqlx.Tx, today time.Time) (fundhub.MonitorFacts,
	error) {
	f := fundhub.MonitorFacts{Today: today}
	cal, err := loadCalendar(ctx, tx)
	if err != nil {
		return f, err
	}
	f.Calendar = cal

	if err := tx.SelectContext(ctx, &f.Allocations, monitorAllocations); err != nil {
		return f, fmt.Errorf("reading allocations: %w", err)
	}
	if err := tx.SelectContext(ctx, &f.Projects, `SELECT id, region_code, reserve_status,
		approval_ref FROM projects
		WHERE reserve_status IN ('ADJUSTED', 'TERMINATED')`); err != nil {
		return f, fmt.Errorf("reading projects: %w", err)
	}
	if err := tx.SelectContext(ctx, &f.Targets, monitorTargets); err != nil {
		return f, fmt.Errorf("reading targets: %w", err)
	}
	if err := tx.SelectContext(ctx, &f.Paid, monitorReportedPaid); err != nil {
		return f, fmt.Errorf("reading reported payments: %w", err)
	}
	if err := tx.SelectContext(ctx, &f.Reporting, `SELECT a.to_region AS region_code,
		fd.year, min(COALESCE(a.received_on, a.issued_on)) AS first_money_on
		FROM allocations a JOIN regions r ON r.code = a.to_region
		JOIN funds fd ON fd.id = a.fund_id
		WHERE NOT a.withdrawn AND r.level IN ('CITY', 'COUNTY')
		GROUP BY a.to_region, fd.year`); err != nil {
		return f, fmt.Errorf("reading reporting regions: %w", err)
	}
	if err := tx.SelectContext(ctx, &f.Reports, `SELECT region_code, year, quarter,
		(submitted_at AT TIME ZONE 'Asia/Shanghai')::date AS submitted_on
		FROM execution_reports`); err != nil {
		return f, fmt.Errorf("reading reports: %w", err)
	}

	return f, nil
}

// monitorAllocations selects the facts of every allocation in force, with
// what its children passed on and what was paid from it, in one pass.
const monitorAllocations = `SELECT a.id, a.to_region, r.level AS to_level, fd.direction,
	a.amount, a.received_on, a.filed_on, a.issued_on, fd.year AS fund_year,
	fd.progress_by = 'MONTHS' AS progress_by_months,
	EXISTS (SELECT 1 FROM performance_targets t WHERE t.allocation_id = a.id)
		AS has_targets,
	EXISTS (SELECT 1 FROM performance_targets t WHERE t.allocation_id = a.parent_id)
		AS parent_has_targets,
	COALESCE(c.passed, 0) AS passed, c.last_passed_on, COALESCE(c.n, 0) AS children,
	COALESCE(pay.paid, 0) AS paid, a.project_id, pr.reserve_status AS project_status,
	a.reserve_exception
	FROM allocations a JOIN regions r ON r.code = a.to_region
	LEFT JOIN projects pr ON pr.id = a.project_id
	JOIN funds fd ON fd.id = a.fund_id
	LEFT JOIN LATERAL (SELECT sum(ch.amount) AS passed, max(ch.issued_on) AS last_passed_on,
		count(*) AS n FROM allocations ch
		WHERE ch.parent_id = a.id AND NOT ch.withdrawn) c ON true
	LEFT JOIN LATERAL (SELECT sum(p.amount) AS paid FROM payments p
		WHERE p.allocation_id = a.id AND NOT p.withdrawn
			AND p.paid_on <= (now() AT TIME ZONE 'Asia/Shanghai')::date) pay ON true
	WHERE NOT a.withdrawn`

// monitorTargets selects quantified targets with the latest actual value a
// submitted report gave for each.
const monitorTargets = `SELECT t.id, t.region_code, t.year, t.indicator, t.unit,
	t.comparator, t.target_value, t.allocation_id, last.actual, last.actual_year,
	last.actual_quarter
	FROM performance_targets t
	JOIN LATERAL (SELECT rl.actual_value AS actual, er.year AS actual_year,
		er.quarter AS actual_quarter FROM report_lines rl
		JOIN execution_reports er ON er.id = rl.report_id
		WHERE rl.target_id = t.id AND rl.actual_value IS NOT NULL AND NOT rl.withdrawn
			AND er.status IN ('SUBMITTED', 'REVIEWED', 'TRANSMITTED')
		ORDER BY er.year DESC, er.quarter DESC, rl.id DESC LIMIT 1) last ON true
	WHERE t.target_value IS NOT NULL`

// monitorReportedPaid selects, per submitted report and allocation, the
// paid amount reported and the payments recorded by the quarter's end.
const monitorReportedPaid = `SELECT rl.allocation_id, er.region_code, er.year,
	er.quarter, sum(rl.paid_amount) AS reported,
	COALESCE((SELECT sum(p.amount) FROM payments p
		WHERE p.allocation_id = rl.allocation_id AND NOT p.withdrawn
			AND p.paid_on < make_date(er.year, 1, 1) + make_interval(months => 3 * er.quarter)),
		0) AS recorded
	FROM report_lines rl JOIN execution_reports er ON er.id = rl.report_id
	WHERE rl.allocation_id IS NOT NULL AND rl.paid_amount IS NOT NULL AND NOT rl.withdrawn
		AND er.status IN ('SUBMITTED', 'REVIEWED', 'TRANSMITTED')
	GROUP BY rl.allocation_id, er.region_code, er.year, er.quarter`

// loadCalendar reads the holiday calendar and the years it covers.
func loadCalendar(ctx context.Context, q sqlx.QueryerContext) (*fundhub.Calendar, error) {
	var days []fundhub.CalendarDay
	if err := sqlx.SelectContext(ctx, q, &days, `SELECT day, name, is_off_day
		FROM calendar_days`); err != nil {
		return nil, fmt.Errorf("reading the calendar: %w", err)
	}
	var years []int
	if err := sqlx.SelectContext(ctx, q, &years, `SELECT year FROM calendar_years`); err != nil {
		return nil, fmt.Errorf("reading the calendar's years: %w", err)
	}

	return fundhub.NewCalendar(days, years), nil
}

// Calendar returns the working-day calendar as stored.
func (d *DB) Calendar(ctx context.Context) (*fundhub.Calendar, error) {
	return loadCalendar(ctx, d.db)
}

// storeDeadlines upserts ds by key, in one statement however many there
// are, and deletes the deadlines of subjects no longer among them.
func storeDeadlines(ctx context.Context, tx *sqlx.Tx, ds []fundhub.Deadline) error {
	rows := make([]map[string]any, len(ds))
	for i, dl := range ds {
		rows[i] = map[string]any{"key": dl.Key, "kind": dl.Kind, "region": dl.RegionCode,
			"allocation": dl.AllocationID, "direction": dl.Direction, "year": dl.Year,
			"quarter": dl.Quarter, "starts": dateText(dl.StartsOn),
			"due": dateText(dl.DueOn), "met": dateText(dl.MetOn), "note": dl.Note}
	}
	doc, err := json.Marshal(rows)
	if err != nil {
		return fmt.Errorf("encoding deadlines: %w", err)
	}

	_, err = tx.ExecContext(ctx, `WITH x AS (SELECT * FROM jsonb_to_recordset($1::jsonb)
			AS x(key text, kind text, region text, allocation bigint, direction text,
			year int, quarter int, starts date, due date, met date, note text)),
		gone AS (DELETE FROM deadlines d WHERE NOT EXISTS (
			SELECT 1 FROM x WHERE x.key = d.key)),
		upd AS (UPDATE deadlines d SET starts_on = x.starts, due_on = x.due,
				met_on = x.met, note = x.note, direction = x.direction, computed_at = now()
			FROM x WHERE d.key = x.key AND (d.starts_on, d.due_on, d.met_on, d.note,
				d.direction) IS DISTINCT FROM (x.starts, x.due, x.met, x.note, x.direction))
		-- Only new subjects are inserted, so existing ones draw no new ids.
		INSERT INTO deadlines (key, kind, region_code, allocation_id, direction, year,
			quarter, starts_on, due_on, met_on, note)
		SELECT key, kind, region, allocation, direction, year, quarter, starts, due, met,
			note FROM x WHERE NOT EXISTS (SELECT 1 FROM deadlines d WHERE d.key = x.key)
		ON CONFLICT (key) DO NOTHING`, doc)
	if err != nil {
		return fmt.Errorf("storing deadlines: %w", err)
	}

	return nil
}

func dateText(t *time.Time) any {
	if t == nil {
		return nil
	}

	return t.Format(time.DateOnly)
}

// deadlineToday is the day in China deadlines are judged on.
const deadlineToday = `(now() AT TIME ZONE 'Asia/Shanghai')::date`

// deadlineState is the state of deadline dl today.
const deadlineState = `CASE WHEN dl.due_on IS NULL THEN 'UNKNOWN'
	WHEN dl.met_on IS NOT NULL AND dl.met_on <= dl.due_on THEN 'MET'
	WHEN dl.met_on IS NOT NULL THEN 'MET_LATE'
	WHEN ` + deadlineToday + ` > dl.due_on THEN 'LATE'
	ELSE 'PENDING' END`

var deadlineList = listQuery{what: "deadlines",
	cols: `dl.id, dl.key, dl.kind, dl.region_code, dl.allocation_id, dl.direction, dl.year,
		dl.quarter, dl.starts_on, dl.due_on, dl.met_on, dl.note, ` + deadlineState +
		` AS state, COALESCE(dl.met_on, ` + deadlineToday + `) - dl.due_on AS late_days`,
	from:  `deadlines dl JOIN regions rg ON rg.code = dl.region_code`,
	order: `dl.due_on NULLS LAST, dl.region_code, dl.id`, key: `dl.id`}

// FindDeadlines returns one page of the deadlines that match f, the
// earliest due first, and the count of all that match. The scope hides
// deadlines of regions outside it and, when it names directions,
// deadlines about money of other directions; a quarter's report concerns
// every direction of its region.
func (d *DB) FindDeadlines(ctx context.Context, s fundhub.Scope, f fundhub.DeadlineFilter,
	p fundhub.Page) ([]*fundhub.Deadline, int, error) {
	var w where
	w.scope(s, "dl.region_code", "")
	if !s.All && len(s.Directions) > 0 {
		w.add("(dl.direction IS NULL OR dl.direction = ANY(%s))", directionArray(s.Directions))
	}
	if f.RegionUnder != nil {
		w.under("rg.path", *f.RegionUnder)
	}
	opt(&w, "dl.kind = %s", f.Kind)
	opt(&w, "dl.year = %s", f.Year)
	opt(&w, deadlineState+" = %s", f.State)

	return findPage[fundhub.Deadline](ctx, d, deadlineList, &w, p)
}
