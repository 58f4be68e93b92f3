-- +goose Up

-- Departments of a government at one region.
CREATE TABLE units (
    id              bigserial PRIMARY KEY,
    full_name       text NOT NULL CHECK (full_name <> ''),
    region_code     text NOT NULL REFERENCES regions (code),
    department_kind text NOT NULL CHECK (department_kind IN (
        'FINANCE', 'ECO_RESTORATION', 'MARINE_MONITORING', 'GEOHAZARD',
        'OTHER_FUND_USER', 'MINISTRY_SUPPORT')),
    liaison         text,
    source_system   text,
    external_id     text,
    last_synced_at  timestamptz,
    UNIQUE (region_code, full_name)
);
CREATE UNIQUE INDEX units_source_idx ON units (source_system, external_id)
    WHERE source_system IS NOT NULL;

CREATE TABLE funds (
    id             bigserial PRIMARY KEY,
    code           text,
    name           text NOT NULL CHECK (name <> ''),
    year           integer NOT NULL CHECK (year BETWEEN 1949 AND 2200),
    category       text NOT NULL CHECK (category IN ('CENTRAL', 'LOCAL', 'SOCIAL')),
    local_level    text CHECK (local_level IN ('PROVINCE', 'CITY', 'COUNTY')),
    direction      text NOT NULL REFERENCES directions (code),
    owner_region   text NOT NULL REFERENCES regions (code),
    source_system  text,
    external_id    text,
    last_synced_at timestamptz,
    UNIQUE (name, year),
    CONSTRAINT local_fund_has_level
        CHECK ((category = 'LOCAL') = (local_level IS NOT NULL))
);
CREATE UNIQUE INDEX funds_source_idx ON funds (source_system, external_id)
    WHERE source_system IS NOT NULL;
CREATE INDEX funds_year_idx ON funds (year);

-- Approval documents (批复文件) under which money is allocated.
CREATE TABLE approval_documents (
    id            bigserial PRIMARY KEY,
    doc_no        text NOT NULL UNIQUE CHECK (doc_no <> ''),
    title         text,
    issued_on     date,
    issuer_region text REFERENCES regions (code),
    issuer_unit   bigint REFERENCES units (id)
);

CREATE TABLE projects (
    id                   bigserial PRIMARY KEY,
    code                 text UNIQUE,
    name                 text NOT NULL CHECK (name <> ''),
    region_code          text NOT NULL REFERENCES regions (code),
    direction            text NOT NULL REFERENCES directions (code),
    reserve_status       text NOT NULL DEFAULT 'APPLIED' CHECK (reserve_status IN (
        'APPLIED', 'FILED', 'ADMITTED', 'FUNDED', 'IN_PROGRESS',
        'COMPLETED', 'ADJUSTED', 'TERMINATED', 'WITHDRAWN')),
    start_on             date,
    end_on               date,
    planned_investment   numeric(20, 2) NOT NULL DEFAULT 0
        CHECK (planned_investment >= 0),
    implementing_unit_id bigint REFERENCES units (id),
    approval_ref         text,
    source_system        text,
    external_id          text,
    last_synced_at       timestamptz,
    CHECK (end_on IS NULL OR start_on IS NULL OR end_on >= start_on)
);
CREATE UNIQUE INDEX projects_source_idx ON projects (source_system, external_id)
    WHERE source_system IS NOT NULL;
CREATE INDEX projects_region_idx ON projects (region_code);

