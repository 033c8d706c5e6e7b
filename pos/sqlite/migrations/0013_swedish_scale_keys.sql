-- Swedish scale labels: GS1 Sweden's variable-weight numbers name the
-- item with eight digits (2X, the weight-item prefix and the serial
-- number) and carry the value in four. Before this version the node read
-- seven and five: two items whose numbers differ in the eighth digit were
-- one, at ten times or more their price. It kept central's variable-
-- measure codes by their seven-digit keys, which no scan finds now. The
-- catalog pages that list such a code are fetched again and keep their
-- codes by the eight-digit key. Items of a local catalog import (page '')
-- keep theirs until the file is imported again.
UPDATE sync_pages SET version = -1 WHERE kind = 'catalog' AND page IN (
	SELECT DISTINCT i.page FROM barcodes b JOIN items i ON i.sku = b.sku
	WHERE i.page != '' AND length(b.code) = 7 AND b.code GLOB '2[0-5][0-9][0-9][0-9][0-9][0-9]');
