-- store/sqlite keeps the highest id removed from persons, quarantine and
-- addresses, so that no id is given twice; PostgreSQL's identity columns
-- never give one twice. Nothing to do: the migration keeps both backends'
-- lists of migrations the same.
SELECT 1;
