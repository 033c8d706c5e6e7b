-- The newest sale by instant, for the clock check: completed_at keeps the
-- offset of its time, and its text sorts wrong where offsets differ (the
-- hour after the clocks go back, a change of the store's time zone).
CREATE INDEX sales_completed_instant ON sales(julianday(completed_at));
