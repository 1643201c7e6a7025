-- The raw mail of a bulk import can live outside the database, appended to
-- pack files beside it (<db>-raw/NNNNNN.pack, see store/sqlite/rawpack.go):
-- such a row keeps an empty raw and says where its bytes are. Rows without
-- a pack keep their bytes inline, as before.
ALTER TABLE message_raw ADD COLUMN pack INTEGER;
ALTER TABLE message_raw ADD COLUMN off INTEGER;
ALTER TABLE message_raw ADD COLUMN len INTEGER;

-- The end of each pack's references, read under the write lock before an
-- append; small rows, so no overflow page is read.
CREATE INDEX message_raw_packed ON message_raw (pack, off, len) WHERE pack IS NOT NULL;

-- Ranges of deleted raw mail not yet erased from their pack. Every way a
-- message_raw row goes (a DELETE, a cascade from messages) records its
-- range here; the writer punches a hole over it after the commit and then
-- forgets it.
CREATE TABLE raw_pack_freed (
	pack INTEGER NOT NULL,
	off  INTEGER NOT NULL,
	len  INTEGER NOT NULL
);

CREATE TRIGGER message_raw_freed AFTER DELETE ON message_raw WHEN OLD.pack IS NOT NULL BEGIN
	INSERT INTO raw_pack_freed (pack, off, len) VALUES (OLD.pack, OLD.off, OLD.len);
END;
