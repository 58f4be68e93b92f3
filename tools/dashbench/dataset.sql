-- The national data set of the dashboard bench, set-based: every table is
-- filled by one or a few INSERT ... SELECT statements, so the triggers,
-- keys and checks of the schema run as they do for the product's own writes.
--
-- Each "-- step: NAME" starts a step that dataset.go runs and times on one
-- connection. Values that look random come from pg_temp.h, a hash of a key
-- and a salt, so two runs at the same scale produce the same rows; each
-- INSERT orders its rows, so ids come out the same too.
--
-- Settings read: dashbench.projects (number of projects).

-- step: helpers
-- h(key, salt) is a non-negative hash below 2^31, the stand-in for random().
CREATE FUNCTION pg_temp.h(k bigint, salt bigint) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS 'SELECT hashint8extended(k, salt) & 2147483647';

-- The recipients of money below the nation and who issues to each: a
-- province from the nation; a 计划单列市 from the nation for central funds
-- and from its province for the province's own; another city from its
-- province; a county from its city, or from its province when the level
-- above it only groups counties (市辖区, 省直辖县级行政区划). Only regions
-- with counties below them take part.
CREATE TEMP TABLE dash_recipients AS
WITH counties AS (
    SELECT c.code, c.name, split_part(c.path, '/', 3) AS province,
        CASE WHEN m.level = 'CITY' AND NOT m.grouping THEN m.code END AS city,
        m.separately_planned AS sp
    FROM regions c JOIN regions m ON m.code = c.parent_code
    WHERE c.level = 'COUNTY' AND c.valid_to IS NULL
)
SELECT code, name, 'COUNTY' AS level, province, COALESCE(city, province) AS issuer_central,
    COALESCE(city, province) AS issuer_local
FROM counties
UNION ALL
SELECT DISTINCT m.code, m.name, 'CITY', c.province,
    CASE WHEN c.sp THEN '100000' ELSE c.province END, c.province
FROM counties c JOIN regions m ON m.code = c.city
UNION ALL
SELECT DISTINCT p.code, p.name, 'PROVINCE', p.code, '100000', NULL
FROM counties c JOIN regions p ON p.code = c.province;
CREATE INDEX ON dash_recipients (issuer_central);
CREATE INDEX ON dash_recipients (issuer_local);
ANALYZE dash_recipients;

-- step: funds
-- Two central funds (two batches) per direction and year, owned by the
-- nation, and one local fund per province, direction and year.
INSERT INTO funds (code, name, year, category, local_level, direction, owner_region,
    progress_by)
SELECT code, name, year, category, local_level, direction, owner, progress_by
FROM (
    SELECT format('C%s-%s-%s', y, d.code, k) AS code,
        format('中央财政%s资金（%s年第%s批）', d.name_zh, y, k) AS name,
        y AS year, 'CENTRAL' AS category, NULL AS local_level, d.code AS direction,
        '100000' AS owner, 'DAYS' AS progress_by, 0 AS o1, d.code AS o2, k AS o3
    FROM generate_series(2021, 2025) AS y CROSS JOIN directions d
        CROSS JOIN generate_series(1, 2) AS k
    UNION ALL
    SELECT format('L%s-%s-%s', y, p.code, d.code),
        format('%s%s省级资金（%s年）', p.name, d.name_zh, y),
        y, 'LOCAL', 'PROVINCE', d.code, p.code,
        CASE WHEN pg_temp.h(p.code::bigint, y) % 4 = 0 THEN 'MONTHS' ELSE 'DAYS' END,
        p.code::int, d.code, 0
    FROM generate_series(2021, 2025) AS y CROSS JOIN directions d
        CROSS JOIN regions p
    WHERE p.code IN (SELECT code FROM dash_recipients WHERE level = 'PROVINCE')
) f
ORDER BY year, o1, o2, o3;

-- step: documents
-- One approval document per fund and issuing region.
INSERT INTO approval_documents (doc_no, title, issued_on, issuer_region)
SELECT format('%s〔%s〕%s号', i.issuer, f.year, f.id), format('关于下达%s的通知', f.name),
    make_date(f.year, 1, 10) + (pg_temp.h(f.id * 1000003 + i.issuer::bigint, 1) % 150)::int,
    i.issuer
