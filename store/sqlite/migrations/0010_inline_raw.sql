-- store/postgres keeps raw mail and search documents of up to about 8 KB
-- in their row here; SQLite keeps every value in its row (with overflow
-- pages). Nothing to do: the migration keeps both backends' lists of
-- migrations the same.
SELECT 1;
