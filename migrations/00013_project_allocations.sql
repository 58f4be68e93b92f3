-- +goose Up

-- A region may fund a project of its own from money it received: such an
-- allocation goes from the region to itself, to the project.
ALTER TABLE allocations DROP CONSTRAINT allocation_to_another_region;
ALTER TABLE allocations ADD CONSTRAINT allocation_to_another_region
    CHECK (from_region <> to_region OR project_id IS NOT NULL);

-- +goose Down
ALTER TABLE allocations DROP CONSTRAINT allocation_to_another_region;
ALTER TABLE allocations ADD CONSTRAINT allocation_to_another_region
    CHECK (from_region <> to_region);