FROM funds f
JOIN LATERAL (
    SELECT DISTINCT r.issuer_central AS issuer FROM dash_recipients r
    WHERE f.category = 'CENTRAL'
    UNION
    SELECT DISTINCT r.issuer_local FROM dash_recipients r
    WHERE f.category = 'LOCAL' AND r.province = f.owner_region AND r.issuer_local IS NOT NULL
) i ON true
ORDER BY f.id, i.issuer;

-- step: allocations_top
-- What the owner of each fund issues first: a central fund from the nation
-- to the provinces and 计划单列市; a local fund from its province to the
-- cities and grouped counties, split by weight.
INSERT INTO allocations (fund_id, from_region, to_region, amount, source, document_id,
    issued_on, received_on, filed_on, created_at, updated_at)
SELECT t.fund_id, t.issuer, t.code, t.amount, t.source, doc.id, t.issued_on,
    CASE WHEN t.hash % 17 <> 0 THEN t.issued_on + (2 + t.hash % 10)::int END,
    CASE WHEN t.hash % 13 <> 0 THEN t.issued_on + (5 + t.hash % 40)::int END,
    t.issued_on, t.issued_on
FROM (
    SELECT f.id AS fund_id, f.year, '100000' AS issuer, r.code, 'CENTRAL_TRANSFER' AS source,
        round(CASE r.level WHEN 'PROVINCE' THEN 100000000 ELSE 10000000 END
            * (1 + (pg_temp.h(f.id * 1000003 + r.code::bigint, 2) % 900) / 100.0), -4)
            AS amount,
        make_date(f.year, 1, 20) + (pg_temp.h(f.id, 3) % 120)::int AS issued_on,
        pg_temp.h(f.id * 1000003 + r.code::bigint, 4) AS hash
    FROM funds f JOIN dash_recipients r ON r.issuer_central = '100000'
    WHERE f.category = 'CENTRAL'
    UNION ALL
    SELECT f.id, f.year, f.owner_region, r.code, 'PROVINCE_MATCH',
        trunc((20000000 + pg_temp.h(f.id, 5) % 180000000) * 0.95 * r.w
            / sum(r.w) OVER (PARTITION BY f.id), 2),
        make_date(f.year, 2, 1) + (pg_temp.h(f.id, 6) % 180)::int,
        pg_temp.h(f.id * 1000003 + r.code::bigint, 4)
    FROM funds f
    JOIN LATERAL (SELECT r.code, 50 + pg_temp.h(f.id * 1000003 + r.code::bigint, 7) % 100 AS w
        FROM dash_recipients r WHERE r.issuer_local = f.owner_region) r ON true
    WHERE f.category = 'LOCAL'
) t
JOIN approval_documents doc
    ON doc.doc_no = format('%s〔%s〕%s号', t.issuer, t.year, t.fund_id)
ORDER BY t.fund_id, t.code;

-- step: allocations_province
-- A province passes each central allocation on to its cities and grouped
-- counties: 90% of it, split by weight, some after the 30 days allowed.
INSERT INTO allocations (fund_id, from_region, to_region, amount, source, document_id,
    issued_on, received_on, filed_on, parent_id, created_at, updated_at)
SELECT c.fund_id, c.issuer, c.code, c.amount, c.source, doc.id, c.issued_on,
    CASE WHEN c.hash % 17 <> 0 THEN c.issued_on + (1 + c.hash % 10)::int END,
    CASE WHEN c.hash % 11 <> 0 THEN c.issued_on + (5 + c.hash % 50)::int END,
    c.parent_id, c.issued_on, c.issued_on
FROM (
    SELECT pa.id AS parent_id, pa.fund_id, f.year, pa.to_region AS issuer, r.code,
        pa.source, trunc(pa.amount * 0.9 * r.w / sum(r.w) OVER (PARTITION BY pa.id), 2)
            AS amount,
        COALESCE(pa.received_on, pa.issued_on) + (3 + pg_temp.h(pa.id, 8) % 45)::int
            AS issued_on,
        pg_temp.h(pa.id * 1000003 + r.code::bigint, 9) AS hash
    FROM allocations pa JOIN funds f ON f.id = pa.fund_id
    JOIN regions pr ON pr.code = pa.to_region AND pr.level = 'PROVINCE'
    JOIN LATERAL (SELECT r.code, 50 + pg_temp.h(pa.id * 1000003 + r.code::bigint, 7) % 100
            AS w
        FROM dash_recipients r WHERE r.issuer_central = pa.to_region) r ON true
    WHERE f.category = 'CENTRAL'
) c
JOIN approval_documents doc ON doc.doc_no = format('%s〔%s〕%s号', c.issuer, c.year, c.fund_id)
ORDER BY c.parent_id, c.code;

