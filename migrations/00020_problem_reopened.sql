-- +goose Up

-- A problem a rule reopens is announced like a new one: dashboards see it
-- come back.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION problems_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR (OLD.status = 'CLOSED' AND NEW.status = 'OPEN') THEN
        PERFORM pg_notify('problems', NEW.id::text);
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER problems_reopened AFTER UPDATE OF status ON problems
    FOR EACH ROW EXECUTE FUNCTION problems_notify();

-- +goose Down
DROP TRIGGER problems_reopened ON problems;
