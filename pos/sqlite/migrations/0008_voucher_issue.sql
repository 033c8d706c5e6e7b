-- Vouchers issued outside a return: who issued them, at which station,
-- in which shift, and the cash paid into that shift's drawer for a gift
-- card sold. The shift's reports count them; one issued while no shift
-- was open at its station ('' shift) is adopted by the next shift there.
-- Vouchers of returns and cards issued elsewhere leave issued_by ''.
ALTER TABLE vouchers ADD COLUMN issued_by TEXT NOT NULL DEFAULT '';
ALTER TABLE vouchers ADD COLUMN station   TEXT NOT NULL DEFAULT '';
ALTER TABLE vouchers ADD COLUMN shift_id  TEXT NOT NULL DEFAULT '';
ALTER TABLE vouchers ADD COLUMN cash      INTEGER NOT NULL DEFAULT 0;

CREATE INDEX vouchers_issued ON vouchers(shift_id, station) WHERE issued_by <> '';
