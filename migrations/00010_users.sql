-- +goose Up

-- Officials who sign in. A user belongs to one unit and holds roles at the
-- unit's region; the roles name Casbin policy subjects (casbin_rules.v0).
-- Only a bcrypt hash of the password is kept. failed_logins counts the
-- failures since the last success; locked_until slows repeated guessing.
CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    username      text NOT NULL CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,62}$'),
    display_name  text NOT NULL CHECK (display_name <> ''),
    unit_id       bigint NOT NULL REFERENCES units (id),
    roles         text[] NOT NULL DEFAULT '{}',
    password_hash text NOT NULL,
    disabled      boolean NOT NULL DEFAULT false,
    failed_logins integer NOT NULL DEFAULT 0,
    locked_until  timestamptz,
    last_login_at timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    created_by    text NOT NULL
);
CREATE UNIQUE INDEX users_username_idx ON users (username);
CREATE INDEX users_unit_idx ON users (unit_id);

-- Bearer tokens: SESSION tokens come from a login and expire within hours;
-- API tokens are made for dashboards and connectors, carry a name and live
-- long. Only a SHA-256 hash of a token is kept, so a copy of this table
-- opens nothing. A revoked or expired token stops working on its next use:
-- every request reads this table.
CREATE TABLE auth_tokens (
    id           bigserial PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id),
    kind         text NOT NULL CHECK (kind IN ('SESSION', 'API')),
    name         text NOT NULL DEFAULT '',
    token_hash   bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    last_used_at timestamptz,
    CHECK (kind = 'SESSION' OR name <> '')
);
CREATE INDEX auth_tokens_user_idx ON auth_tokens (user_id);

-- Audit records of the API name the user who acted.
ALTER TABLE audit_log ADD COLUMN user_id bigint REFERENCES users (id);
CREATE INDEX audit_log_user_idx ON audit_log (user_id, at);

-- +goose Down
DROP INDEX audit_log_user_idx;
ALTER TABLE audit_log DROP COLUMN user_id;
DROP TABLE auth_tokens;
DROP TABLE users;
