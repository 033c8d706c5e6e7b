-- Click-and-collect: the store's record of every order it received and
-- what it did with it. Reserved stock lives in reservations (0001), kept in
-- step with each order by the same transaction.

-- One row per order; doc is the pos.PickupOrder as JSON (lines, picks,
-- arrival, verification, notices). The other columns serve queries.
CREATE TABLE pickup_orders (
	id         TEXT PRIMARY KEY,
	version    INTEGER NOT NULL,   -- the latest version of central's record applied
	state      TEXT NOT NULL CHECK (state IN ('new', 'picking', 'ready', 'collected', 'cancelled', 'rejected', 'expired')),
	open       INTEGER NOT NULL,   -- 1 while new, picking or ready
	collect_by INTEGER NOT NULL,   -- unix seconds
	search     TEXT NOT NULL,      -- lower-cased id and customer name, phone digits
	rev        INTEGER NOT NULL,   -- advanced by every stored change
	updated_at TEXT NOT NULL,
	doc        TEXT NOT NULL
) STRICT;
CREATE INDEX pickup_orders_open ON pickup_orders(open, collect_by);

-- Every step taken on an order, who took it and the event it recorded
-- (seq 0: none): wrong pickup codes, picks, handover.
CREATE TABLE pickup_log (
	id       INTEGER PRIMARY KEY,
	order_id TEXT NOT NULL,
	at       TEXT NOT NULL,
	action   TEXT NOT NULL,
	staff    TEXT NOT NULL,
	state    TEXT NOT NULL,   -- the order's state after the step
	detail   TEXT NOT NULL,
	seq      INTEGER NOT NULL
) STRICT;
CREATE INDEX pickup_log_order ON pickup_log(order_id, id);
