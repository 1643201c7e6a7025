-- Superseded by 0008_search_tokens.sql. This migration once created an FTS5
-- index, which go-sqlite3 only has with a build tag; stores that applied
-- it keep its name in the migrations table and 0008 replaces the index.
-- New stores apply this empty step so that names and numbers line up.
SELECT 1;
