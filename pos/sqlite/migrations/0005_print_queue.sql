-- The durable print queue: every document sent to a printer is a row until
-- the printer has taken it (written and confirmed by a status poll).

CREATE TABLE print_jobs (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	printer    TEXT NOT NULL,            -- printer name from the station config
	kind       TEXT NOT NULL,            -- receipt, pickup_slip, bag_label, report, test_page
	ref        TEXT NOT NULL DEFAULT '', -- e.g. the receipt number or order id
	doc        BLOB,                     -- the document as JSON, to render a copy
	data       BLOB NOT NULL,            -- the ESC/POS bytes to send
	created_at TEXT NOT NULL,
	printed_at TEXT                      -- NULL while queued
) STRICT;

CREATE INDEX print_jobs_queued ON print_jobs (printer, id) WHERE printed_at IS NULL;
CREATE INDEX print_jobs_ref ON print_jobs (kind, ref);
