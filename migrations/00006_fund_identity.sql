-- +goose Up

-- A fund is one budget's: two provinces may each set up a local fund of the
-- same name and year, and they are two funds.
ALTER TABLE funds DROP CONSTRAINT funds_name_year_key;
ALTER TABLE funds ADD CONSTRAINT funds_name_year_owner_key
    UNIQUE (name, year, owner_region);

-- +goose Down
ALTER TABLE funds DROP CONSTRAINT funds_name_year_owner_key;
ALTER TABLE funds ADD CONSTRAINT funds_name_year_key UNIQUE (name, year);