-- step: allocations_city
-- Each city passes every allocation it received on to its counties, 95% of
-- it, split by weight.
INSERT INTO allocations (fund_id, from_region, to_region, amount, source, document_id,
    issued_on, received_on, filed_on, parent_id, created_at, updated_at)
SELECT c.fund_id, c.issuer, c.code, c.amount, c.source, doc.id, c.issued_on,
    CASE WHEN c.hash % 19 <> 0 THEN c.issued_on + (1 + c.hash % 8)::int END,
    CASE WHEN c.hash % 11 <> 0 THEN c.issued_on + (5 + c.hash % 50)::int END,
    c.parent_id, c.issued_on, c.issued_on
FROM (
    SELECT pa.id AS parent_id, pa.fund_id, f.year, pa.to_region AS issuer, r.code,
        pa.source, trunc(pa.amount * 0.95 * r.w / sum(r.w) OVER (PARTITION BY pa.id), 2)
            AS amount,
        COALESCE(pa.received_on, pa.issued_on) + (3 + pg_temp.h(pa.id, 10) % 40)::int
            AS issued_on,
        pg_temp.h(pa.id * 1000003 + r.code::bigint, 11) AS hash
    FROM allocations pa JOIN funds f ON f.id = pa.fund_id
    JOIN regions cr ON cr.code = pa.to_region AND cr.level = 'CITY'
    JOIN LATERAL (SELECT r.code, 50 + pg_temp.h(pa.id * 1000003 + r.code::bigint, 7) % 100
            AS w
        FROM dash_recipients r WHERE r.level = 'COUNTY' AND r.issuer_central = pa.to_region) r
        ON true
) c
JOIN approval_documents doc ON doc.doc_no = format('%s〔%s〕%s号', c.issuer, c.year, c.fund_id)
ORDER BY c.parent_id, c.code;
ANALYZE allocations;

-- step: project_plan
-- Project i lies in county i modulo the number of counties, so every
-- county has about the same number; its year, direction and the county
-- allocation that funds it come from hashes of i. It receives 85% of that
-- allocation split by weight among the projects the allocation funds.
CREATE TEMP TABLE dash_picks AS
WITH counties AS (
    SELECT code, name, row_number() OVER (ORDER BY code) - 1 AS n
    FROM dash_recipients WHERE level = 'COUNTY'
)
SELECT i, c.code AS county, c.name AS county_name,
    (2021 + pg_temp.h(i, 12) % 5)::int AS year,
    CASE WHEN pg_temp.h(i, 13) % 100 < 45 THEN 'ECO_RESTORATION'
        WHEN pg_temp.h(i, 13) % 100 < 75 THEN 'GEOHAZARD'
        WHEN pg_temp.h(i, 13) % 100 < 90 THEN 'DISASTER_RELIEF'
        ELSE 'OTHER' END AS direction,
    pg_temp.h(i, 14) AS hash
FROM generate_series(0, current_setting('dashbench.projects')::bigint - 1) AS i
JOIN counties c ON c.n = i % (SELECT count(*) FROM counties);
ANALYZE dash_picks;

CREATE TEMP TABLE dash_candidates AS
SELECT a.id, a.to_region, a.amount, a.source, a.issued_on, a.received_on,
    f.id AS fund_id, f.year, f.direction,
    row_number() OVER (PARTITION BY a.to_region, f.year, f.direction ORDER BY a.id) - 1 AS k,
    count(*) OVER (PARTITION BY a.to_region, f.year, f.direction) AS n
FROM allocations a JOIN funds f ON f.id = a.fund_id
JOIN regions r ON r.code = a.to_region AND r.level = 'COUNTY';
ANALYZE dash_candidates;

