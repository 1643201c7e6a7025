-- Large messages are stored in pieces: SQLite copies a bound blob and then
-- builds the row from it, so one 25 MB blob costs 50 MB of C memory while
-- it is written. message_raw keeps the first piece (all of a typical
-- message); the rest follows here, in order.
CREATE TABLE message_raw_more (
	message_id INTEGER NOT NULL REFERENCES message_raw (message_id) ON DELETE CASCADE,
	seq        INTEGER NOT NULL,
	data       BLOB NOT NULL,
	PRIMARY KEY (message_id, seq)
);
