-- The kitchen's work moves to River (whose own tables rivermigrate makes):
-- an order keeps the id of the job that cooks it and the time cooking
-- began, from which each line's time to be done follows; the leases go.
ALTER TABLE orders ADD COLUMN job_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN cooking_at BIGINT NOT NULL DEFAULT 0;
DROP INDEX orders_active;
ALTER TABLE orders DROP COLUMN lease_owner;
ALTER TABLE orders DROP COLUMN lease_until;
