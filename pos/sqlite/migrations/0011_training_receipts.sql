-- Training receipts as closed, for a copy shown or printed at the till (a
-- trainer shows the trainee's receipt again). The journal keeps what was
-- sold; this keeps the receipt as it was laid out: names, discounts and
-- payments. Training receipts closed before this table have no row.
CREATE TABLE training_receipts (
	no      INTEGER PRIMARY KEY, -- the training sequence's number
	station TEXT NOT NULL,
	doc     TEXT NOT NULL        -- the pos.TrainingReceipt as JSON
) STRICT;
CREATE INDEX training_receipts_station ON training_receipts(station, no);
