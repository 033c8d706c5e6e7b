-- Voucher codes in their canonical form (pos.CanonicalVoucherCode): upper
-- case. Before this version a code was kept as typed, so a card issued
-- elsewhere could be kept twice, once per spelling, each with its own
-- offline limit and redemptions. Such rows become one, kept by the row
-- already in upper case, else the first: issued, balance and redeemed add
-- up, the offline limit is the one set on the row kept, else the highest
-- set on another spelling, and the rest is the kept row's. The uses of
-- every spelling follow it. Codes never held spaces. Sales and returns
-- keep the code as it was rung up.
PRAGMA defer_foreign_keys = ON;

-- From now on the node writes codes in canonical form only: a code in
-- another would be a second card.
CREATE TRIGGER vouchers_code_upper_case BEFORE INSERT ON vouchers
	WHEN NEW.code <> upper(NEW.code)
	BEGIN SELECT RAISE(ABORT, 'voucher code not in upper case'); END;
CREATE TRIGGER vouchers_code_upper_case_update BEFORE UPDATE OF code ON vouchers
	WHEN NEW.code <> upper(NEW.code)
	BEGIN SELECT RAISE(ABORT, 'voucher code not in upper case'); END;

-- Spellings are matched through an index, for the time of the migration:
-- without one, each voucher would be compared with every other.
CREATE INDEX vouchers_upper_code ON vouchers(upper(code));

-- keep: for each voucher, the one its spelling becomes.
CREATE TABLE voucher_codes_kept AS
	SELECT v.rowid AS id, (
		SELECT w.rowid FROM vouchers w WHERE upper(w.code) = upper(v.code)
		ORDER BY w.code = upper(w.code) DESC, w.rowid LIMIT 1) AS keep
	FROM vouchers v;

UPDATE vouchers AS v SET
	issued = (SELECT sum(w.issued) FROM vouchers w WHERE upper(w.code) = upper(v.code)),
	balance = (SELECT sum(w.balance) FROM vouchers w WHERE upper(w.code) = upper(v.code)),
	redeemed = (SELECT sum(w.redeemed) FROM vouchers w WHERE upper(w.code) = upper(v.code)),
	offline_limit = CASE WHEN v.offline_limit >= 0 THEN v.offline_limit
		ELSE (SELECT max(w.offline_limit) FROM vouchers w WHERE upper(w.code) = upper(v.code)) END
	WHERE v.rowid IN (SELECT keep FROM voucher_codes_kept WHERE keep <> id);
DELETE FROM vouchers WHERE rowid IN (SELECT id FROM voucher_codes_kept WHERE keep <> id);
DROP TABLE voucher_codes_kept;
DROP INDEX vouchers_upper_code;

UPDATE vouchers SET code = upper(code) WHERE code <> upper(code);
UPDATE voucher_uses SET code = upper(code) WHERE code <> upper(code);
