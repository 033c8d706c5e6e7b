-- Sync with central: which versions of central's paged state the node
-- holds, the manifests naming them, inbound payloads the node refused, and
-- click-and-collect order records as central sent them.

-- One row per catalog or stock page applied; version is the page's version.
CREATE TABLE sync_pages (
	kind       TEXT NOT NULL CHECK (kind IN ('catalog', 'stock')),
	page       TEXT NOT NULL,
	version    INTEGER NOT NULL,
	applied_at TEXT NOT NULL,
	PRIMARY KEY (kind, page)
) STRICT;

-- The newest manifest seen per kind (pages: JSON object page -> version).
CREATE TABLE sync_manifests (
	kind    TEXT PRIMARY KEY CHECK (kind IN ('catalog', 'stock')),
	version INTEGER NOT NULL,
	pages   TEXT NOT NULL
) STRICT;

-- Inbound payloads rejected as invalid: logged here for support, counted in
-- counters('inbound_rejects').
CREATE TABLE inbound_rejects (
	id     INTEGER PRIMARY KEY,
	topic  TEXT NOT NULL,
	reason TEXT NOT NULL,
	at     TEXT NOT NULL
) STRICT;
CREATE INDEX inbound_rejects_at ON inbound_rejects(at);

-- Click-and-collect orders as central published them. closed = 1 once
-- central has cleared the retained record.
CREATE TABLE central_orders (
	order_id   TEXT PRIMARY KEY,
	version    INTEGER NOT NULL,
	doc        TEXT NOT NULL,
	closed     INTEGER NOT NULL DEFAULT 0,
	updated_at TEXT NOT NULL
) STRICT;

-- Events central rejected, found without a scan; normal events are not in
-- this partial index, so recording them costs nothing more.
CREATE INDEX outbox_rejected ON outbox(seq) WHERE rejected != '';
