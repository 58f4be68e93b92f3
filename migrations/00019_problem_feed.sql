-- +goose Up

-- Every new problem is announced on channel problems with its id, so
-- dashboards subscribed on any replica hear of it at once.
-- +goose StatementBegin
CREATE FUNCTION problems_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('problems', NEW.id::text);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER problems_raised AFTER INSERT ON problems
    FOR EACH ROW EXECUTE FUNCTION problems_notify();

-- +goose Down
DROP TRIGGER problems_raised ON problems;
DROP FUNCTION problems_notify();
