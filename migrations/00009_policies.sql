-- +goose Up

-- Casbin policy rules of package authz, one row per rule, in Casbin's usual
-- layout: ptype ("p") and the rule's fields v0..v5, unused ones empty. A p
-- rule reads role, region, direction, action and grants the action on the
-- direction ("*" for every one) in the region's whole subtree.
CREATE TABLE casbin_rules (
    id    bigserial PRIMARY KEY,
    ptype text NOT NULL,
    v0    text NOT NULL DEFAULT '',
    v1    text NOT NULL DEFAULT '',
    v2    text NOT NULL DEFAULT '',
    v3    text NOT NULL DEFAULT '',
    v4    text NOT NULL DEFAULT '',
    v5    text NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX casbin_rules_rule_idx ON casbin_rules (ptype, v0, v1, v2, v3, v4, v5);

-- Every replica listens on channel casbin_rules and reloads its policies
-- when another one changes them.
-- +goose StatementBegin
CREATE FUNCTION casbin_rules_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('casbin_rules', TG_OP);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER casbin_rules_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON casbin_rules
    FOR EACH STATEMENT EXECUTE FUNCTION casbin_rules_notify();

-- The default policies; authz.DefaultPolicies is the same table in Go, and
-- a test keeps the two equal.
INSERT INTO casbin_rules (ptype, v0, v1, v2, v3) VALUES
    ('p', 'finance', '100000', '*', 'read'),
    ('p', 'finance', '100000', '*', 'write'),
    ('p', 'finance', '100000', '*', 'submit'),
    ('p', 'finance', '100000', '*', 'review'),
    ('p', 'finance', '100000', '*', 'transmit'),
    ('p', 'eco_restoration', '100000', 'ECO_RESTORATION', 'read'),
    ('p', 'eco_restoration', '100000', 'ECO_RESTORATION', 'write'),
    ('p', 'eco_restoration', '100000', 'ECO_RESTORATION', 'submit'),
    ('p', 'geohazard', '100000', 'GEOHAZARD', 'read'),
    ('p', 'geohazard', '100000', 'GEOHAZARD', 'write'),
    ('p', 'geohazard', '100000', 'GEOHAZARD', 'submit'),
    ('p', 'marine_monitoring', '100000', 'ECO_RESTORATION', 'read'),
    ('p', 'ministry_support', '100000', '*', 'read'),
    ('p', 'admin', '100000', '*', 'manage_users'),
    ('p', 'admin', '100000', '*', 'manage_connectors');

-- +goose Down
DROP TABLE casbin_rules;
DROP FUNCTION casbin_rules_notify();
