-- +goose Up

-- Random keys the server draws once and keeps, such as the key that turns
-- typed usernames into the names login_attempts counts under, so that a
-- password typed into the username field is never stored as typed.
CREATE TABLE server_secrets (
    name  text PRIMARY KEY,
    value bytea NOT NULL CHECK (length(value) >= 32)
);

-- Rows typed before this keying are dropped: they held names as typed.
DELETE FROM login_attempts;
CREATE INDEX login_attempts_last_idx ON login_attempts (last_at);

-- +goose Down
DROP INDEX login_attempts_last_idx;
DROP TABLE server_secrets;
