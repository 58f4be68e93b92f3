-- +goose Up

-- Failed logins counted per typed username, whether or not such a user
-- exists, so the lock that slows guessing answers alike for both and does
-- not tell which usernames exist. A row is claimed before the password is
-- checked, under its row lock, so parallel guesses cannot slip past it.
CREATE TABLE login_attempts (
    username     text PRIMARY KEY,
    failed       integer NOT NULL DEFAULT 0,
    locked_until timestamptz,
    last_at      timestamptz NOT NULL
);

ALTER TABLE users DROP COLUMN failed_logins;
ALTER TABLE users DROP COLUMN locked_until;

-- +goose Down
ALTER TABLE users ADD COLUMN failed_logins integer NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until timestamptz;
DROP TABLE login_attempts;
