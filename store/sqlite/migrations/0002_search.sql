-- Full-text search over subject, participants (names and addresses) and
-- the text body. Contentless: the text already lives in messages and
-- participants, so the index keeps only its posting lists. The store
-- writes the row in InsertMessage, after the participants exist;
-- contentless_delete lets the trigger below drop it again.
CREATE VIRTUAL TABLE message_fts USING fts5 (
	subject,
	participants,
	body,
	content = '',
	contentless_delete = 1,
	tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
	DELETE FROM message_fts WHERE rowid = old.id;
END;

-- Index what a store without search already holds.
INSERT INTO message_fts (rowid, subject, participants, body)
SELECT m.id, m.subject,
	coalesce((SELECT group_concat(p.name || ' ' || p.email, char(10))
		FROM participants p WHERE p.message_id = m.id), ''),
	m.text_body
FROM messages m;
