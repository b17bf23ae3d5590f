-- The kitchen's first schema. Times are Unix milliseconds, money is cents.
CREATE TABLE dishes (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	name         TEXT    NOT NULL,
	description  TEXT    NOT NULL DEFAULT '',
	price_cents  INTEGER NOT NULL CHECK (price_cents > 0),
	station      TEXT    NOT NULL,
	prep_seconds INTEGER NOT NULL CHECK (prep_seconds >= 0),
	available    INTEGER NOT NULL DEFAULT 1,
	version      INTEGER NOT NULL DEFAULT 1,
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL
);
CREATE INDEX dishes_price ON dishes (price_cents, id);
CREATE INDEX dishes_name ON dishes (name, id);

CREATE TABLE dish_tags (
	dish_id INTEGER NOT NULL REFERENCES dishes (id) ON DELETE CASCADE,
	tag     TEXT    NOT NULL,
	PRIMARY KEY (dish_id, tag)
);
CREATE INDEX dish_tags_tag ON dish_tags (tag, dish_id);

CREATE TABLE customers (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	name       TEXT    NOT NULL,
	token_hash TEXT    NOT NULL UNIQUE,
	created_at INTEGER NOT NULL
);

CREATE TABLE orders (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	customer_id INTEGER NOT NULL REFERENCES customers (id),
	status      TEXT    NOT NULL,
	note        TEXT    NOT NULL DEFAULT '',
	version     INTEGER NOT NULL DEFAULT 1,
	event_seq   INTEGER NOT NULL DEFAULT 0,
	lease_owner TEXT    NOT NULL DEFAULT '',
	lease_until INTEGER NOT NULL DEFAULT 0,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
);
CREATE INDEX orders_customer ON orders (customer_id, id);
CREATE INDEX orders_active ON orders (status, lease_until);

CREATE TABLE order_items (
	order_id         INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
	line             INTEGER NOT NULL,
	dish_id          INTEGER REFERENCES dishes (id) ON DELETE SET NULL,
	name             TEXT    NOT NULL,
	unit_price_cents INTEGER NOT NULL,
	quantity         INTEGER NOT NULL CHECK (quantity > 0),
	station          TEXT    NOT NULL,
	prep_seconds     INTEGER NOT NULL,
	status           TEXT    NOT NULL,
	PRIMARY KEY (order_id, line)
);
CREATE INDEX order_items_dish ON order_items (dish_id);

CREATE TABLE order_events (
	order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
	seq      INTEGER NOT NULL,
	at       INTEGER NOT NULL,
	kind     TEXT    NOT NULL,
	line     INTEGER NOT NULL DEFAULT 0,
	status   TEXT    NOT NULL,
	PRIMARY KEY (order_id, seq)
);
