-- The kitchen's first schema. Times are Unix milliseconds, money is cents.
-- {{id}} is the dialect's auto-numbered primary key (sqlstore.Dialect.AutoID).
CREATE TABLE dishes (
	id           {{id}},
	name         TEXT    NOT NULL,
	description  TEXT    NOT NULL DEFAULT '',
	price_cents  BIGINT  NOT NULL CHECK (price_cents > 0),
	station      TEXT    NOT NULL,
	prep_seconds BIGINT  NOT NULL CHECK (prep_seconds >= 0),
	available    BOOLEAN NOT NULL DEFAULT TRUE,
	version      BIGINT  NOT NULL DEFAULT 1,
	created_at   BIGINT  NOT NULL,
	updated_at   BIGINT  NOT NULL
);
CREATE INDEX dishes_price ON dishes (price_cents, id);
CREATE INDEX dishes_name ON dishes (name, id);

CREATE TABLE dish_tags (
	dish_id BIGINT  NOT NULL REFERENCES dishes (id) ON DELETE CASCADE,
	tag     TEXT    NOT NULL,
	PRIMARY KEY (dish_id, tag)
);
CREATE INDEX dish_tags_tag ON dish_tags (tag, dish_id);

CREATE TABLE customers (
	id         {{id}},
	name       TEXT    NOT NULL,
	token_hash TEXT    NOT NULL UNIQUE,
	created_at BIGINT  NOT NULL
);

CREATE TABLE orders (
	id          {{id}},
	customer_id BIGINT  NOT NULL REFERENCES customers (id),
	status      TEXT    NOT NULL,
	note        TEXT    NOT NULL DEFAULT '',
	version     BIGINT  NOT NULL DEFAULT 1,
	event_seq   BIGINT  NOT NULL DEFAULT 0,
	lease_owner TEXT    NOT NULL DEFAULT '',
	lease_until BIGINT  NOT NULL DEFAULT 0,
	created_at  BIGINT  NOT NULL,
	updated_at  BIGINT  NOT NULL
);
CREATE INDEX orders_customer ON orders (customer_id, id);
CREATE INDEX orders_active ON orders (status, lease_until);

CREATE TABLE order_items (
	order_id         BIGINT  NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
	line             BIGINT  NOT NULL,
	dish_id          BIGINT  REFERENCES dishes (id) ON DELETE SET NULL,
	name             TEXT    NOT NULL,
	unit_price_cents BIGINT  NOT NULL,
	quantity         BIGINT  NOT NULL CHECK (quantity > 0),
	station          TEXT    NOT NULL,
	prep_seconds     BIGINT  NOT NULL,
	status           TEXT    NOT NULL,
	PRIMARY KEY (order_id, line)
);
CREATE INDEX order_items_dish ON order_items (dish_id);

CREATE TABLE order_events (
	order_id BIGINT  NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
	seq      BIGINT  NOT NULL,
	at       BIGINT  NOT NULL,
	kind     TEXT    NOT NULL,
	line     BIGINT  NOT NULL DEFAULT 0,
	status   TEXT    NOT NULL,
	PRIMARY KEY (order_id, seq)
);