-- One step of money moving down the hierarchy. parent_id links a breakdown
-- to the allocation it breaks down; the workflow keeps children within it.
CREATE TABLE allocations (
    id               bigserial PRIMARY KEY,
    fund_id          bigint NOT NULL REFERENCES funds (id),
    from_region      text NOT NULL REFERENCES regions (code),
    to_region        text NOT NULL REFERENCES regions (code),
    project_id       bigint REFERENCES projects (id),
    amount           numeric(20, 2) NOT NULL,
    source           text NOT NULL CHECK (source IN (
        'CENTRAL_TRANSFER', 'PROVINCE_MATCH', 'CITY_MATCH', 'COUNTY_MATCH',
        'RESPONSIBLE_PARTY', 'SOCIAL_INVESTMENT')),
    document_id      bigint REFERENCES approval_documents (id),
    issued_on        date,
    received_on      date,
    filed_on         date,
    parent_id        bigint REFERENCES allocations (id),
    conflict         boolean NOT NULL DEFAULT false,
    reserve_exception text,
    withdrawn        boolean NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    source_system    text,
    external_id      text,
    last_synced_at   timestamptz,
    CONSTRAINT allocation_to_another_region CHECK (from_region <> to_region)
);
CREATE INDEX allocations_fund_idx ON allocations (fund_id);
CREATE INDEX allocations_to_idx ON allocations (to_region);
CREATE INDEX allocations_from_idx ON allocations (from_region);
CREATE INDEX allocations_project_idx ON allocations (project_id);
CREATE INDEX allocations_parent_idx ON allocations (parent_id);
CREATE INDEX allocations_match_idx
    ON allocations (fund_id, to_region, from_region, source);

-- What each source reported about an allocation. Several sources may report
-- the same allocation; each keeps its own figure and provenance.
CREATE TABLE allocation_sources (
    id             bigserial PRIMARY KEY,
    allocation_id  bigint NOT NULL REFERENCES allocations (id),
    source_system  text NOT NULL,
    external_id    text NOT NULL,
    amount         numeric(20, 2) NOT NULL,
    document_no    text,
    payload        jsonb NOT NULL DEFAULT '{}',
    last_synced_at timestamptz NOT NULL,
    UNIQUE (source_system, external_id)
);
CREATE INDEX allocation_sources_alloc_idx ON allocation_sources (allocation_id);

CREATE TABLE performance_targets (
    id             bigserial PRIMARY KEY,
    allocation_id  bigint REFERENCES allocations (id),
    project_id     bigint REFERENCES projects (id),
    region_code    text NOT NULL REFERENCES regions (code),
    fund_id        bigint REFERENCES funds (id),
    year           integer NOT NULL,
    parent_id      bigint REFERENCES performance_targets (id),
    level1         text,
    level2         text,
    indicator      text NOT NULL CHECK (indicator <> ''),
    unit           text,
    comparator     text CHECK (comparator IN ('=', '>=', '>', '<=', '<', '~')),
    target_value   numeric(24, 6),
    target_text    text,
    source_system  text,
    external_id    text,
    last_synced_at timestamptz
);
CREATE UNIQUE INDEX targets_source_idx
    ON performance_targets (source_system, external_id)
    WHERE source_system IS NOT NULL;
CREATE INDEX targets_region_idx ON performance_targets (region_code);
CREATE INDEX targets_allocation_idx ON performance_targets (allocation_id);
CREATE INDEX targets_project_idx ON performance_targets (project_id);

CREATE TABLE execution_reports (
    id             bigserial PRIMARY KEY,
    region_code    text NOT NULL REFERENCES regions (code),
    year           integer NOT NULL,
    quarter        integer NOT NULL CHECK (quarter BETWEEN 1 AND 4),
    status         text NOT NULL DEFAULT 'DRAFT' CHECK (status IN (
        'DRAFT', 'SUBMITTED', 'RETURNED', 'REVIEWED', 'TRANSMITTED')),
    submitted_at   timestamptz,
    reviewed_at    timestamptz,
    return_reason  text,
    transmitted_at timestamptz,
    source_system  text,
    external_id    text,
    last_synced_at timestamptz,
    UNIQUE (region_code, year, quarter)
);

CREATE TABLE report_lines (
    id             bigserial PRIMARY KEY,
    report_id      bigint NOT NULL REFERENCES execution_reports (id),
    allocation_id  bigint REFERENCES allocations (id),
    project_id     bigint REFERENCES projects (id),
    source         text,
    paid_amount    numeric(20, 2),
    target_id      bigint REFERENCES performance_targets (id),
    actual_value   numeric(24, 6),
    note           text,
    source_system  text,
    external_id    text,
    last_synced_at timestamptz,
    CHECK (paid_amount IS NOT NULL OR actual_value IS NOT NULL)
);
CREATE INDEX report_lines_report_idx ON report_lines (report_id);
CREATE INDEX report_lines_allocation_idx ON report_lines (allocation_id);
CREATE UNIQUE INDEX report_lines_source_idx
    ON report_lines (source_system, external_id)
    WHERE source_system IS NOT NULL;

