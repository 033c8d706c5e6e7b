-- The catalog tables are kept in the order of their keys (WITHOUT ROWID):
-- a till finds a barcode's item in two B-tree searches instead of four
-- (an index, then its table, for each), and each item or barcode written
-- from central's pages goes into one B-tree (an item) or two (a barcode)
-- instead of three.
--
-- Which items a catalog page holds is kept with the page (members) rather
-- than in an index of items by page, which every item written would update.
--
-- barcodes refers to items, so both are rebuilt: the barcodes are kept
-- aside in a table without the reference while items is replaced.

CREATE TABLE items_new (
	sku         TEXT PRIMARY KEY,
	active      INTEGER NOT NULL,
	names       TEXT NOT NULL,   -- JSON object by language
	search      TEXT NOT NULL,   -- lower-cased names and sku for search
	unit        TEXT NOT NULL CHECK (unit IN ('each', 'kg')),
	price       INTEGER NOT NULL,
	tax_rate_bp INTEGER NOT NULL,
	location    TEXT NOT NULL DEFAULT '',
	page        TEXT NOT NULL DEFAULT ''  -- central's catalog page, '' for local imports
) STRICT, WITHOUT ROWID;
INSERT INTO items_new SELECT sku, active, names, search, unit, price, tax_rate_bp, location, page FROM items;

CREATE TABLE barcodes_kept (code TEXT PRIMARY KEY, sku TEXT NOT NULL) STRICT, WITHOUT ROWID;
INSERT INTO barcodes_kept SELECT code, sku FROM barcodes;
DROP TABLE barcodes;
DROP TABLE items;
ALTER TABLE items_new RENAME TO items;

ALTER TABLE sync_pages ADD COLUMN members TEXT NOT NULL DEFAULT '[]'; -- catalog: JSON array of the page's SKUs
UPDATE sync_pages SET members = (SELECT json_group_array(sku) FROM items WHERE items.page = sync_pages.page)
	WHERE kind = 'catalog';

CREATE TABLE barcodes (
	code TEXT PRIMARY KEY,  -- normalised key (see pos.NormalizeBarcode)
	sku  TEXT NOT NULL REFERENCES items(sku) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
INSERT INTO barcodes SELECT code, sku FROM barcodes_kept;
DROP TABLE barcodes_kept;
CREATE INDEX barcodes_by_sku ON barcodes(sku);
