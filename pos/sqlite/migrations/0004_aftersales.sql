-- After-sales and the back office: returns, voids, shifts and cash,
-- vouchers, report tables and the tamper-evident journal.

-- Tax by rate of each sale, as on its receipt, for reports.
CREATE TABLE sale_tax (
	sale_id TEXT NOT NULL REFERENCES sales(id),
	rate_bp INTEGER NOT NULL,
	base    INTEGER NOT NULL,
	tax     INTEGER NOT NULL,
	PRIMARY KEY (sale_id, rate_bp)
) STRICT;

CREATE TABLE returns (
	id           TEXT PRIMARY KEY,
	return_no    INTEGER NOT NULL UNIQUE,
	station      TEXT NOT NULL,
	staff        TEXT NOT NULL,
	at           TEXT NOT NULL,
	origin       TEXT NOT NULL,               -- '', sale, remote_sale, order
	origin_key   TEXT NOT NULL DEFAULT '',    -- what returned quantities count against
	total        INTEGER NOT NULL,
	rounding     INTEGER NOT NULL,
	approved_by  TEXT NOT NULL DEFAULT '',
	exchange_sale_id TEXT NOT NULL DEFAULT '',
	seq          INTEGER NOT NULL,
	doc          TEXT NOT NULL
) STRICT;
CREATE INDEX returns_origin ON returns(origin_key);
CREATE INDEX returns_at ON returns(at);

CREATE TABLE return_lines (
	return_id   TEXT NOT NULL REFERENCES returns(id),
	n           INTEGER NOT NULL,
	origin_key  TEXT NOT NULL,
	orig_line   TEXT NOT NULL,
	sku         TEXT NOT NULL,
	qty         INTEGER NOT NULL,
	unit        TEXT NOT NULL,
	tax_rate_bp INTEGER NOT NULL,
	amount      INTEGER NOT NULL,
	restock     INTEGER NOT NULL,
	PRIMARY KEY (return_id, n)
) STRICT;
CREATE INDEX return_lines_origin ON return_lines(origin_key, orig_line);

CREATE TABLE return_refunds (
	return_id TEXT NOT NULL REFERENCES returns(id),
	n         INTEGER NOT NULL,
	method    TEXT NOT NULL,
	amount    INTEGER NOT NULL,
	ref       TEXT NOT NULL,
	PRIMARY KEY (return_id, n)
) STRICT;

CREATE TABLE return_tax (
	return_id TEXT NOT NULL REFERENCES returns(id),
	rate_bp   INTEGER NOT NULL,
	base      INTEGER NOT NULL,
	tax       INTEGER NOT NULL,
	PRIMARY KEY (return_id, rate_bp)
) STRICT;

CREATE TABLE voids (
	sale_id     TEXT PRIMARY KEY REFERENCES sales(id),
	station     TEXT NOT NULL,
	staff       TEXT NOT NULL,
	at          TEXT NOT NULL,
	reason      TEXT NOT NULL,
	approved_by TEXT NOT NULL,
	seq         INTEGER NOT NULL,
	doc         TEXT NOT NULL
) STRICT;

CREATE TABLE shifts (
	id           TEXT PRIMARY KEY,
	station      TEXT NOT NULL,
	opened_by    TEXT NOT NULL,
	opened_at    TEXT NOT NULL,
	float        INTEGER NOT NULL,
	closed_at    TEXT NOT NULL DEFAULT '',   -- '' while open
	closed_by    TEXT NOT NULL DEFAULT '',
	counted      INTEGER NOT NULL DEFAULT 0,
	z_no         INTEGER NOT NULL DEFAULT 0,
	journal_n    INTEGER NOT NULL DEFAULT 0,
	journal_head TEXT NOT NULL DEFAULT '',
	report       TEXT NOT NULL DEFAULT ''    -- the Z report as JSON
) STRICT;
CREATE UNIQUE INDEX shifts_open ON shifts(station) WHERE closed_at = '';

-- Which shift each receipt belongs to. A receipt recorded while its
-- station had no open shift has shift_id '' until the next shift there
-- opens and adopts it.
CREATE TABLE shift_receipts (
	kind     TEXT NOT NULL CHECK (kind IN ('sale', 'return')),
	ref      TEXT NOT NULL,
	station  TEXT NOT NULL,
	shift_id TEXT NOT NULL,
	PRIMARY KEY (kind, ref)
) STRICT;
CREATE INDEX shift_receipts_shift ON shift_receipts(shift_id);
CREATE INDEX shift_receipts_orphans ON shift_receipts(station, shift_id);

CREATE TABLE cash_ops (
	id       TEXT PRIMARY KEY,
	shift_id TEXT NOT NULL REFERENCES shifts(id),
	station  TEXT NOT NULL,
	kind     TEXT NOT NULL CHECK (kind IN ('paid_in', 'paid_out', 'drop', 'no_sale')),
	amount   INTEGER NOT NULL,
	reason   TEXT NOT NULL,
	staff    TEXT NOT NULL,
	at       TEXT NOT NULL
) STRICT;
CREATE INDEX cash_ops_shift ON cash_ops(shift_id);

-- Gift cards and store credit. external: issued elsewhere, balance unknown
-- here, redeemable up to offline_limit.
CREATE TABLE vouchers (
	code          TEXT PRIMARY KEY,
	kind          TEXT NOT NULL CHECK (kind IN ('gift_card', 'store_credit')),
	issued        INTEGER NOT NULL,
	balance       INTEGER NOT NULL,
	external      INTEGER NOT NULL DEFAULT 0,
	offline_limit INTEGER NOT NULL DEFAULT -1,  -- -1: the store's default
	redeemed      INTEGER NOT NULL DEFAULT 0,
	created_at    TEXT NOT NULL,
	ref           TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE voucher_uses (
	id     INTEGER PRIMARY KEY,
	code   TEXT NOT NULL REFERENCES vouchers(code),
	delta  INTEGER NOT NULL,   -- + issued or restored, − redeemed
	ref    TEXT NOT NULL,      -- sale, return or void
	at     TEXT NOT NULL
) STRICT;
CREATE INDEX voucher_uses_code ON voucher_uses(code);

CREATE TABLE receipt_copies (
	id      INTEGER PRIMARY KEY,
	kind    TEXT NOT NULL,
	ref     TEXT NOT NULL,
	copy_no INTEGER NOT NULL,
	station TEXT NOT NULL,
	staff   TEXT NOT NULL,
	at      TEXT NOT NULL
) STRICT;
CREATE INDEX receipt_copies_ref ON receipt_copies(kind, ref);

-- The tamper-evident journal: hash = SHA-256(prev || canonical entry),
-- see pos.JournalEntry. Rows are only ever appended.
CREATE TABLE journal (
	n    INTEGER PRIMARY KEY,
	at   TEXT NOT NULL,
	kind TEXT NOT NULL,
	ref  TEXT NOT NULL,
	mark TEXT NOT NULL DEFAULT '',
	data TEXT NOT NULL,
	prev TEXT NOT NULL,
	hash TEXT NOT NULL
) STRICT;