CREATE TEMP TABLE dash_plan AS
SELECT p.*, ca.id AS parent_id, ca.fund_id, ca.source,
    COALESCE(ca.received_on, ca.issued_on) + (5 + p.hash % 60)::int AS issued_on,
    trunc(ca.amount * 0.85 * (50 + p.hash % 100)
        / sum(50 + p.hash % 100) OVER (PARTITION BY ca.id), 2) AS amount
FROM dash_picks p JOIN dash_candidates ca ON ca.to_region = p.county AND ca.year = p.year
    AND ca.direction = p.direction AND ca.k = p.hash % ca.n;
CREATE UNIQUE INDEX ON dash_plan (i);

-- step: projects
-- The projects of the plan, most funded or under way, older ones mostly
-- completed; planned investment above the allocation each receives.
INSERT INTO projects (code, name, region_code, direction, reserve_status, start_on, end_on,
    planned_investment, approval_ref, source_system, external_id, last_synced_at)
SELECT format('XM%s-%s-%s', p.county, p.year, lpad(p.i::text, 7, '0')),
    format('%s%s年%s项目（%s）', p.county_name, p.year, d.name_zh, p.i),
    p.county, p.direction,
    CASE WHEN p.hash % 100 < 2 THEN 'TERMINATED'
        WHEN p.hash % 100 < 6 THEN 'ADJUSTED'
        WHEN p.hash % 100 < 20 + 15 * (2025 - p.year) THEN 'COMPLETED'
        WHEN p.hash % 100 < 85 THEN 'IN_PROGRESS'
        ELSE 'FUNDED' END,
    p.issued_on, p.issued_on + (180 + p.hash % 540)::int,
    round(p.amount * (1.1 + (p.hash % 90) / 100.0), 2),
    CASE WHEN p.hash % 100 < 6 THEN format('调整批复〔%s〕%s号', p.year, p.i) END,
    'dashbench-reserve', format('XM%s', p.i), make_date(p.year, 12, 31)
FROM dash_plan p JOIN directions d ON d.code = p.direction
ORDER BY p.i;

-- step: allocations_project
-- One allocation per project, from its county to itself, breaking down the
-- county allocation of the plan.
INSERT INTO allocations (fund_id, from_region, to_region, project_id, amount, source,
    issued_on, received_on, filed_on, parent_id, created_at, updated_at)
SELECT p.fund_id, p.county, p.county, pj.id, p.amount, p.source, p.issued_on,
    p.issued_on, CASE WHEN p.hash % 9 <> 0 THEN p.issued_on + (3 + p.hash % 30)::int END,
    p.parent_id, p.issued_on, p.issued_on
FROM dash_plan p JOIN projects pj ON pj.external_id = format('XM%s', p.i)
    AND pj.source_system = 'dashbench-reserve'
ORDER BY p.i;
ANALYZE allocations;
ANALYZE projects;

-- step: targets
-- Three targets per project, on its allocation: two quantities of its
-- direction and the satisfaction of those it serves.
INSERT INTO performance_targets (allocation_id, project_id, region_code, fund_id, year,
    level1, level2, indicator, unit, comparator, target_value)
SELECT a.id, a.project_id, a.to_region, a.fund_id, f.year, t.level1, t.level2,
    t.indicator, t.unit, '>=', t.value
FROM allocations a JOIN funds f ON f.id = a.fund_id
CROSS JOIN LATERAL (VALUES
    (1, '产出指标', '数量指标', CASE f.direction
            WHEN 'ECO_RESTORATION' THEN '生态修复治理面积'
            WHEN 'GEOHAZARD' THEN '地质灾害隐患点治理数量'
            WHEN 'DISASTER_RELIEF' THEN '受灾群众救助人数'
            ELSE '完成建设任务数量' END,
        CASE f.direction WHEN 'ECO_RESTORATION' THEN '公顷' WHEN 'GEOHAZARD' THEN '处'
            WHEN 'DISASTER_RELIEF' THEN '人' ELSE '个' END,
        (10 + pg_temp.h(a.id, 15) % 990)::numeric),
    (2, '产出指标', '数量指标', '项目开工数量', '个', (1 + pg_temp.h(a.id, 16) % 5)::numeric),
    (3, '满意度指标', '服务对象满意度指标', '受益群众满意度', '%', 90::numeric)
) AS t (n, level1, level2, indicator, unit, value)
WHERE a.project_id IS NOT NULL
ORDER BY a.id, t.n;