-- Payments from the finance system. A refund is a negative amount or a row
-- that reverses another, so every movement is kept, not only the sum.
CREATE TABLE payments (
    id             bigserial PRIMARY KEY,
    allocation_id  bigint REFERENCES allocations (id),
    project_id     bigint REFERENCES projects (id),
    region_code    text NOT NULL REFERENCES regions (code),
    source         text,
    amount         numeric(20, 2) NOT NULL,
    paid_on        date NOT NULL,
    reverses_id    bigint REFERENCES payments (id),
    withdrawn      boolean NOT NULL DEFAULT false,
    source_system  text,
    external_id    text,
    last_synced_at timestamptz
);
CREATE INDEX payments_allocation_idx ON payments (allocation_id);
CREATE INDEX payments_region_idx ON payments (region_code);
CREATE UNIQUE INDEX payments_source_idx ON payments (source_system, external_id)
    WHERE source_system IS NOT NULL;

CREATE TABLE problems (
    id              bigserial PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN (
        'SLOW_PAYMENT', 'SLOW_PROGRESS', 'UNAPPROVED_CHANGE', 'MISUSE',
        'DATA_INCONSISTENCY', 'OUT_OF_RESERVE', 'LATE', 'OTHER')),
    severity        text NOT NULL DEFAULT 'MINOR'
        CHECK (severity IN ('INFO', 'MINOR', 'MAJOR', 'CRITICAL')),
    status          text NOT NULL DEFAULT 'OPEN' CHECK (status IN (
        'OPEN', 'ACKNOWLEDGED', 'RESOLVED', 'CLOSED')),
    region_code     text NOT NULL REFERENCES regions (code),
    project_id      bigint REFERENCES projects (id),
    allocation_id   bigint REFERENCES allocations (id),
    rule            text,
    dedup_key       text UNIQUE,
    title           text NOT NULL,
    detail          text NOT NULL DEFAULT '',
    raised_by       text NOT NULL,
    raised_at       timestamptz NOT NULL DEFAULT now(),
    escalated       boolean NOT NULL DEFAULT false,
    resolved_at     timestamptz,
    resolution_note text
);
CREATE INDEX problems_region_idx ON problems (region_code);
CREATE INDEX problems_status_idx ON problems (status);

CREATE TABLE problem_comments (
    id         bigserial PRIMARY KEY,
    problem_id bigint NOT NULL REFERENCES problems (id),
    author     text NOT NULL,
    body       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Changes asked for after data was transmitted to the ministry.
CREATE TABLE change_requests (
    id           bigserial PRIMARY KEY,
    entity       text NOT NULL,
    entity_id    bigint NOT NULL,
    region_code  text NOT NULL REFERENCES regions (code),
    changes      jsonb NOT NULL,
    reason       text NOT NULL CHECK (reason <> ''),
    status       text NOT NULL DEFAULT 'PENDING' CHECK (status IN (
        'PENDING', 'APPROVED', 'REJECTED', 'APPLIED')),
    requested_by text NOT NULL,
    requested_at timestamptz NOT NULL DEFAULT now(),
    decided_by   text,
    decided_at   timestamptz,
    decision_note text,
    applied_at   timestamptz
);

-- The audit log is append-only: a trigger refuses updates and deletes.
CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text NOT NULL,
    action      text NOT NULL,
    entity      text,
    entity_id   text,
    region_code text,
    before      jsonb,
    after       jsonb,
    reason      text
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id);

-- +goose StatementBegin
CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- +goose Down
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only;
DROP TABLE change_requests;
DROP TABLE problem_comments;
DROP TABLE problems;
DROP TABLE payments;
DROP TABLE report_lines;
DROP TABLE execution_reports;
DROP TABLE performance_targets;
DROP TABLE allocation_sources;
DROP TABLE allocations;
DROP TABLE projects;
DROP TABLE approval_documents;
DROP TABLE funds;
DROP TABLE units;
