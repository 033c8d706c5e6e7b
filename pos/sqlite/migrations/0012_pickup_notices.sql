-- Click-and-collect: an order whose notices wait for staff (bags to fetch,
-- goods to put back, money to give back) stays on the counter's queue
-- after it ends, until staff have seen them.
ALTER TABLE pickup_orders ADD COLUMN notices INTEGER NOT NULL DEFAULT 0; -- 1 while notices wait
UPDATE pickup_orders SET notices = 1 WHERE json_array_length(doc, '$.notices') > 0;
CREATE INDEX pickup_orders_notices ON pickup_orders(updated_at) WHERE notices = 1;