-- step: payments
-- Each project's allocation is paid in 20 to 60 movements from its
-- receipt on, into the next year, up to 94% of it at most: the weights of
-- each pair of movements sum to 2, so the n movements sum to at most
-- amount * share. One movement in 500 was withdrawn at its source.
INSERT INTO payments (allocation_id, project_id, region_code, source, amount, paid_on,
    withdrawn, project_code, source_system, external_id, last_synced_at)
SELECT a.id, a.project_id, a.to_region, a.source,
    trunc(a.amount * a.share * (1 + (CASE WHEN j % 2 = 1 THEN -1 ELSE 1 END)
        * (pg_temp.h(a.id * 64 + (j + 1) / 2, 17) % 80) / 100.0) / a.n, 2),
    a.start_on + (a.span * j / a.n)::int,
    pg_temp.h(a.id * 64 + j, 18) % 500 = 0,
    a.code, 'dashbench-finance', format('PV%s-%s', a.id, j),
    make_date(a.year + 1, 12, 31)
FROM (
    SELECT a.id, a.project_id, a.to_region, a.source, a.amount, pj.code, f.year,
        2 * (10 + pg_temp.h(a.id, 19) % 21) AS n,
        0.35 + (pg_temp.h(a.id, 20) % 60) / 100.0 AS share,
        COALESCE(a.received_on, a.issued_on) AS start_on,
        LEAST(200 + pg_temp.h(a.id, 21) % 400,
            make_date(f.year + 1, 6, 30) - COALESCE(a.received_on, a.issued_on)) AS span
    FROM allocations a JOIN funds f ON f.id = a.fund_id
    JOIN projects pj ON pj.id = a.project_id
) a
CROSS JOIN LATERAL generate_series(1, a.n) AS j
ORDER BY a.id, j;

-- step: refunds
-- About one movement in a hundred is partly refunded weeks later, by a row
-- that reverses it.
INSERT INTO payments (allocation_id, project_id, region_code, source, amount, paid_on,
    reverses_id, reverses_external_id, project_code, source_system, external_id,
    last_synced_at)
SELECT p.allocation_id, p.project_id, p.region_code, p.source,
    -trunc(p.amount * (20 + pg_temp.h(p.id, 22) % 80) / 100.0, 2),
    p.paid_on + (10 + pg_temp.h(p.id, 23) % 50)::int, p.id, p.external_id, p.project_code,
    p.source_system, 'RF' || substr(p.external_id, 3), p.last_synced_at
FROM payments p
WHERE p.source_system = 'dashbench-finance' AND NOT p.withdrawn
    AND pg_temp.h(p.id, 24) % 100 = 0
ORDER BY p.id;
ANALYZE payments;

-- step: reports
-- A report per county, year and quarter; the past ones transmitted, the
-- last quarters still on their way up.
INSERT INTO execution_reports (region_code, year, quarter, status, submitted_at,
    reviewed_at, transmitted_at, return_reason)
SELECT r.code, y, q, s.status,
    CASE WHEN s.status <> 'DRAFT' THEN s.due + interval '10 days' END,
    CASE WHEN s.status IN ('REVIEWED', 'TRANSMITTED') THEN s.due + interval '15 days' END,
    CASE WHEN s.status = 'TRANSMITTED' THEN s.due + interval '20 days' END,
    CASE WHEN s.status = 'RETURNED' THEN '支出进度与财政系统不符，请核实' END
FROM dash_recipients r CROSS JOIN generate_series(2021, 2025) AS y
CROSS JOIN generate_series(1, 4) AS q
CROSS JOIN LATERAL (SELECT make_date(y, 1, 1) + make_interval(months => 3 * q) AS due,
    CASE WHEN y < 2025 OR q < 3 THEN
            CASE WHEN pg_temp.h(r.code::bigint * 100 + (y - 2000) * 4 + q, 25) % 100 < 2
                THEN 'RETURNED' ELSE 'TRANSMITTED' END
        WHEN q = 3 THEN 'REVIEWED'
        WHEN pg_temp.h(r.code::bigint, 26) % 3 = 0 THEN 'DRAFT'
        ELSE 'SUBMITTED' END AS status) s
