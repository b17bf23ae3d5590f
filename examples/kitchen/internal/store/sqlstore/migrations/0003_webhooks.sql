-- Webhooks and idempotency keys. A customer has at most one webhook
-- endpoint; its secret is kept as it is, since signing needs it. An order
-- keeps the (scoped, hashed) idempotency key of the request that placed
-- it, so that a retry whose first answer was never stored finds it.
-- The last line stands for the table of roux's idempotency keys, as
-- package idemsql defines it for the dialect (idemsql.Schema).
CREATE TABLE webhooks (
	customer_id BIGINT NOT NULL PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
	url         TEXT   NOT NULL,
	secret      TEXT   NOT NULL,
	version     BIGINT NOT NULL DEFAULT 1,
	created_at  BIGINT NOT NULL,
	updated_at  BIGINT NOT NULL
);

ALTER TABLE orders ADD COLUMN idempotency_key TEXT;
CREATE INDEX orders_idempotency_key ON orders (idempotency_key) WHERE idempotency_key IS NOT NULL;

{{idempotency}}
