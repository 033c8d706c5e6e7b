-- The card refunds of returns, as claimed before they are sent to the
-- terminal: a return asked again after its card was refunded but before
-- it was recorded (a disk error) is refused unless it asks the same
-- amount, which the terminal then reports done under the same reference.
-- One row per return refunded to a card.
CREATE TABLE card_refund_claims (
	ref    TEXT PRIMARY KEY,
	amount INTEGER NOT NULL,
	at     TEXT NOT NULL
) STRICT;
