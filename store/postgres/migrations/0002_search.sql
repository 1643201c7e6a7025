-- Full-text search over subject, participants (names and addresses) and
-- the text body: one tsvector per message, built by the store from its own
-- tokens (see search.go), with a GIN index. Existing mail is indexed by
-- the migration's Go step.
CREATE TABLE message_search (
	message_id bigint PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
	doc        tsvector NOT NULL
);
CREATE INDEX message_search_doc ON message_search USING gin (doc);
