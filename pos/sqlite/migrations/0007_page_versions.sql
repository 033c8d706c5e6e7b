-- The versions of the pages held, and when they were applied, are read
-- from an index of their own. A catalog page's row holds the list of its
-- members, a page of the file or more each: reading the versions of 300
-- pages from the table meant reading 300 such rows, for every sync summary
-- and manifest.
CREATE INDEX sync_page_versions ON sync_pages(kind, page, version, applied_at);