WHERE r.level = 'COUNTY'
ORDER BY r.code, y, q;

-- step: report_lines
-- Each quarter's report says what was paid from each project allocation
-- by the quarter's end, as the payments recorded it, and how far each
-- target has come.
INSERT INTO report_lines (report_id, allocation_id, project_id, source, paid_amount)
SELECT er.id, a.id, a.project_id, a.source, q.paid
FROM (
    SELECT a.id, a.project_id, a.source, a.to_region, f.year,
        COALESCE(sum(p.amount) FILTER (WHERE p.paid_on < make_date(f.year, 4, 1)), 0) AS q1,
        COALESCE(sum(p.amount) FILTER (WHERE p.paid_on < make_date(f.year, 7, 1)), 0) AS q2,
        COALESCE(sum(p.amount) FILTER (WHERE p.paid_on < make_date(f.year, 10, 1)), 0)
            AS q3,
        COALESCE(sum(p.amount) FILTER (WHERE p.paid_on < make_date(f.year + 1, 1, 1)), 0)
            AS q4
    FROM allocations a JOIN funds f ON f.id = a.fund_id
    LEFT JOIN payments p ON p.allocation_id = a.id AND NOT p.withdrawn
    WHERE a.project_id IS NOT NULL
    GROUP BY a.id, f.year
) a
CROSS JOIN LATERAL (VALUES (1, a.q1), (2, a.q2), (3, a.q3), (4, a.q4)) AS q (quarter, paid)
JOIN execution_reports er ON er.region_code = a.to_region AND er.year = a.year
    AND er.quarter = q.quarter
ORDER BY a.id, q.quarter;

INSERT INTO report_lines (report_id, allocation_id, project_id, target_id, actual_value,
    unit)
SELECT er.id, t.allocation_id, t.project_id, t.id,
    round(t.target_value * LEAST(1.0, q * (60 + pg_temp.h(t.id, 27) % 60) / 400.0), 2),
    t.unit
FROM performance_targets t CROSS JOIN generate_series(1, 4) AS q
JOIN execution_reports er ON er.region_code = t.region_code AND er.year = t.year
    AND er.quarter = q
WHERE t.project_id IS NOT NULL
ORDER BY t.id, q;

-- step: problems
-- A problem raised about one project in ten: kinds, severities and
-- statuses in the proportions a monitor and its officials leave.
INSERT INTO problems (kind, severity, status, region_code, project_id, allocation_id, rule,
    dedup_key, title, detail, raised_by, raised_at, resolved_at)
SELECT x.kind, x.severity, x.status, a.to_region, a.project_id, a.id, 'dashbench',
    format('dashbench:%s', a.id), format('%s：%s', x.kind, pj.name), '', 'monitor',
    x.raised_at,
    CASE WHEN x.status IN ('RESOLVED', 'CLOSED') THEN x.raised_at + interval '20 days' END
FROM allocations a JOIN projects pj ON pj.id = a.project_id
JOIN funds f ON f.id = a.fund_id
CROSS JOIN LATERAL (SELECT
    (ARRAY['SLOW_PAYMENT', 'SLOW_PAYMENT', 'SLOW_PAYMENT', 'SLOW_PROGRESS', 'SLOW_PROGRESS',
        'LATE', 'LATE', 'DATA_INCONSISTENCY', 'OUT_OF_RESERVE', 'OTHER'])
        [1 + (pg_temp.h(a.id, 29) % 10)::int] AS kind,
    (ARRAY['INFO', 'MINOR', 'MINOR', 'MINOR', 'MAJOR', 'MAJOR', 'CRITICAL'])
        [1 + (pg_temp.h(a.id, 30) % 7)::int] AS severity,
    (ARRAY['OPEN', 'OPEN', 'OPEN', 'ACKNOWLEDGED', 'RESOLVED', 'CLOSED'])
        [1 + (pg_temp.h(a.id, 31) % 6)::int] AS status,
    make_date(f.year, 4, 1) + make_interval(days => (pg_temp.h(a.id, 32) % 400)::int)
        AS raised_at) x
WHERE a.project_id IS NOT NULL AND pg_temp.h(a.id, 28) % 10 = 0
ORDER BY a.id;
