-- Click-and-collect: an order whose notices wait for staff (bags to fetch,
-- goods to put back, money to give back) stays on the counter's queue
-- after it ends, until staff have seen them.
ALTER TABLE pickup_orders ADD COLUMN notices INTEGER NOT NULL DEFAULT 0; -- 1 while notices wait
-- An order that ended before this version left the queue with its
-- notices unseen. Those of the last 7 days come back, with what staff
-- still have to do; older ones, long dealt with at the shelf, would only
-- bury the open orders after the upgrade.
UPDATE pickup_orders SET notices = 1 WHERE json_array_length(doc, '$.notices') > 0
	AND (open = 1 OR updated_at >= strftime('%Y-%m-%d', 'now', '-7 days'));
CREATE INDEX pickup_orders_notices ON pickup_orders(updated_at) WHERE notices = 1;
