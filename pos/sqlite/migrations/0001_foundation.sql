-- The foundation: node identity, catalog, stock, carts, sales, staff, the outbox.

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;

-- Gap-free counters (receipt numbers, event sequence, ...), advanced only
-- inside the transaction that uses the number.
CREATE TABLE counters (
	name  TEXT PRIMARY KEY,
	value INTEGER NOT NULL
) STRICT;

CREATE TABLE settings (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	version INTEGER NOT NULL,
	doc     TEXT NOT NULL
) STRICT;

CREATE TABLE items (
	sku         TEXT PRIMARY KEY,
	active      INTEGER NOT NULL,
	names       TEXT NOT NULL,   -- JSON object by language
	search      TEXT NOT NULL,   -- lower-cased names and sku for search
	unit        TEXT NOT NULL CHECK (unit IN ('each', 'kg')),
	price       INTEGER NOT NULL,
	tax_rate_bp INTEGER NOT NULL,
	location    TEXT NOT NULL DEFAULT '',
	page        TEXT NOT NULL DEFAULT ''  -- central's catalog page, '' for local imports
) STRICT;
CREATE INDEX items_page ON items(page);

CREATE TABLE barcodes (
	code TEXT PRIMARY KEY,  -- normalised key (see pos.NormalizeBarcode)
	sku  TEXT NOT NULL REFERENCES items(sku) ON DELETE CASCADE
) STRICT;
CREATE INDEX barcodes_sku ON barcodes(sku);

-- Central's count per SKU as of a point in this node's event stream.
CREATE TABLE stock_central (
	sku      TEXT PRIMARY KEY,
	on_hand  INTEGER NOT NULL,
	as_epoch TEXT NOT NULL DEFAULT '',
	as_seq   INTEGER NOT NULL DEFAULT 0,
	page     TEXT NOT NULL DEFAULT ''
) STRICT;

-- This node's own stock movements; seq is the event that carries each.
CREATE TABLE movements (
	id     INTEGER PRIMARY KEY,
	sku    TEXT NOT NULL,
	delta  INTEGER NOT NULL,
	reason TEXT NOT NULL,
	ref    TEXT NOT NULL,
	seq    INTEGER NOT NULL,
	at     TEXT NOT NULL
) STRICT;
CREATE INDEX movements_sku_seq ON movements(sku, seq);

-- Stock held for click-and-collect orders.
CREATE TABLE reservations (
	order_id TEXT NOT NULL,
	line_id  TEXT NOT NULL,
	sku      TEXT NOT NULL,
	qty      INTEGER NOT NULL,
	PRIMARY KEY (order_id, line_id)
) STRICT;
CREATE INDEX reservations_sku ON reservations(sku);

CREATE TABLE carts (
	id         TEXT PRIMARY KEY,
	station    TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	doc        TEXT NOT NULL
) STRICT;
CREATE INDEX carts_station ON carts(station);

CREATE TABLE sales (
	id           TEXT PRIMARY KEY,
	receipt_no   INTEGER NOT NULL UNIQUE,
	station      TEXT NOT NULL,
	cashier      TEXT NOT NULL,
	completed_at TEXT NOT NULL,
	total        INTEGER NOT NULL,
	rounding     INTEGER NOT NULL,
	change       INTEGER NOT NULL,
	currency     TEXT NOT NULL,
	customer_id  TEXT NOT NULL DEFAULT '',
	order_id     TEXT NOT NULL DEFAULT '',
	voided       INTEGER NOT NULL DEFAULT 0,
	seq          INTEGER NOT NULL,
	doc          TEXT NOT NULL
) STRICT;
CREATE INDEX sales_completed_at ON sales(completed_at);

CREATE TABLE sale_lines (
	sale_id     TEXT NOT NULL REFERENCES sales(id),
	n           INTEGER NOT NULL,
	sku         TEXT NOT NULL,
	qty         INTEGER NOT NULL,
	unit        TEXT NOT NULL,
	unit_price  INTEGER NOT NULL,
	discount    INTEGER NOT NULL,
	tax_rate_bp INTEGER NOT NULL,
	amount      INTEGER NOT NULL,
	PRIMARY KEY (sale_id, n)
) STRICT;
CREATE INDEX sale_lines_sku ON sale_lines(sku);

CREATE TABLE sale_payments (
	sale_id TEXT NOT NULL REFERENCES sales(id),
	n       INTEGER NOT NULL,
	method  TEXT NOT NULL,
	amount  INTEGER NOT NULL,
	ref     TEXT NOT NULL,
	PRIMARY KEY (sale_id, n)
) STRICT;

CREATE TABLE staff (
	id       TEXT PRIMARY KEY,
	name     TEXT NOT NULL,
	role     TEXT NOT NULL CHECK (role IN ('cashier', 'supervisor', 'manager')),
	language TEXT NOT NULL DEFAULT '',
	pin_hash TEXT NOT NULL,
	active   INTEGER NOT NULL DEFAULT 1
) STRICT;

-- Staff sessions and paired devices; only hashes of their tokens are kept.
CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	staff_id   TEXT NOT NULL,
	station    TEXT NOT NULL,
	device_id  TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL
) STRICT;

CREATE TABLE devices (
	id          TEXT PRIMARY KEY,
	name        TEXT NOT NULL,
	role        TEXT NOT NULL,
	station     TEXT NOT NULL DEFAULT '',
	token_hash  TEXT NOT NULL DEFAULT '',
	pair_code   TEXT NOT NULL DEFAULT '',
	created_at  TEXT NOT NULL,
	approved_by TEXT NOT NULL DEFAULT '',
	approved_at TEXT NOT NULL DEFAULT '',
	revoked_at  TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE approvals (
	id          TEXT PRIMARY KEY,
	at          TEXT NOT NULL,
	action      TEXT NOT NULL,
	station     TEXT NOT NULL,
	ref         TEXT NOT NULL,
	staff       TEXT NOT NULL,
	approved_by TEXT NOT NULL,
	detail      TEXT NOT NULL
) STRICT;

-- Outbound events, in seq order. A row is done when central's ack covers
-- it (acked = 1); rejected keeps central's reason.
CREATE TABLE outbox (
	seq        INTEGER PRIMARY KEY,
	id         TEXT NOT NULL UNIQUE,
	type       TEXT NOT NULL,
	time       TEXT NOT NULL,
	data       TEXT NOT NULL,
	created_at TEXT NOT NULL,
	acked      INTEGER NOT NULL DEFAULT 0,
	acked_at   TEXT NOT NULL DEFAULT '',
	rejected   TEXT NOT NULL DEFAULT ''
) STRICT;
