-- +goose Up

-- Regions are the GB/T 2260 administrative divisions plus one national root.
-- A region is never deleted: a retired code keeps its row with valid_to set
-- and may name its successor.
CREATE TABLE regions (
    code               text PRIMARY KEY CHECK (code ~ '^[0-9]{6}$'),
    name               text NOT NULL CHECK (name <> ''),
    level              text NOT NULL
        CHECK (level IN ('NATIONAL', 'PROVINCE', 'CITY', 'COUNTY')),
    parent_code        text REFERENCES regions (code),
    path               text NOT NULL,
    separately_planned boolean NOT NULL DEFAULT false,
    grouping           boolean NOT NULL DEFAULT false,
    valid_from         date NOT NULL,
    valid_to           date,
    successor_code     text REFERENCES regions (code),
    CHECK ((level = 'NATIONAL') = (parent_code IS NULL)),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX regions_parent_idx ON regions (parent_code);
CREATE INDEX regions_level_idx ON regions (level);
CREATE INDEX regions_path_idx ON regions (path text_pattern_ops);

-- Earlier names of a region, kept when an import renames it.
CREATE TABLE region_names (
    code       text NOT NULL REFERENCES regions (code),
    name       text NOT NULL,
    valid_from date NOT NULL,
    valid_to   date NOT NULL,
    PRIMARY KEY (code, valid_to)
);

INSERT INTO regions (code, name, level, path, valid_from)
VALUES ('100000', '全国', 'NATIONAL', '/100000/', '1949-10-01');

-- Public holidays and make-up working days. A date not listed is a working
-- day from Monday to Friday and a day off on Saturday and Sunday.
CREATE TABLE calendar_days (
    day        date PRIMARY KEY,
    name       text NOT NULL,
    is_off_day boolean NOT NULL
);

-- The years the calendar covers; a date outside them has no answer.
CREATE TABLE calendar_years (
    year integer PRIMARY KEY
);

-- Which reference files were loaded, so the embedded copy is loaded once and
-- never undoes a newer list imported later.
CREATE TABLE reference_imports (
    kind        text NOT NULL,
    checksum    text NOT NULL,
    source      text NOT NULL,
    imported_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, checksum)
);

-- Fund directions. New directions are added as rows.
CREATE TABLE directions (
    code    text PRIMARY KEY,
    name_zh text NOT NULL,
    name_en text NOT NULL
);
INSERT INTO directions (code, name_zh, name_en) VALUES
    ('ECO_RESTORATION', '生态保护修复（含海洋）',
     'ecological protection and restoration, including marine'),
    ('GEOHAZARD', '地质灾害防治', 'geological hazard prevention'),
    ('DISASTER_RELIEF', '自然灾害救灾', 'natural disaster relief'),
    ('OTHER', '其他', 'other');

-- +goose Down
DROP TABLE directions;
DROP TABLE reference_imports;
DROP TABLE calendar_years;
DROP TABLE calendar_days;
DROP TABLE region_names;
DROP TABLE regions;
