-- Central's counts of one stock page are found by an index: a stock page
-- applied, and a manifest dropping stock pages, looked them up by reading
-- every count held (300,000 for a large store) inside the writer's
-- transaction, for each page, while the tills waited for the writer.
CREATE INDEX stock_central_page ON stock_central(page);
