-- An id once given is never given again. A new row of an INTEGER PRIMARY
-- KEY table gets max(id) + 1, which is the id of the newest row if it was
-- removed: a person removed with `person rm 7` and created anew, or held
-- mail dropped with `quarantine drop 7` and new mail held, would take 7,
-- and a script or an administrator still naming 7 would act on the new
-- row. (PostgreSQL's identity columns never give an id twice.)
--
-- AUTOINCREMENT would do it, but a table cannot be given it without being
-- made anew, and dropping persons while foreign keys are on (as they are in
-- a migration's transaction) would delete their addresses and items with
-- them. Instead removed_ids keeps the highest id removed from each of the
-- tables whose rows the product removes, and newID (sqlite.go) starts a new
-- row above both it and the table's highest id.

CREATE TABLE removed_ids (
	tbl  TEXT PRIMARY KEY,
	last INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TRIGGER persons_removed_id AFTER DELETE ON persons BEGIN
	INSERT INTO removed_ids (tbl, last) VALUES ('persons', old.id)
		ON CONFLICT (tbl) DO UPDATE SET last = max(last, excluded.last);
END;

CREATE TRIGGER quarantine_removed_id AFTER DELETE ON quarantine BEGIN
	INSERT INTO removed_ids (tbl, last) VALUES ('quarantine', old.id)
		ON CONFLICT (tbl) DO UPDATE SET last = max(last, excluded.last);
END;

CREATE TRIGGER addresses_removed_id AFTER DELETE ON addresses BEGIN
	INSERT INTO removed_ids (tbl, last) VALUES ('addresses', old.id)
		ON CONFLICT (tbl) DO UPDATE SET last = max(last, excluded.last);
END;
