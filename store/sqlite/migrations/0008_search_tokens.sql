-- Full-text search with FTS4, which every build of go-sqlite3 has (FTS5
-- needs a build tag). SQLite does not tokenize: store/search does, for
-- every backend alike, and the index is fed those tokens joined by spaces
-- under the "simple" tokenizer, which splits them back exactly (tokens
-- never hold ASCII punctuation, and are already case-folded).
--
-- Four columns, which the query language's fields name: subject; sender
-- (From, Sender and Reply-To names and addresses: from:); recipients (To,
-- Cc, Bcc: to:); and the text body (body:).
--
-- The index keeps its own copy of the tokens (FTS4's regular content):
-- deleting a message needs them, and a contentless index cannot delete,
-- while an external content table computing them would need our tokenizer
-- inside SQLite, so that the sqlite3 shell could no longer run PRAGMA
-- integrity_check on a store.
--
-- Before 0008 an FTS5 table of the same name existed: migrate.go removes
-- it before this file runs, and indexes the mail already stored after.

CREATE VIRTUAL TABLE message_fts USING fts4 (
	subject, sender, recipients, body,
	tokenize=simple
);

CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
	DELETE FROM message_fts WHERE docid = old.id;
END;
