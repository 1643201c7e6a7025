-- store/postgres stops compressing raw mail and bodies here; SQLite never
-- compressed them. Nothing to do: the migration keeps both backends'
-- lists of migrations the same.
SELECT 1;
