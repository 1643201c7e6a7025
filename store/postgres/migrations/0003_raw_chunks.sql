-- Large messages are stored in pieces, as in SQLite (see its 0003): the
-- first piece in message_raw (all of a typical message), the rest here, in
-- order. The same layout on both backends keeps the consistency check and
-- `smartbcc migrate` alike, and no single bytea value is larger than a
-- piece, so neither side holds a 25 MB value twice while writing it.
CREATE TABLE message_raw_more (
	message_id bigint NOT NULL REFERENCES message_raw (message_id) ON DELETE CASCADE,
	seq        integer NOT NULL,
	data       bytea NOT NULL,
	PRIMARY KEY (message_id, seq)
);
