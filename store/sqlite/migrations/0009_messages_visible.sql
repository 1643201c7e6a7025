-- A narrow index of what a listing's count and a search's join read of
-- each message: who owns it, whether it is shared, its thread and date.
-- A row of messages carries the headers and bodies, often more than a
-- page: counting a 20,000-message inbox or joining a common word's 12,000
-- hits to their messages read every row's page (200 ms); this index is a
-- few hundred KB and answers both in a few ms. SQLite picks it for the
-- count by itself; the search's join names it (INDEXED BY), since SQLite
-- always prefers the table's own rowid lookup there.
CREATE INDEX messages_visible ON messages (id, owner_id, shared, thread_id, date, received_at);
