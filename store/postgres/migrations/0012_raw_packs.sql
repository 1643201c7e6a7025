-- store/sqlite may keep the raw mail of imports in pack files beside the
-- database here; PostgreSQL keeps every message's raw mail in its rows.
-- Nothing to do: the migration keeps both backends' lists of migrations
-- the same.
SELECT 1;
