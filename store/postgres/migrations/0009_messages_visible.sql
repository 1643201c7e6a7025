-- SQLite adds a narrow index of messages here, because its rows carry the
-- bodies; PostgreSQL moves large values out of line (TOAST), so its rows
-- are narrow already. Nothing to do: the migration keeps both backends'
-- lists of migrations the same.
SELECT 1;
